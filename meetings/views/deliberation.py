"""Preparing and deliberating, from the meeting page: inspections, gathered opinions, groups, deliberation opinions
and the units' responses."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from congress.decorators import staff_required
from congress.responses import act
from meetings import forms as mforms
from meetings import services
from meetings.models import DeliberationOpinion
from meetings.views.meetings import _meeting_in_scope, on_meeting_page


@staff_required
@require_POST
def inspection_add(request, pk):
    meeting = _meeting_in_scope(request, pk)
    return act(request, form=mforms.InspectionForm(request.POST, meeting=meeting),
               **on_meeting_page(request, meeting.pk), success=_("Inspection recorded."),
               action=lambda d: services.inspection_add(
                   meeting=meeting, date=d["date"], place=d["place"], findings=d["findings"],
                   participants=[a.person for a in d["participants"]], acting_user=request.user))


@staff_required
@require_POST
def deliberation_opinions_gather(request, pk):
    meeting = _meeting_in_scope(request, pk)
    return act(request, form=mforms.GatherOpinionsForm(request.POST, meeting=meeting),
               **on_meeting_page(request, meeting.pk), success=_("Opinions put before the meeting."),
               action=lambda d: services.deliberation_opinions_gather(meeting=meeting, opinions=list(d["opinions"]),
                                                         acting_user=request.user))


@staff_required
@require_POST
def group_add(request, pk):
    meeting = _meeting_in_scope(request, pk)
    return act(request, form=mforms.GroupForm(request.POST, meeting=meeting), **on_meeting_page(request, meeting.pk),
               action=lambda d: services.group_create(meeting=meeting, name=d["name"],
                                                      members=[a.person for a in d["members"]],
                                                      acting_user=request.user),
               success=_("Group set up."))


@staff_required
@require_POST
def deliberation_opinion_send(request, pk):
    meeting = _meeting_in_scope(request, pk)
    return act(request, form=mforms.OpinionForm(request.POST, meeting=meeting), **on_meeting_page(request, meeting.pk),
               action=lambda d: services.deliberation_opinion_send(meeting=meeting, acting_user=request.user, **d),
               success=_("Opinion sent."))


@staff_required
@require_POST
def deliberation_opinion_respond(request, pk, opinion_pk):
    meeting = _meeting_in_scope(request, pk)
    opinion = get_object_or_404(DeliberationOpinion, pk=opinion_pk, meeting=meeting)
    if request.POST.get("close"):
        return act(request, **on_meeting_page(request, meeting.pk), success=_("Opinion closed."),
                   action=lambda: services.deliberation_opinion_close(opinion=opinion, acting_user=request.user))
    return act(request, form=mforms.ResponseForm(request.POST), **on_meeting_page(request, meeting.pk),
               action=lambda d: services.deliberation_opinion_respond(opinion=opinion, response=d["response"],
                                                         on=timezone.localdate(), acting_user=request.user),
               success=_("Response recorded."))
