"""The staff's meeting pages: the list, a new meeting, the meeting page (which every action of the page answers
with), its stages, its agenda and an item's ballot, the notices."""

from functools import partial

from django.db.models import Count
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from congress import ballot_box, workflows
from congress.decorators import staff_required
from congress.queue import send_after_commit
from congress.responses import act, refuse
from meetings import forms as mforms
from meetings import services
from meetings.models import AgendaItem, Meeting, Report


def _meeting_in_scope(request, pk):
    return get_object_or_404(Meeting.objects.in_scope(request.user).select_related("body__division", "session"), pk=pk)


@staff_required
def meeting_list(request):
    meetings = Meeting.objects.in_scope(request.user).select_related("body").order_by("-date", "-pk")[:300]
    return render(request, "meetings/meeting_list.html", {"meetings": meetings})


@staff_required
def meeting_new(request):
    form = mforms.MeetingForm(request.POST if request.method == "POST" else None, user=request.user)
    page = partial(render, request, "meetings/meeting_form.html", {"form": form})
    if request.method != "POST":
        return page()
    return act(request, form=form, on_form=True, page=page,
               action=lambda d: services.meeting_create(acting_user=request.user, **d),
               done=lambda meeting: reverse("meetings:meeting", args=[meeting.pk]))


@staff_required
def meeting_detail(request, pk):
    return _meeting_page(request, pk)


def _meeting_page(request, pk, *, status=200):
    meeting = _meeting_in_scope(request, pk)
    attendees = list(meeting.attendees.select_related("person", "group").order_by("-voting", "person__name"))
    surveys = list(meeting.surveys.select_related("poll", "item").order_by("pk"))
    agenda = list(meeting.agenda.select_related("ballot__poll").order_by("order"))
    q = services.quorum(meeting)
    return render(request, "meetings/meeting_detail.html", {
        "meeting": meeting, "attendees": attendees, "agenda": agenda, "surveys": surveys, "quorum": q,
        "opinions": meeting.opinions.select_related("item").order_by("due_date", "pk"),
        "reports": meeting.reports.select_related("survey").order_by("-pk")[:20],
        "agenda_form": mforms.AgendaItemForm(meeting=meeting), "survey_form": mforms.SurveyForm(meeting=meeting),
        "year_end_form": mforms.YearEndEvaluationForm(initial={"year": meeting.date.year}),
        "opinion_form": mforms.OpinionForm(meeting=meeting),
        "inspection_form": mforms.InspectionForm(meeting=meeting), "group_form": mforms.GroupForm(meeting=meeting),
        "gather_form": mforms.GatherOpinionsForm(meeting=meeting),
        "gathered": meeting.gathered_opinions.select_related("category").order_by("reference"),
        "inspections": meeting.inspections.prefetch_related("participants").order_by("date", "pk"),
        "groups": meeting.groups.annotate(n=Count("members")).order_by("name"),
        "next_states": workflows.allowed(meeting),
        "refresh": any(r.state in (Report.State.QUEUED, Report.State.BUILDING) for r in meeting.reports.all()[:20]),
    }, status=status)


def on_meeting_page(request, meeting_id, *, queue_down: str = "") -> dict:
    """Where an action of the meeting's page answers (`act`): its page, again or after the redirect; a task that
    could not be queued is said there (the action itself was saved: the page says what is still to do)."""
    return {"page": partial(_meeting_page, request, meeting_id),
            "done": reverse("meetings:meeting", args=[meeting_id]),
            "queue_down": queue_down or _("Saved, but the background task could not be queued: the task queue is "
                                          "not reachable. Use “Build again” once it is back.")}


@staff_required
@require_POST
def meeting_transition(request, pk):
    meeting = _meeting_in_scope(request, pk)
    to = request.POST.get("to", "")
    if to not in Meeting.State.values:
        return refuse(request, partial(_meeting_page, request, meeting.pk), _("Unknown stage."))
    return act(request, **on_meeting_page(request, meeting.pk), success=_("Stage changed."),
               action=lambda: services.meeting_transition(meeting=meeting, to=to, acting_user=request.user))


@staff_required
@require_POST
def agenda_add(request, pk):
    meeting = _meeting_in_scope(request, pk)
    return act(request, form=mforms.AgendaItemForm(request.POST, meeting=meeting),
               **on_meeting_page(request, meeting.pk), success=_("Agenda item added."),
               action=lambda d: services.agenda_add(meeting=meeting, acting_user=request.user, **d))


@staff_required
@require_POST
def item_open_ballot(request, pk, item_pk):
    meeting = _meeting_in_scope(request, pk)
    item = get_object_or_404(AgendaItem.objects.select_related("ballot__poll"), pk=item_pk, meeting=meeting,
                             kind=AgendaItem.Kind.PROJECT_BALLOT)
    back = reverse("meetings:meeting", args=[meeting.pk])

    def open_poll(scrutineers, threshold):
        return services.meeting_open_ballot(item=item, scrutineers=scrutineers, threshold=threshold,
                                            acting_user=request.user).poll

    return ballot_box.open_and_show_cards(request, open_poll=open_poll, back_url=back,
                                          page=partial(_meeting_page, request, meeting.pk))


@staff_required
@require_POST
def notices_send(request, pk):
    meeting = _meeting_in_scope(request, pk)

    def queue():
        from meetings.tasks import send_meeting_notices

        send_after_commit(send_meeting_notices, meeting.pk, on_failure=lambda error: None)

    return act(request, **on_meeting_page(request, meeting.pk, queue_down=_(
        "No notice was sent: the task queue is not reachable. Send the notices again once it is back; nobody "
        "receives one twice.")), action=queue, success=_("Notices are being sent."))
