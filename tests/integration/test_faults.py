"""Faults on the real services: a Celery worker killed in the middle of a tally."""

import os
import signal
import subprocess

import psycopg2
import pytest
from django.db import connection

from congress import polls
from congress.models import BallotSlot, VoteRecord
from projects import services
from projects.models import Ballot, TallyResult
from projects.tasks import tally_ballot
from tests.integration.util import wait_for
from tests.projects.conftest import Election

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def pool_children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(x) for x in out]



def test_worker_killed_mid_tally_reruns_to_the_identical_result(celery_worker_process):
    e = Election(deputies=8, candidates=4, seats=2, max_choices=2).open()
    for i, p in enumerate(e.people):
        e.approve(p, i % 4, (i + 1) % 4)
    polls.poll_close(poll=e.ballot.poll)  # closed, count not yet queued
    Ballot.objects.filter(pk=e.ballot.pk).update(tally_state="queued")

    s = connection.settings_dict
    blocker = psycopg2.connect(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"] or "postgres",
                               dbname=s["NAME"])
    cur = blocker.cursor()
    cur.execute("SELECT id FROM projects_ballot WHERE id = %s FOR UPDATE", [e.ballot.pk])  # the task will wait here
    result = tally_ballot.delay(e.ballot.pk)

    def task_waiting():
        with connection.cursor() as c:
            c.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                      [s["NAME"]])
            return c.fetchone()[0] > 0

    assert wait_for(task_waiting), "the task never reached the database"
    for child in pool_children(celery_worker_process.pid):
        os.kill(child, signal.SIGKILL)  # the worker process running the tally dies mid-task
    blocker.rollback()
    blocker.close()

    assert result.get(timeout=90)  # re-delivered (late ack, rejected on worker loss) and run again
    ballot = Ballot.objects.select_related("result").get(pk=e.ballot.pk)
    assert ballot.tally_state == "done" and TallyResult.objects.filter(ballot=ballot).count() == 1
    # identical to a clean count, never doubled
    stored = ballot.result.checksum
    assert services.ballot_tally(ballot_id=ballot.pk).checksum == stored
    assert sum(r["for"] for r in ballot.result.data["candidates"]) == 16
    # invariant: voters recorded = ballots stored
    assert VoteRecord.objects.filter(poll=e.ballot.poll).count() == \
        BallotSlot.objects.filter(poll=e.ballot.poll).exclude(status="empty").count() == 8
