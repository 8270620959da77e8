from celery import shared_task
from django.utils import timezone

from meetings import notices, reports, services
from meetings.models import Report


@shared_task(acks_late=True, reject_on_worker_lost=True)
def build_report(report_id: int) -> str:
    """Build a survey or meeting report into HTML and PDF. Same data, same content and checksum."""
    report = Report.objects.select_related("meeting").get(pk=report_id)
    services.report_progress(report_id=report_id, progress=10)
    try:
        if report.kind == Report.Kind.SURVEY:
            _stats, html = reports.survey_report_for(report.survey_id)
        else:
            html = reports.render_meeting_report(reports.meeting_report(report.meeting_id))
        services.report_progress(report_id=report_id, progress=50)
        checksum = reports.checksum(html)
        current = Report.objects.get(pk=report_id)
        if current.state == Report.State.DONE and current.content_checksum == checksum:
            return checksum
        pdf = reports.pdf_from_html(html)
        services.report_progress(report_id=report_id, progress=90)
        services.report_store(report_id=report_id, html=html, pdf_bytes=pdf, checksum=checksum)
        return checksum
    except Exception as exc:
        services.report_fail(report_id=report_id, error=str(exc))
        raise


@shared_task(acks_late=True)
def close_due_surveys() -> int:
    """Close every survey whose time is up, as `projects.tasks.close_due_ballots` does ballots: no acting user, so
    at its end time no reason is asked, even below the body's minimum turnout (congress.safeguards); the turnout
    goes on the audit row and the report says it closed automatically. Run again, it finds nothing left open."""
    n = 0
    for survey in services.surveys_due_to_close():
        services.survey_close(survey=survey)
        n += 1
    return n


@shared_task(acks_late=True)
def send_meeting_notices(meeting_id: int) -> int:
    return notices.send_notice(meeting_id=meeting_id)


@shared_task(acks_late=True)
def send_meeting_reminders() -> int:
    return notices.send_reminders(today=timezone.localdate())


@shared_task(acks_late=True)
def flag_overdue_deliberation_opinions() -> int:
    return services.deliberation_opinions_flag_overdue(on_date=timezone.localdate())
