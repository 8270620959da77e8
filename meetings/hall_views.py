"""The hall screen (by its secret link, no sign-in), its push endpoint, and the chair's console (staff)."""

from __future__ import annotations

import asyncio
import json
from functools import partial

from asgiref.sync import sync_to_async
from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from congress import ballot_box, push
from congress.decorators import staff_required
from congress.forms import ScrutineersForm
from congress.models import SecretPoll
from congress.predicates import is_scoped_staff
from congress.responses import act
from meetings import forms as mforms
from meetings import hall, services
from meetings.models import Attendee, Meeting


def _minutes(n: int) -> str:
    return gettext("%(n)s min") % {"n": n}


minutes_label = lazy(_minutes, str)
RETRY_MS = 1000  # how soon a screen without push asks again (the fallback's refresh)
HEARTBEAT_SECONDS = 2.0  # the stream reads the state again at least this often (counts, tallies in the worker)
KEEPALIVE_SECONDS = 15.0


def _event(state: dict, *, push_on: bool) -> str:
    body = json.dumps({**state, "push": push_on, "now": timezone.now().isoformat()}, ensure_ascii=False)
    return f"retry: {RETRY_MS}\ndata: {body}\n\n"


def _snapshot_response(state: dict) -> HttpResponse:
    """No push here (a WSGI worker, or Redis down): one event, and the browser asks again in a second."""
    response = HttpResponse(_event(state, push_on=False), content_type="text/event-stream")
    response["Cache-Control"] = "no-store"
    return response


async def _stream(request, meeting_id: int, still_allowed):
    """Server-sent events: the screen's state whenever it changes (pushed), under ASGI; else one snapshot."""
    state = await sync_to_async(hall.screen_state)(meeting_id)
    if state is None:
        raise Http404
    if not isinstance(request, ASGIRequest):
        return _snapshot_response(state)
    try:
        listener = await push.Listener.start({push.meeting_topic(meeting_id)})
    except push.PushUnavailable:
        return _snapshot_response(state)

    async def events():
        last, quiet = None, 0.0
        try:
            current = state
            while True:
                if current is None or not await sync_to_async(still_allowed)():
                    yield "event: gone\ndata: {}\n\n"
                    return
                poll = current["poll"]
                await listener.follow({push.meeting_topic(meeting_id)} | ({push.poll_topic(poll["id"])} if poll else set()))
                comparable = json.dumps(current, sort_keys=True)
                if comparable != last:
                    last, quiet = comparable, 0.0
                    yield _event(current, push_on=True)
                elif quiet >= KEEPALIVE_SECONDS:
                    quiet = 0.0
                    yield ": keepalive\n\n"
                try:
                    got = await listener.wait(HEARTBEAT_SECONDS)
                except push.PushUnavailable:
                    return  # the browser reconnects, gets a snapshot without push, and says so
                if not got:
                    quiet += HEARTBEAT_SECONDS
                current = await sync_to_async(hall.screen_state)(meeting_id)
        except asyncio.CancelledError:
            raise
        finally:
            await listener.close()

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


# --- the screen: by its link ---------------------------------------------------------------------------------

def _screen_meeting(token: str) -> Meeting:
    meeting = hall.meeting_for_screen(token)
    if meeting is None:
        raise Http404
    return meeting


def screen(request, token):
    meeting = _screen_meeting(token)
    return render(request, "meetings/hall/screen.html", {
        "meeting": meeting, "state_url": reverse("meetings:hall_state", args=[token]),
        "events_url": reverse("meetings:hall_events", args=[token]),
    })


def screen_state(request, token):
    meeting = _screen_meeting(token)
    state = hall.screen_state(meeting.pk)
    response = JsonResponse({**state, "push": False, "now": timezone.now().isoformat()},
                            json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


async def screen_events(request, token):
    meeting = await sync_to_async(hall.meeting_for_screen)(token)
    if meeting is None:
        raise Http404
    return await _stream(request, meeting.pk, lambda: hall.meeting_for_screen(token) is not None)


# --- the chair's console --------------------------------------------------------------------------------------

def _meeting_in_scope(request, pk):
    return get_object_or_404(Meeting.objects.in_scope(request.user).select_related("body__division"), pk=pk)


class StartForm(ScrutineersForm):
    poll = forms.IntegerField(widget=forms.HiddenInput)
    minutes = forms.TypedChoiceField(label=_("Duration"), coerce=int, initial=3,
                                     choices=[(n, minutes_label(n)) for n in (1, 2, 3, 5, 10, 15, 30)])


class ExtendForm(forms.Form):
    poll = forms.IntegerField(widget=forms.HiddenInput)
    minutes = forms.TypedChoiceField(label=_("Extend by"), coerce=int, initial=1,
                                     choices=[(n, minutes_label(n)) for n in (1, 2, 3, 5)],
                                     # shown bare in a row of the console's table: the select names itself
                                     widget=forms.Select(attrs={"class": "form-select form-select-sm d-inline-block w-auto",
                                                                "aria-label": _("Extend by")}))


class RulesForm(forms.Form):
    poll = forms.IntegerField(widget=forms.HiddenInput)
    present_only = forms.BooleanField(label=_("Present deputies only"), required=False)
    hall_result = forms.ChoiceField(label=_("Result on the hall screen"), choices=SecretPoll.HallResult.choices)


class PollForm(forms.Form):
    poll = forms.IntegerField(widget=forms.HiddenInput)


def _close_url(h) -> str:
    if h.kind == "ballot":
        return reverse("projects:ballot_close", args=[h.ballot.pk])
    return reverse("meetings:survey_close", args=[h.survey.pk])


def _unseal_url(h) -> str:
    if h.kind == "ballot":
        return reverse("projects:ballot_unseal", args=[h.ballot.pk])
    return reverse("meetings:survey_unseal", args=[h.survey.pk])


@staff_required
def console(request, pk):
    return _console_page(request, pk)


def _console_page(request, pk, *, status=200):
    meeting = _meeting_in_scope(request, pk)
    rows = []
    for h in hall.console_polls(meeting):
        rows.append({"h": h, "close_url": _close_url(h), "unseal_url": _unseal_url(h),
                     "start_form": StartForm(initial={"poll": h.poll.pk}, auto_id=f"start-{h.poll.pk}-%s"),
                     "extend_form": ExtendForm(initial={"poll": h.poll.pk}, auto_id=f"extend-{h.poll.pk}-%s"),
                     "rules_form": RulesForm(initial={"poll": h.poll.pk, "present_only": h.poll.present_only,
                                                      "hall_result": h.poll.hall_result},
                                             auto_id=f"rules-{h.poll.pk}-%s")})
    next_row = next((r for r in rows if r["h"].poll.state == SecretPoll.State.DRAFT), None)
    attendees = meeting.attendees.filter(voting=True).select_related("person").order_by("person__name")
    screen_url = (request.build_absolute_uri(reverse("meetings:hall_screen", args=[meeting.screen_token]))
                  if meeting.screen_token else "")
    return render(request, "meetings/hall/console.html", {
        "meeting": meeting, "rows": rows, "next_row": next_row, "presence": hall.presence(meeting),
        "attendees": attendees, "screen_url": screen_url, "statuses": Attendee.Status,
        "state_url": reverse("meetings:console_state", args=[meeting.pk]),
        "events_url": reverse("meetings:console_events", args=[meeting.pk]),
    }, status=status)


@staff_required
def console_state(request, pk):
    meeting = _meeting_in_scope(request, pk)
    response = JsonResponse({**hall.screen_state(meeting.pk), "push": False, "now": timezone.now().isoformat()},
                            json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


async def console_events(request, pk):
    user = await request.auser()
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not await sync_to_async(is_scoped_staff)(user):
        raise PermissionDenied
    if not await sync_to_async(Meeting.objects.in_scope(user).filter(pk=pk).exists)():
        raise Http404
    return await _stream(request, pk, lambda: Meeting.objects.in_scope(user).filter(pk=pk).exists())


def on_console(request, meeting) -> dict:
    """Where an action of the chair's console answers (`act`): the console, again or after the redirect."""
    return {"page": partial(_console_page, request, meeting.pk), "done": reverse("meetings:console", args=[meeting.pk])}


@staff_required
@require_POST
def console_start(request, pk):
    """Start a vote: the scrutineers' cards are shown once, in this response (congress.ballot_box)."""
    meeting = _meeting_in_scope(request, pk)
    form = StartForm(request.POST)

    def open_poll(scrutineers, threshold):
        return hall.hall_start_vote(meeting=meeting, poll_id=form.cleaned_data["poll"],
                                    minutes=form.cleaned_data["minutes"], scrutineers=scrutineers,
                                    threshold=threshold, acting_user=request.user)

    return ballot_box.open_and_show_cards(request, open_poll=open_poll, form=form,
                                          back_url=reverse("meetings:console", args=[meeting.pk]),
                                          page=partial(_console_page, request, meeting.pk))


@staff_required
@require_POST
def console_extend(request, pk):
    meeting = _meeting_in_scope(request, pk)
    return act(request, form=ExtendForm(request.POST), **on_console(request, meeting), success=_("Voting extended."),
               action=lambda d: hall.hall_extend(meeting=meeting, poll_id=d["poll"], minutes=d["minutes"],
                                                 acting_user=request.user))


@staff_required
@require_POST
def console_announce(request, pk):
    meeting = _meeting_in_scope(request, pk)
    return act(request, form=PollForm(request.POST), **on_console(request, meeting),
               action=lambda d: hall.hall_announce(meeting=meeting, poll_id=d["poll"], acting_user=request.user),
               success=_("Shown on the hall screen."))


@staff_required
@require_POST
def console_rules(request, pk):
    meeting = _meeting_in_scope(request, pk)
    return act(request, form=RulesForm(request.POST), **on_console(request, meeting), success=_("Settings saved."),
               action=lambda d: hall.hall_rules_set(meeting=meeting, poll_id=d["poll"], present_only=d["present_only"],
                                                    hall_result=d["hall_result"], acting_user=request.user))


@staff_required
@require_POST
def console_attendance(request, pk):
    """Staff at the door: a late arrival, a departure, a return."""
    meeting = _meeting_in_scope(request, pk)
    return act(request, form=mforms.AttendanceForm(request.POST), **on_console(request, meeting),
               action=lambda d: services.attendee_set_status(
                   attendee=get_object_or_404(Attendee, pk=d["attendee"], meeting=meeting), status=d["status"],
                   reason=d["reason"], acting_user=request.user),
               success=_("Attendance recorded."))


@staff_required
@require_POST
def screen_link(request, pk):
    meeting = _meeting_in_scope(request, pk)
    if request.POST.get("what") == "revoke":
        return act(request, **on_console(request, meeting), success=_("The screen link is revoked."),
                   action=lambda: hall.screen_link_revoke(meeting=meeting, acting_user=request.user))
    return act(request, **on_console(request, meeting),
               success=_("A new screen link is made; the old one no longer works."),
               action=lambda: hall.screen_link_new(meeting=meeting, acting_user=request.user))
