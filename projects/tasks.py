from celery import shared_task
from django.utils import timezone

from projects import services
from projects.models import Ballot


@shared_task(acks_late=True, reject_on_worker_lost=True)
def tally_ballot(ballot_id: int) -> str:
    """Count a closed ballot. Safe to run again: the stored result is the same."""
    Ballot.objects.filter(pk=ballot_id).exclude(poll__state="certified").update(tally_state=Ballot.TallyState.RUNNING)
    try:
        result = services.ballot_tally(ballot_id=ballot_id)
    except services.ProjectError as exc:
        Ballot.objects.filter(pk=ballot_id).update(tally_state=Ballot.TallyState.FAILED, tally_error=" ".join(exc.messages)[:300])
        raise
    return result.checksum


@shared_task(acks_late=True)
def close_due_ballots() -> int:
    n = 0
    for ballot in services.polls_due_to_close():
        services.ballot_close(ballot=ballot)
        n += 1
    return n


@shared_task(acks_late=True)
def flag_overdue_milestones() -> int:
    return services.milestones_flag_overdue(on_date=timezone.localdate())
