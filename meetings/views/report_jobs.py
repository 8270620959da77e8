"""The built reports of a meeting: requested, built again after a failure, downloaded."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from congress.decorators import staff_required
from congress.files import REPORT_KINDS, file_response
from congress.responses import act
from meetings import services
from meetings.models import Meeting, Report
from meetings.views.meetings import _meeting_in_scope, on_meeting_page


@staff_required
@require_POST
def report_request(request, pk):
    meeting = _meeting_in_scope(request, pk)
    return act(request, **on_meeting_page(request, meeting.pk), success=_("The meeting report is being built."),
               action=lambda: services.report_request(meeting=meeting, kind=Report.Kind.MEETING,
                                                      acting_user=request.user))


@staff_required
@require_POST
def report_rebuild(request, pk):
    report = get_object_or_404(Report.objects.filter(meeting__in=Meeting.objects.in_scope(request.user)), pk=pk)
    return act(request, **on_meeting_page(request, report.meeting_id), success=_("The report is being built again."),
               action=lambda: services.report_rebuild(report=report, acting_user=request.user))


@staff_required
def report_download(request, pk):
    report = get_object_or_404(Report.objects.filter(meeting__in=Meeting.objects.in_scope(request.user)),
                               pk=pk, state=Report.State.DONE)
    return file_response(report.pdf, filename=f"{report.kind}-{report.meeting_id}.pdf", kinds=REPORT_KINDS,
                         download=True)
