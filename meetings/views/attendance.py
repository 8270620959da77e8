"""Attendance: the staff record it on the meeting page; a deputy sees their meetings, signs in with the code at the
door, asks for leave."""

from functools import partial

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from congress.decorators import staff_required
from congress.models import SecretPoll
from congress.responses import act
from meetings import forms as mforms
from meetings import services
from meetings.models import Attendee, Meeting, SatisfactionSurvey
from meetings.views.meetings import _meeting_in_scope, on_meeting_page
from projects.predicates import person_of


@staff_required
@require_POST
def attendance(request, pk):
    meeting = _meeting_in_scope(request, pk)
    return act(request, form=mforms.AttendanceForm(request.POST), **on_meeting_page(request, meeting.pk),
               action=lambda d: services.attendee_set_status(
                   attendee=get_object_or_404(Attendee, pk=d["attendee"], meeting=meeting), status=d["status"],
                   reason=d["reason"], acting_user=request.user))


# --- deputies ------------------------------------------------------------------------------

@login_required
def my_meetings(request):
    return _my_meetings_page(request)


def _my_meetings_page(request, *, status=200):
    person = person_of(request.user)
    if person is None:
        return render(request, "meetings/my_meetings.html", {"attendances": [], "surveys": []}, status=status)
    attendances = (Attendee.objects.filter(person=person).exclude(meeting__state=Meeting.State.CLOSED)
                   .select_related("meeting__body").order_by("meeting__date"))
    surveys = (SatisfactionSurvey.objects.filter(poll__state=SecretPoll.State.OPEN, poll__electors__person=person)
               .exclude(poll__vote_records__elector__person=person).select_related("meeting").order_by("pk"))
    return render(request, "meetings/my_meetings.html", {"attendances": attendances, "surveys": surveys},
                  status=status)


@login_required
def sign_in(request, pk):
    meeting = get_object_or_404(Meeting, pk=pk)
    person = person_of(request.user)
    attendee = meeting.attendees.filter(person=person).first() if person else None
    if attendee is None:
        raise Http404
    form = mforms.SignInForm(request.POST if request.method == "POST" else None, initial={"code": request.GET.get("code", "")})
    page = partial(render, request, "meetings/sign_in.html", {"meeting": meeting, "attendee": attendee, "form": form})
    if request.method != "POST":
        return page()
    if attendee.status == Attendee.Status.PRESENT:
        # the code is used once: signing in again (the form sent twice, the QR code scanned again) changes nothing
        return render(request, "meetings/sign_in.html", {"meeting": meeting, "attendee": attendee, "form": form,
                                                         "used": True}, status=409)
    # refused: a wrong code; or signed in from another device a moment ago
    return act(request, form=form, on_form=True, field="code", page=page,
               action=lambda d: services.attendee_sign_in_with_code(meeting=meeting, person=person, code=d["code"]),
               success=_("You are signed in."), done=reverse("meetings:my_meetings"))


@login_required
@require_POST
def request_leave(request, pk):
    meeting = get_object_or_404(Meeting, pk=pk)
    person = person_of(request.user)
    if person is None or not meeting.attendees.filter(person=person).exists():
        raise Http404
    return act(request, form=mforms.LeaveRequestForm(request.POST), page=partial(_my_meetings_page, request),
               action=lambda d: services.attendee_request_leave(meeting=meeting, person=person, reason=d["reason"]),
               success=_("Your leave is recorded."), done=reverse("meetings:my_meetings"))
