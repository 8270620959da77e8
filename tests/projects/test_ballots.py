import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from congress.models import BallotSlot, Elector, SecretPoll, VoteRecord
from projects import services
from projects.models import Ballot, Project
from projects.tasks import tally_ballot
from tests import factories
from tests.projects.conftest import Election

pytestmark = pytest.mark.django_db


def test_open_freezes_electorate_without_fixed_attendees(election):
    e = Election(deputies=5, fixed=2).open()
    assert e.ballot.poll.state == SecretPoll.State.OPEN
    assert set(Elector.objects.filter(poll=e.ballot.poll).values_list("person", flat=True)) == {p.pk for p in e.people}
    assert e.ballot.poll.electorate_size == 5 == e.ballot.poll.seated_count
    assert BallotSlot.objects.filter(poll=e.ballot.poll, status="empty").count() == 5
    assert set(Project.objects.filter(pk__in=[p.pk for p in e.projects]).values_list("state", flat=True)) == {"on_ballot"}


def test_fixed_attendees_vote_when_the_body_says_so(election):
    from congress import services as cs

    e = Election(deputies=3, fixed=2)
    cs.body_update(body=e.body, fixed_attendees_vote=True)
    e.open()
    assert e.ballot.poll.electorate_size == 5 and e.ballot.poll.seated_count == 3


def test_rules_and_candidates_are_fixed_once_open(election):
    e = Election().open()
    with pytest.raises(ValidationError):
        services.ballot_update_rules(ballot=e.ballot, seats=3)
    with pytest.raises(ValidationError):
        services.ballot_set_candidates(ballot=e.ballot, projects=e.projects[:2])
    with pytest.raises(ValidationError):
        services.ballot_open(ballot=e.ballot)


def test_a_deputy_votes_once_and_gets_a_receipt(election):
    e = Election().open()
    receipt = e.approve(e.people[0], 0, 1)
    assert len(receipt) == 11 and receipt[5] == "-"
    with pytest.raises(ValidationError, match="已经投过票|already voted"):
        e.approve(e.people[0], 2)
    assert VoteRecord.objects.filter(poll=e.ballot.poll).count() == 1
    assert BallotSlot.objects.filter(poll=e.ballot.poll).exclude(status="empty").count() == 1


def test_database_refuses_a_second_vote_record(election):
    e = Election().open()
    e.approve(e.people[0], 0)
    elector = Elector.objects.get(poll=e.ballot.poll, person=e.people[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        VoteRecord.objects.create(elector=elector, poll=e.ballot.poll, channel="web")


@pytest.mark.parametrize("bad", ["too_many", "not_on_ballot", "twice_same"])
def test_bad_ballots_are_refused_whole(election, bad):
    e = Election(candidates=4, max_choices=2).open()
    other = Election(candidates=1)
    choices = {
        "too_many": [c.pk for c in e.candidates[:3]],
        "not_on_ballot": [e.candidates[0].pk, other.candidates[0].pk],
        "twice_same": [e.candidates[0].pk, e.candidates[0].pk],
    }[bad]
    with pytest.raises(ValidationError):
        services.ballot_vote(ballot=e.ballot, person=e.people[0], choices={"approve": choices})
    assert not VoteRecord.objects.filter(poll=e.ballot.poll).exists()
    assert not BallotSlot.objects.filter(poll=e.ballot.poll).exclude(status="empty").exists()


def test_voting_outside_the_window_is_refused(election):
    now = timezone.now()
    e = Election(opens_at=now + datetime.timedelta(hours=1), closes_at=now + datetime.timedelta(hours=3)).open()
    with pytest.raises(ValidationError, match="未开放|not open"):
        e.approve(e.people[0], 0)
    later = now + datetime.timedelta(hours=2)
    assert services.ballot_vote(ballot=e.ballot, person=e.people[0], choices={"approve": [e.candidates[0].pk]}, now=later)
    with pytest.raises(ValidationError):
        services.ballot_vote(ballot=e.ballot, person=e.people[1], choices={"approve": []},
                             now=now + datetime.timedelta(hours=4))


def test_non_electors_cannot_vote(election):
    e = Election(fixed=1).open()
    with pytest.raises(ValidationError):
        e.approve(e.fixed[0], 0)


def test_tally_refuses_while_open_and_counts_after_close(election):
    e = Election(deputies=5, candidates=4, seats=2, max_choices=2).open()
    with pytest.raises(ValidationError, match="仍在进行|still open"):
        services.ballot_tally(ballot_id=e.ballot.pk)
    e.approve(e.people[0], 0, 1)
    e.approve(e.people[1], 0, 2)
    e.approve(e.people[2], 0, 1)
    e.approve(e.people[3])  # blank
    result = e.close_and_count()
    rows = {r["position"]: r for r in result.data["candidates"]}
    assert [rows[i]["for"] for i in range(4)] == [3, 2, 1, 0]
    assert [rows[i]["rank"] for i in range(4)] == [1, 2, 3, 4]
    assert [rows[i]["adopted"] for i in range(4)] == [True, True, False, False]
    rec = result.data["reconciliation"]
    assert rec["web_voters"] == 4 and rec["valid"] == 3 and rec["blank"] == 1 and rec["electorate"] == 5
    assert len(result.data["receipts"]) == 4
    assert e.ballot.tally_state == Ballot.TallyState.DONE


def test_tally_is_idempotent_and_reproducible(election):
    e = Election().open()
    e.approve(e.people[0], 0)
    e.approve(e.people[1], 1)
    result = e.close_and_count()
    checksum, data = result.checksum, result.data
    for _ in range(2):
        assert tally_ballot.delay(e.ballot.pk).get() == checksum
    result.refresh_from_db()
    assert result.checksum == checksum and result.data == data
    assert services.canonical_checksum(result.data) == checksum


def test_ties_at_the_cutoff_are_all_included_by_default(election):
    e = Election(deputies=4, candidates=4, seats=1, max_choices=1).open()
    e.approve(e.people[0], 0)
    e.approve(e.people[1], 1)
    e.approve(e.people[2], 2)
    result = e.close_and_count()
    adopted = {r["position"] for r in result.data["candidates"] if r["adopted"]}
    assert adopted == {0, 1, 2}
    assert {r["reason"] for r in result.data["candidates"] if r["adopted"]} == {"adopted_tie"}


def test_staff_break_a_tie_with_a_reason_before_certifying(election):
    e = Election(deputies=4, candidates=3, seats=1, max_choices=1, tie_rule="staff_break").open()
    e.approve(e.people[0], 0)
    e.approve(e.people[1], 1)
    result = e.close_and_count()
    assert sorted(result.data["tied"]) == sorted([e.candidates[0].pk, e.candidates[1].pk])
    with pytest.raises(ValidationError):
        services.ballot_certify(ballot=e.ballot, **factories.certifying(e.body))
    with pytest.raises(ValidationError):
        services.ballot_break_tie(ballot=e.ballot, candidate_ids=[e.candidates[1].pk], reason="")
    with pytest.raises(ValidationError):
        services.ballot_break_tie(ballot=e.ballot, candidate_ids=[e.candidates[0].pk, e.candidates[1].pk], reason="x")
    result = services.ballot_break_tie(ballot=e.ballot, candidate_ids=[e.candidates[1].pk], reason="资金已落实")
    assert [r["adopted"] for r in sorted(result.data["candidates"], key=lambda r: r["position"])] == [False, True, False]
    services.ballot_certify(ballot=e.ballot, **factories.certifying(e.body))
    e.ballot.refresh_from_db()
    assert e.ballot.tie_break_reason == "资金已落实"


def test_threshold_more_than_half_of_seated(election):
    e = Election(deputies=6, candidates=2, seats=2, max_choices=2, threshold="half_seated").open()
    for p in e.people[:4]:
        e.approve(p, 0)
    for p in e.people[4:]:
        e.approve(p, 0, 1)
    result = e.close_and_count()
    rows = sorted(result.data["candidates"], key=lambda r: r["position"])
    assert rows[0]["for"] == 6 and rows[0]["adopted"] is True
    assert rows[1]["for"] == 2 and rows[1]["adopted"] is False and rows[1]["reason"] == "below_threshold"
    assert result.data["threshold_votes"] == 4


def test_for_against_abstain_method(election):
    e = Election(deputies=3, candidates=2, seats=1, method="for_against").open()
    c0, c1 = e.candidates
    services.ballot_vote(ballot=e.ballot, person=e.people[0], choices={c0.pk: "for", c1.pk: "against"})
    services.ballot_vote(ballot=e.ballot, person=e.people[1], choices={c0.pk: "for", c1.pk: "abstain"})
    with pytest.raises(ValidationError):  # must answer every project
        services.ballot_vote(ballot=e.ballot, person=e.people[2], choices={c0.pk: "for"})
    result = e.close_and_count()
    rows = sorted(result.data["candidates"], key=lambda r: r["position"])
    assert (rows[0]["for"], rows[0]["against"], rows[0]["abstain"]) == (2, 0, 0)
    assert (rows[1]["for"], rows[1]["against"], rows[1]["abstain"]) == (0, 1, 1)


def test_paper_ballots_and_reconciliation(election):
    e = Election(deputies=6).open()
    e.approve(e.people[0], 0)
    from congress import polls

    polls.poll_mark_paper_voters(poll=e.ballot.poll, people=e.people[1:4])
    with pytest.raises(ValidationError):  # already voted on the web
        polls.poll_mark_paper_voters(poll=e.ballot.poll, people=[e.people[0]])
    with pytest.raises(ValidationError):  # marked as paper voter: cannot vote online
        e.approve(e.people[1], 0)
    services.ballot_enter_paper(ballot=e.ballot, status="valid", choices={"approve": [e.candidates[1].pk]})
    services.ballot_enter_paper(ballot=e.ballot, status="invalid")
    services.ballot_enter_paper(ballot=e.ballot, status="blank")
    with pytest.raises(ValidationError, match="3"):  # returned cannot exceed issued
        services.ballot_enter_paper(ballot=e.ballot, status="blank")
    result = e.close_and_count()
    rec = result.data["reconciliation"]
    assert rec == {"electorate": 6, "web_voters": 1, "paper_issued": 3, "paper_returned": 3, "ballots_stored": 4,
                   "valid": 2, "blank": 1, "invalid": 1}
    assert len(result.data["receipts"]) == 1


def test_certify_announces_and_starts_implementation_then_freezes(election):
    e = Election(deputies=3, candidates=3, seats=1, max_choices=1).open()
    e.approve(e.people[0], 2)
    e.approve(e.people[1], 2)
    e.close_and_count()
    services.ballot_certify(ballot=e.ballot, **factories.certifying(e.body))
    states = dict(Project.objects.filter(pk__in=[p.pk for p in e.projects]).values_list("pk", "state"))
    assert states[e.projects[2].pk] == "implementation"
    assert states[e.projects[0].pk] == states[e.projects[1].pk] == "not_selected"
    assert Project.objects.get(pk=e.projects[2].pk).transitions.filter(to_state="selected").exists()
    checksum = e.ballot.result.checksum
    with pytest.raises(ValidationError):
        services.ballot_certify(ballot=e.ballot, **factories.certifying(e.body))
    with pytest.raises(ValidationError):
        services.ballot_enter_paper(ballot=e.ballot, status="blank")
    assert tally_ballot.delay(e.ballot.pk).get() == checksum


def test_close_due_ballots_beat_job(election):
    from projects.tasks import close_due_ballots

    e = Election().open()
    assert close_due_ballots.delay().get() == 0
    SecretPoll.objects.filter(pk=e.ballot.poll.pk).update(closes_at=timezone.now() - datetime.timedelta(minutes=1))
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert close_due_ballots.delay().get() == 1
    e.ballot.refresh_from_db()
    assert e.ballot.poll.state == "tallied"


def test_nobody_to_vote_refuses_to_open(election):
    e = Election(deputies=0, fixed=0)
    with pytest.raises(ValidationError):
        e.open()


@pytest.mark.django_db(transaction=True)
def test_queue_down_at_close_marks_the_count_failed_and_count_again_works(monkeypatch):
    from kombu.exceptions import OperationalError

    from congress.queue import QueueUnavailable

    class QueueDown:
        def apply_async(self, *args, **kwargs):
            raise OperationalError("[Errno 111] Connection refused")

    e = Election().open()
    e.approve(e.people[0], 0)
    monkeypatch.setattr("projects.tasks.tally_ballot", QueueDown())
    with pytest.raises(QueueUnavailable):
        services.ballot_close(ballot=e.ballot, reason=factories.CLOSE_REASON)
    ballot = Ballot.objects.get(pk=e.ballot.pk)
    assert ballot.poll.state == "closed" and ballot.tally_state == "failed" and ballot.tally_error
    monkeypatch.undo()
    services.ballot_queue_tally(ballot=ballot)  # autocommit: sent at once (eager in unit tests)
    ballot.refresh_from_db()
    assert ballot.tally_state == "done" and ballot.poll.state == "tallied"


@pytest.mark.django_db(transaction=True)
def test_count_again_refuses_an_open_ballot_and_is_audited():
    from congress.models import AuditLog
    from projects.services import ProjectError

    e = Election().open()
    e.approve(e.people[0], 0)
    with pytest.raises(ProjectError):
        services.ballot_count_again(ballot=e.ballot)
    e.close_and_count()
    checksum = Ballot.objects.get(pk=e.ballot.pk).result.checksum
    services.ballot_count_again(ballot=e.ballot)  # autocommit: queued at once (eager here)
    ballot = Ballot.objects.select_related("result").get(pk=e.ballot.pk)
    assert ballot.tally_state == "done" and ballot.result.checksum == checksum
    assert AuditLog.objects.filter(action="ballot.count_again").count() == 1
