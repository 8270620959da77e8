"""The built reports of a meeting or a survey (the Report rows): requested, queued, rebuilt, stored, failed.
What goes in them is meetings/reports.py."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congress import workflows
from congress.queue import send_after_commit
from congress.services import audit_record
from meetings.models import Meeting, Report
from meetings.services.errors import MeetingError


def _queue_build(report: Report) -> None:
    from meetings.tasks import build_report

    send_after_commit(
        build_report, report.pk,
        on_failure=lambda error: report_fail(report_id=report.pk, error=_("The task queue was not reachable.")),
    )


@transaction.atomic
def report_request(*, meeting: Meeting, kind: str, survey=None, acting_user=None) -> Report:
    report = Report.objects.create(meeting=meeting, kind=kind, survey=survey)
    _queue_build(report)
    audit_record(actor=acting_user, action="report.request", obj=meeting, division=meeting.body.division,
                 after={"report": report.pk, "kind": kind})
    return report


@transaction.atomic
def report_rebuild(*, report: Report, acting_user=None) -> Report:
    """Build a failed report again (for example once the task queue is back)."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if not workflows.can(report, "rebuild"):
        raise MeetingError(_("Only a report that failed is built again."))
    report.progress, report.error = 0, ""
    workflows.transition(report, "rebuild", also=["progress", "error"], error=MeetingError)
    _queue_build(report)
    audit_record(actor=acting_user, action="report.rebuild", obj=report.meeting, division=report.meeting.body.division,
                 after={"report": report.pk, "kind": report.kind})
    return report


def report_store(*, report_id: int, html: str, pdf_bytes: bytes | None, checksum: str) -> Report:
    """Save a built report. Idempotent: the same content leaves the stored file alone."""
    from django.core.files.base import ContentFile

    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report_id)
        if report.state == Report.State.DONE and report.content_checksum == checksum:
            return report
        report.html = html
        report.content_checksum = checksum
        if pdf_bytes is not None:
            name = f"{report.kind}-{report.meeting_id}-{report.pk}.pdf"
            if report.pdf:
                report.pdf.delete(save=False)
            report.pdf.save(name, ContentFile(pdf_bytes), save=False)
        report.progress = 100
        report.built_at = timezone.now()
        report.error = ""
        workflows.transition(report, Report.State.DONE, also=None, error=MeetingError)
        return report


def report_progress(*, report_id: int, progress: int, state: str = Report.State.BUILDING) -> None:
    workflows.update(Report.objects.filter(pk=report_id), state, progress=progress)  # a ready report stays ready


def report_fail(*, report_id: int, error: str) -> None:
    workflows.update(Report.objects.filter(pk=report_id), Report.State.FAILED, error=error[:300])
