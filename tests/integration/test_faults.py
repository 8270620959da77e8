"""Faults on the real services: a Celery worker killed in the middle of a tally, and of a report."""

import datetime
import os
import signal
import subprocess

import psycopg2
import pytest
from django.db import connection
from django.utils import timezone

from congress import polls
from congress.models import BallotSlot, VoteRecord
from projects import services
from projects.models import Ballot, TallyResult
from projects.tasks import tally_ballot
from tests.ballot_box import SEAL, close_and_open_survey, sealed
from tests.integration import invariants
from tests.integration.util import wait_for
from tests.projects.conftest import Election

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def pool_children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(x) for x in out]


def kill_pool_processes(worker) -> None:
    for child in pool_children(worker.pid):
        os.kill(child, signal.SIGKILL)


def hold_row_lock(table: str, pk: int):
    """Another session takes the row: the task that writes it next waits there, mid-task, until released."""
    s = connection.settings_dict
    blocker = psycopg2.connect(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"] or "postgres",
                               dbname=s["NAME"])
    blocker.cursor().execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE", [pk])  # noqa: S608
    return blocker


def a_task_waits_on_a_lock() -> bool:
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                  [connection.settings_dict["NAME"]])
        return c.fetchone()[0] > 0


def test_worker_killed_mid_tally_reruns_to_the_identical_result(celery_worker_process):
    e = Election(deputies=8, candidates=4, seats=2, max_choices=2).open()
    for i, p in enumerate(e.people):
        e.approve(p, i % 4, (i + 1) % 4)
    polls.poll_close(poll=e.ballot.poll)  # closed, the box opened, count not yet queued
    polls.poll_unseal(poll=e.ballot.poll, shares=e.shares[:2], check=services.ballot_rules_check(e.ballot))
    Ballot.objects.filter(pk=e.ballot.pk).update(tally_state="queued")
    blocker = hold_row_lock("projects_ballot", e.ballot.pk)  # the task will wait here
    result = tally_ballot.delay(e.ballot.pk)
    assert wait_for(a_task_waits_on_a_lock), "the task never reached the database"
    kill_pool_processes(celery_worker_process)  # the worker process running the tally dies mid-task
    blocker.rollback()
    blocker.close()

    assert result.get(timeout=90)  # re-delivered (late ack, rejected on worker loss) and run again
    ballot = Ballot.objects.select_related("result").get(pk=e.ballot.pk)
    assert ballot.tally_state == "done" and TallyResult.objects.filter(ballot=ballot).count() == 1
    # identical to a clean count, never doubled
    stored = ballot.result.checksum
    assert services.ballot_tally(ballot_id=ballot.pk).checksum == stored
    assert sum(r["for"] for r in ballot.result.data["candidates"]) == 16
    # invariant: voters recorded = ballots counted
    assert VoteRecord.objects.filter(poll=e.ballot.poll).count() == \
        BallotSlot.objects.filter(poll=e.ballot.poll).count() == 8
    with connection.cursor() as c:
        assert invariants.violations(c) == {}


def test_worker_killed_mid_report_reruns_to_the_identical_report_stored_once(celery_worker_process):
    from django.core.files.storage import default_storage

    from meetings import reports
    from meetings import services as ms
    from meetings.models import Report
    from tests.meetings.conftest import Hall

    started = timezone.now() - datetime.timedelta(seconds=1)
    h = Hall(deputies=5, fixed=0)
    h.present(*h.people)
    h.convene()
    survey = sealed(ms.survey_open(survey=ms.survey_create(meeting=h.meeting, subject="司法所工作"), **SEAL))
    for p, score in zip(h.people, [91, 84, 77, 66, 100], strict=True):
        ms.survey_respond(survey=survey, person=p, value=score)
    report = close_and_open_survey(survey)  # queued on commit: the worker starts building at once
    # wait until the PDF is being rendered (progress 50), then take the row the task must write next
    assert wait_for(lambda: Report.objects.get(pk=report.pk).progress >= 50, timeout=60)
    blocker = hold_row_lock("meetings_report", report.pk)
    assert Report.objects.get(pk=report.pk).state == Report.State.BUILDING, "built before it could be interrupted"
    assert wait_for(a_task_waits_on_a_lock), "the task never came to store the report"
    kill_pool_processes(celery_worker_process)  # the PDF is rendered but not stored: the worker dies
    blocker.rollback()
    blocker.close()

    assert wait_for(lambda: Report.objects.get(pk=report.pk).state in ("done", "failed"), timeout=120)
    report = Report.objects.get(pk=report.pk)
    assert report.state == "done", report.error
    # identical to a clean build of the same data, and stored once: one report, one file
    _stats, html = reports.survey_report_for(survey.pk)
    assert report.content_checksum == reports.checksum(html)
    assert Report.objects.filter(survey=survey).count() == 1
    year = os.path.dirname(os.path.dirname(report.pdf.name))  # reports/<year>/<random folder>/<name>: look in all
    stem = f"{report.kind}-{report.meeting_id}-{report.pk}"
    written = [f"{year}/{d}/{f}" for d in default_storage.listdir(year)[0] for f in default_storage.listdir(f"{year}/{d}")[1]
               # by this test (earlier runs may have left the same names)
               if f.startswith(stem) and default_storage.get_modified_time(f"{year}/{d}/{f}") >= started]
    assert written == [report.pdf.name]
    with connection.cursor() as c:
        assert invariants.violations(c) == {}
