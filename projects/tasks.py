from celery import shared_task
from django.utils import timezone

from congress import workflows
from projects import services, supervision
from projects.models import Ballot


@shared_task(acks_late=True, reject_on_worker_lost=True)
def tally_ballot(ballot_id: int) -> str:
    """Count a closed ballot. Safe to run again: the stored result is the same."""
    workflows.update(Ballot.objects.filter(pk=ballot_id).exclude(poll__state="certified"), Ballot.TallyState.RUNNING,
                     field="tally_state")
    try:
        result = services.ballot_tally(ballot_id=ballot_id)
    except services.ProjectError as exc:
        workflows.update(Ballot.objects.filter(pk=ballot_id), Ballot.TallyState.FAILED, field="tally_state",
                         tally_error=" ".join(exc.messages)[:300])
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


@shared_task(acks_late=True)
def recolour_projects() -> int:
    """The daily five-colour job: recolour every project, then send any supervision notice not yet sent."""
    changed = supervision.projects_recolour(on=timezone.localdate())
    supervision.supervision_tasks_notify_pending()
    return changed


@shared_task(acks_late=True, reject_on_worker_lost=True)
def notify_supervision_task(task_id: int) -> int:
    """E-mail a new supervision task to the unit and the supervising deputies; sent once, however often run."""
    return supervision.supervision_task_notify(task_id=task_id)
