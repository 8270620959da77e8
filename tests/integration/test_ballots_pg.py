"""Ballots on real PostgreSQL, Redis and a Celery worker process."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from congress.models import SealedBallot, SecretPoll, VoteRecord
from projects import services
from projects.models import Ballot
from projects.tasks import tally_ballot
from tests.factories import CLOSE_REASON
from tests.integration.util import wait_for
from tests.projects.conftest import Election

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]



def test_tally_runs_on_the_worker_and_is_idempotent(celery_worker_process):
    e = Election(deputies=8, candidates=4, seats=2, max_choices=2).open()
    for i, p in enumerate(e.people):
        e.approve(p, i % 4, (i + 1) % 4)
    services.ballot_close(ballot=e.ballot, reason=CLOSE_REASON)
    e.unseal()  # the scrutineers open the box: queues the tally on commit (autocommit here)
    assert wait_for(lambda: Ballot.objects.get(pk=e.ballot.pk).tally_state == "done"), "tally did not finish"
    ballot = Ballot.objects.select_related("result", "poll").get(pk=e.ballot.pk)
    assert ballot.poll.state == SecretPoll.State.TALLIED
    first = ballot.result.checksum
    assert sum(r["for"] for r in ballot.result.data["candidates"]) == 16
    # running it again through the queue gives the same stored result
    assert tally_ballot.delay(e.ballot.pk).get(timeout=60) == first
    ballot.result.refresh_from_db()
    assert ballot.result.checksum == first


def test_tally_task_refuses_an_open_ballot(celery_worker_process):
    e = Election().open()
    result = tally_ballot.delay(e.ballot.pk)
    with pytest.raises(Exception, match="open|进行"):
        result.get(timeout=60)
    assert Ballot.objects.get(pk=e.ballot.pk).tally_state == "failed"


def _race(n, target):
    barrier = threading.Barrier(n)
    outcomes = []

    def run(i):
        try:
            barrier.wait()
            outcomes.append(("ok", target(i)))
        except ValidationError as exc:
            outcomes.append(("refused", exc.messages[0]))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


def test_concurrent_double_votes_leave_exactly_one_ballot():
    e = Election(deputies=3, candidates=3).open()
    person = e.people[0]
    outcomes = _race(12, lambda i: e.approve(person, i % 3))
    assert [o for o, _ in outcomes].count("ok") == 1
    assert len(outcomes) == 12
    assert VoteRecord.objects.filter(poll=e.ballot.poll).count() == 1
    assert SealedBallot.objects.filter(poll=e.ballot.poll).count() == 1


def test_concurrent_voters_each_seal_their_own_ballot():
    e = Election(deputies=16, candidates=3).open()
    outcomes = _race(16, lambda i: e.approve(e.people[i], i % 3))
    assert [o for o, _ in outcomes].count("ok") == 16
    assert VoteRecord.objects.filter(poll=e.ballot.poll).count() == 16
    assert SealedBallot.objects.filter(poll=e.ballot.poll).count() == 16
    assert len({r for _o, r in outcomes}) == 16  # distinct receipts


def _race_a_second_cast(e, person):
    """A cast of `person` under way on another connection (its vote record inserted, not yet committed) while the
    same deputy's second cast runs here: the other one commits a second later. Returns what the cast here raised."""
    import psycopg2

    from congress.models import Elector

    elector = Elector.objects.get(poll=e.ballot.poll, person=person)
    params = connection.get_connection_params()
    other = psycopg2.connect(**params)
    try:
        with other.cursor() as c:
            c.execute(f'INSERT INTO "{VoteRecord._meta.db_table}" (elector_id, poll_id, channel) VALUES (%s, %s, %s)',
                      [elector.pk, e.ballot.poll_id, VoteRecord.Channel.WEB])
        timer = threading.Timer(1.0, other.commit)
        timer.start()
        try:
            e.approve(person, 1)  # it sees no committed vote record: only the key can stop it
        except ValidationError as exc:
            return exc
        finally:
            timer.join()
        return None
    finally:
        other.close()


def test_negative_control_without_the_unique_key_a_second_vote_would_be_stored():
    """The one-ballot-per-deputy guarantee is the database's. The cast checks for an earlier vote record too, but
    two casts of one deputy at the same moment both pass that check: only the unique key refuses the second. With
    the key dropped (and put back after), the race stores two vote records; with it, the second cast waits for the
    first and is refused."""
    e = Election(deputies=2, candidates=2).open()
    table = VoteRecord._meta.db_table
    with connection.cursor() as c:
        c.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                  "WHERE conrelid = %s::regclass AND contype = 'u'", [table])
        unique_keys = c.fetchall()
    assert unique_keys, "the one-to-one key on the elector must be a unique constraint"
    with connection.cursor() as c:
        for name, _definition in unique_keys:
            c.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    try:
        assert _race_a_second_cast(e, e.people[0]) is None  # accepted: nothing else stops it
        assert VoteRecord.objects.filter(poll=e.ballot.poll, elector__person=e.people[0]).count() == 2
    finally:
        with connection.cursor() as c:
            c.execute(f'DELETE FROM "{table}" WHERE poll_id = %s', [e.ballot.poll_id])
            c.execute(f'DELETE FROM "{SealedBallot._meta.db_table}" WHERE poll_id = %s', [e.ballot.poll_id])
            for name, definition in unique_keys:
                c.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
    # with the key back, the same race: the second cast waits for the first, then is refused
    refused = _race_a_second_cast(e, e.people[1])
    assert refused is not None and getattr(refused, "reason", None) == "already_voted"
    assert VoteRecord.objects.filter(poll=e.ballot.poll, elector__person=e.people[1]).count() == 1


def test_the_verification_check_passes_after_the_worker_counts_and_catches_a_slipped_ballot(celery_worker_process):
    """verify_poll and the scrutineers' bundle on PostgreSQL, after the real worker counted the opened box."""
    from congress import verification
    from congress.models import BallotSlot
    from congress.verification import opened_ballots

    e = Election(deputies=6, candidates=3, seats=1, max_choices=1).open()
    for i, p in enumerate(e.people):
        e.approve(p, i % 3)
    services.ballot_close(ballot=e.ballot, reason=CLOSE_REASON)
    e.unseal()
    assert wait_for(lambda: Ballot.objects.get(pk=e.ballot.pk).tally_state == "done"), "tally did not finish"
    ballot = Ballot.objects.select_related("poll__body__division").get(pk=e.ballot.pk)
    bundle = services.ballot_verification_bundle(ballot=ballot)
    assert bundle["ok"], verification.failed(bundle)
    assert len(bundle["ballots"]) == 6 and bundle["ballots"] == opened_ballots(ballot.poll)
    BallotSlot.objects.create(poll=ballot.poll, status="valid", approvals=1)
    bundle = services.ballot_verification_bundle(ballot=ballot)
    assert set(verification.failed(bundle)) == {"ballots_counted_match_voters", "recount_matches_result"}
