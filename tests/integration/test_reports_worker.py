"""The survey-report task on a real Celery worker, through Redis, on PostgreSQL."""

import io
import time

import pypdf
import pytest

from meetings import services
from meetings.models import Report
from meetings.tasks import build_report
from tests.ballot_box import SEAL, close_and_open_survey, sealed
from tests.meetings.conftest import Hall

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_survey_report_is_built_by_the_worker(celery_worker_process):
    h = Hall(deputies=6).convene()
    for p in h.people[:5]:
        services.attendee_set_status(attendee=h.attendee(p), status="present")
    survey = sealed(services.survey_open(survey=services.survey_create(meeting=h.meeting, subject="法院工作"), **SEAL))
    for p, score in zip(h.people[:5], [90, 85, 70, 95, 60], strict=True):
        services.survey_respond(survey=survey, person=p, value=score)
    report = close_and_open_survey(survey)  # queued on commit, built by the worker
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.state in ("done", "failed"):
            break
        time.sleep(0.3)
    assert report.state == "done", report.error
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(report.pdf.read())).pages)
    assert "法院工作" in text and "80" in text
    checksum = report.content_checksum
    assert build_report.delay(report.pk).get(timeout=90) == checksum  # rebuilding: same content
    assert Report.objects.get(pk=report.pk).content_checksum == checksum
