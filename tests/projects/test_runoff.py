"""Ties at the cut-off, by each of the three resolutions a ballot can choose, and the run-off round (round 2)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse
from django.utils import translation

from congress.models import AuditLog, Elector
from projects import selectors, services, tallying
from projects.models import Ballot, Project
from tests import factories
from tests.projects.conftest import Election

pytestmark = pytest.mark.django_db

RULES = ("include_all", "staff_break", "runoff")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def decide(votes, seats, rule):
    return tallying.decide(votes, seats=seats, threshold="none", tie_rule=rule, ballots_cast=10, seated=10)


@pytest.mark.parametrize("rule", RULES)
def test_a_tie_above_the_cutoff_decides_nothing(rule):
    """a and b tie for the first place, but both are within the two seats: no rule is needed."""
    d = decide({"a": 5, "b": 5, "c": 3}, 2, rule)
    assert {k for k, o in d.outcomes.items() if o.adopted} == {"a", "b"}
    assert d.outcomes["a"].reason == d.outcomes["b"].reason == tallying.ADOPTED
    assert not d.tied and d.outcomes["c"].reason == tallying.OUTSIDE_SEATS


@pytest.mark.parametrize("rule", RULES)
def test_a_tie_below_the_cutoff_decides_nothing(rule):
    d = decide({"a": 5, "b": 4, "c": 3, "d": 3}, 2, rule)
    assert {k for k, o in d.outcomes.items() if o.adopted} == {"a", "b"} and not d.tied


def test_a_tie_exactly_at_the_cutoff_by_each_rule():
    votes = {"a": 5, "b": 3, "c": 3}  # two seats: a is in, b and c share the last seat
    nanan = decide(votes, 2, "include_all")
    assert {k for k, o in nanan.outcomes.items() if o.adopted} == {"a", "b", "c"} and not nanan.tied
    staff = decide(votes, 2, "staff_break")
    assert staff.outcomes["b"].reason == tallying.TIE_PENDING and staff.tied == ["b", "c"]
    runoff = decide(votes, 2, "runoff")
    assert runoff.outcomes["a"].adopted and runoff.outcomes["a"].reason == tallying.ADOPTED
    assert {k: o.adopted for k, o in runoff.outcomes.items() if k != "a"} == {"b": None, "c": None}
    assert runoff.outcomes["b"].reason == tallying.RUNOFF_PENDING
    assert sorted(runoff.tied) == ["b", "c"] and runoff.open_seats_in_tie == 1
    # a staff choice means nothing to a run-off ballot: the next round decides
    assert decide(votes, 2, "runoff").tied == tallying.decide(
        votes, seats=2, threshold="none", tie_rule="runoff", ballots_cast=10, seated=10, tie_break=["b"]).tied


def test_every_tied_project_at_the_cutoff_goes_to_the_runoff():
    d = decide({"a": 4, "b": 4, "c": 4, "d": 1}, 2, "runoff")
    assert sorted(d.tied) == ["a", "b", "c"] and d.open_seats_in_tie == 2


def _tied_round_one(**kw):
    """4 candidates, 2 seats: project 1 has 3 votes, projects 2 and 3 have 2 each (the tie at the cut-off)."""
    e = Election(deputies=5, candidates=4, seats=2, max_choices=2, tie_rule="runoff", **kw).open()
    e.approve(e.people[0], 0, 1)
    e.approve(e.people[1], 0, 2)
    e.approve(e.people[2], 0, 3)
    e.approve(e.people[3], 1, 2)
    e.close_and_count()
    return e


def _open_and_count(e, ballot, votes):
    """Open a run-off round, cast `votes` (person index -> candidate indexes), close and count it."""
    opened = services.ballot_open(ballot=ballot, scrutineers=list(factories.SCRUTINEERS), threshold=2)
    shares = [c.text for c in opened.poll.share_cards]
    cands = list(ballot.candidates.order_by("position"))
    for i, chosen in votes.items():
        services.ballot_vote(ballot=ballot, person=e.people[i], choices={"approve": [cands[k].pk for k in chosen]})
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.ballot_close(ballot=ballot, reason=factories.CLOSE_REASON)
        services.ballot_unseal(ballot=ballot, shares=shares[:2])
    return Ballot.objects.select_related("poll", "result").get(pk=ballot.pk), cands


def test_runoff_round_two_among_the_tied_for_the_seats_left():
    e = _tied_round_one()
    result = e.ballot.result
    tied = sorted([e.candidates[1].pk, e.candidates[2].pk])
    assert sorted(result.data["tied"]) == tied and result.data["open_seats_in_tie"] == 1
    with pytest.raises(ValidationError, match="Certify this round first"):
        services.ballot_runoff_create(ballot=e.ballot)
    # a run-off ballot is certified with its tie open: the clear winner and loser are announced, the tied wait
    services.ballot_certify(ballot=e.ballot, **factories.certifying(e.body))
    states = {p.pk: p.state for p in Project.objects.filter(pk__in=[p.pk for p in e.projects])}
    assert states[e.projects[0].pk] == Project.State.IMPLEMENTATION
    assert states[e.projects[3].pk] == Project.State.NOT_SELECTED
    assert states[e.projects[1].pk] == states[e.projects[2].pk] == Project.State.ON_BALLOT
    checksum = e.ballot.result.checksum

    staff = factories.staff(e.body.division)
    runoff = services.ballot_runoff_create(ballot=e.ballot, acting_user=staff)
    assert runoff.previous_round_id == e.ballot.pk and runoff.round_number == 2
    assert runoff.seats == runoff.max_choices == 1 and runoff.threshold == "none"
    assert [c.project_id for c in runoff.candidates.order_by("position")] == [e.projects[1].pk, e.projects[2].pk]
    assert AuditLog.objects.filter(action="ballot.runoff_create", actor=staff).exists()
    with pytest.raises(ValidationError, match="already exists"):
        services.ballot_runoff_create(ballot=e.ballot)
    with pytest.raises(ValidationError, match="tied in the previous round"):
        services.ballot_set_candidates(ballot=runoff, projects=e.projects[:1])
    with pytest.raises(ValidationError, match="seats left"):
        services.ballot_update_rules(ballot=runoff, seats=2, max_choices=1)

    # its own electorate snapshot: a deputy seated since round 1 opened votes in round 2 only
    newcomer = factories.PersonFactory(area=factories.community(parent=e.body.division))
    factories.seat(newcomer, e.term)
    e.people.append(newcomer)
    round2, cands = _open_and_count(e, runoff, {0: [1], 1: [1], 5: [0]})
    assert Elector.objects.filter(poll=round2.poll, person=newcomer).exists()
    assert not Elector.objects.filter(poll=e.ballot.poll, person=newcomer).exists()
    assert round2.poll.electorate_size == e.ballot.poll.electorate_size + 1
    assert {c["project"]: c["adopted"] for c in round2.result.data["candidates"]} == {
        e.projects[1].pk: False, e.projects[2].pk: True}
    services.ballot_certify(ballot=round2, **factories.certifying(e.body, username="second"))
    assert Project.objects.get(pk=e.projects[2].pk).state == Project.State.IMPLEMENTATION
    assert Project.objects.get(pk=e.projects[1].pk).state == Project.State.NOT_SELECTED
    # round 1 is never written over
    e.ballot.result.refresh_from_db()
    assert e.ballot.result.checksum == checksum
    assert [b.pk for b in selectors.ballot_rounds(round2)] == [e.ballot.pk, round2.pk]
    assert [b.pk for b in selectors.ballot_rounds(e.ballot)] == [e.ballot.pk, round2.pk]


def test_runoff_refused_for_other_rules_and_without_a_tie():
    e = Election(deputies=3, candidates=3, seats=1, max_choices=1, tie_rule="staff_break").open()
    e.approve(e.people[0], 0)
    e.close_and_count()
    with pytest.raises(ValidationError, match="does not resolve ties by a run-off"):
        services.ballot_runoff_create(ballot=e.ballot)
    e = Election(deputies=3, candidates=3, seats=1, max_choices=1, tie_rule="runoff").open()
    e.approve(e.people[0], 0)
    e.close_and_count()
    services.ballot_certify(ballot=e.ballot, **factories.certifying(e.body))
    with pytest.raises(ValidationError, match="no run-off is needed"):
        services.ballot_runoff_create(ballot=e.ballot)


def test_staff_decide_needs_a_written_reason_and_is_audited():
    e = Election(deputies=4, candidates=3, seats=1, max_choices=1, tie_rule="staff_break").open()
    e.approve(e.people[0], 0)
    e.approve(e.people[1], 1)
    e.close_and_count()
    staff = factories.staff(e.body.division)
    for blank in ("", "   "):
        with pytest.raises(ValidationError, match="Record the reason"):
            services.ballot_break_tie(ballot=e.ballot, candidate_ids=[e.candidates[1].pk], reason=blank,
                                      acting_user=staff)
    with pytest.raises(ValidationError, match="Break the tie"):
        services.ballot_certify(ballot=e.ballot, **factories.certifying(e.body))
    services.ballot_break_tie(ballot=e.ballot, candidate_ids=[e.candidates[1].pk], reason="资金已落实",
                              acting_user=staff)
    row = AuditLog.objects.get(action="ballot.break_tie", actor=staff)
    assert "资金已落实" in str(row.changes)
    with pytest.raises(ValidationError):
        services.ballot_runoff_create(ballot=e.ballot)


def _runoff_done():
    e = _tied_round_one()
    services.ballot_certify(ballot=e.ballot, **factories.certifying(e.body))
    runoff = services.ballot_runoff_create(ballot=e.ballot)
    round2, _c = _open_and_count(e, runoff, {0: [1], 1: [1]})
    services.ballot_certify(ballot=round2, **factories.certifying(e.body, username="second"))
    return e, round2


@pytest.mark.parametrize("page", ["projects:result", "projects:result_print"])
def test_every_round_is_shown_and_printed(client, page):
    e, round2 = _runoff_done()
    for ballot, other in ((e.ballot, round2), (round2, e.ballot)):
        html = client.get(reverse(page, args=[ballot.pk])).content.decode()
        assert 'id="rounds"' in html and f'id="round-{other.round_number}"' in html
        assert other.poll.title in html
    html = client.get(reverse(page, args=[e.ballot.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Round 2" in html and "Tied at the cut-off: decided by a run-off round" in html


def test_staff_sets_up_the_runoff_from_the_ballot_page(client):
    e = _tied_round_one()
    staff = factories.staff(e.body.division)
    client.force_login(staff)
    page = client.get(reverse("projects:ballot", args=[e.ballot.pk])).content.decode()
    assert 'id="start-runoff"' not in page and "tie-form" not in page  # counted, not certified yet
    services.ballot_certify(ballot=e.ballot, **factories.certifying(e.body, username="second"))
    page = client.get(reverse("projects:ballot", args=[e.ballot.pk])).content.decode()
    assert 'id="start-runoff"' in page
    resp = client.post(reverse("projects:ballot_runoff", args=[e.ballot.pk]))
    runoff = Ballot.objects.get(previous_round=e.ballot)
    assert resp.status_code == 302 and resp["Location"] == reverse("projects:ballot", args=[runoff.pk])
    page = client.get(resp["Location"]).content.decode()
    assert 'id="runoff-note"' in page and 'id="rounds-nav"' in page
    assert client.post(reverse("projects:ballot_runoff", args=[e.ballot.pk])).status_code == 422


def test_a_voided_runoff_keeps_its_projects_on_the_ballot():
    e = _tied_round_one()
    services.ballot_certify(ballot=e.ballot, **factories.certifying(e.body))
    runoff = services.ballot_runoff_create(ballot=e.ballot)
    services.ballot_open(ballot=runoff, scrutineers=list(factories.SCRUTINEERS), threshold=2)
    services.ballot_close(ballot=runoff, reason=factories.CLOSE_REASON)
    services.ballot_void(ballot=runoff, reason="监票人卡片遗失")
    assert Project.objects.get(pk=e.projects[1].pk).state == Project.State.ON_BALLOT
    assert datetime.date.today()  # the run-off can open again
    services.ballot_open(ballot=runoff, scrutineers=list(factories.SCRUTINEERS), threshold=2)
