"""Pages of the liaison network and residents' opinions."""

import datetime
from functools import partial

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from congress import workflows
from congress.decorators import staff_required
from congress.responses import act
from congress.tracking import thanks_context
from deputies import forms as dforms
from deputies import liaison
from deputies.models import LiaisonStation, OpinionCategory, ResidentOpinion


def opinion_new_public(request):
    """Residents raise an opinion without an account; rate-limited, minimal personal data."""
    form = dforms.PublicOpinionForm(request.POST if request.method == "POST" else None)
    page = partial(render, request, "deputies/opinion_public.html", {"form": form})
    if request.method != "POST":
        return page()
    if is_ratelimited(request, group="public-opinion", key="ip", rate=settings.PUBLIC_FORM_RATE, method="POST",
                      increment=True):
        return render(request, "deputies/opinion_public.html", {"form": form, "limited": True}, status=429)
    # POST, redirect, GET: reloading the thank-you page does not send the opinion again
    return act(request, form=form, on_form=True, page=page, action=lambda d: liaison.opinion_receive(
        division=d["division"], category=d["category"], text=d["text"], channel=ResidentOpinion.Channel.ONLINE,
        resident_name=d["resident_name"], resident_contact=d["resident_contact"]),
        done=lambda opinion: reverse("deputies:opinion_thanks", kwargs={"token": liaison.rating_token(opinion)}))


def opinion_thanks(request, token):
    """The resident's receipt: the reference, the tracking link and its QR code (the token is the capability)."""
    opinion = liaison.opinion_for_token(token)
    if opinion is None:
        raise Http404
    track_url = request.build_absolute_uri(reverse("deputies:opinion_track", kwargs={"token": token}))
    return render(request, "deputies/opinion_thanks.html",
                  thanks_context(reference=opinion.reference, track_url=track_url))


def opinion_track(request, token):
    opinion = liaison.opinion_for_token(token)
    if opinion is None:
        raise Http404
    if liaison.tracking_link_expired(opinion):
        return render(request, "deputies/opinion_link_expired.html", {"opinion": opinion, "settings_days": settings.OPINION_LINK_DAYS_AFTER_RATING},
                      status=410)
    form = dforms.RatingForm(request.POST if request.method == "POST" else None)
    page = partial(render, request, "deputies/opinion_track.html", {"opinion": opinion, "form": form})
    if request.method != "POST":
        return page()
    return act(request, form=form, on_form=True, page=page,
               action=lambda d: liaison.opinion_rate(opinion=opinion, rating=d["rating"]),
               success=_("Thank you for rating the handling."),
               done=reverse("deputies:opinion_track", kwargs={"token": token}),
               # the link is for one rating: a second one is a conflict with the first, which stands
               status=409 if opinion.rating is not None else 422)


@staff_required
def opinion_list(request):
    qs = (ResidentOpinion.objects.in_scope(request.user).select_related("division", "category", "station", "taken_by")
          .order_by("-received_at", "-pk"))
    params = request.GET
    filters = dforms.OpinionFilterForm(params).filters()
    if "state" in filters:
        qs = qs.filter(state=filters["state"])
    if "category" in filters:
        qs = qs.filter(category_id=filters["category"])
    if filters.get("overdue"):
        qs = qs.filter(overdue=True)
    return render(request, "deputies/opinion_list.html", {
        "opinions": qs[:500], "total": qs.count(), "params": params, "states": ResidentOpinion.State.choices,
        "categories": OpinionCategory.objects.all()})


@staff_required
def opinion_new_staff(request):
    form = dforms.StaffOpinionForm(request.POST if request.method == "POST" else None, user=request.user)
    page = partial(render, request, "deputies/opinion_form.html", {"form": form})
    if request.method != "POST":
        return page()
    return act(request, form=form, on_form=True, page=page,
               action=lambda d: liaison.opinion_receive(acting_user=request.user, **d),
               success=lambda opinion: _("Opinion %(ref)s recorded.") % {"ref": opinion.reference},
               done=lambda opinion: reverse("deputies:opinion", args=[opinion.pk]))


def _opinion_in_scope(request, pk):
    return get_object_or_404(ResidentOpinion.objects.in_scope(request.user)
                             .select_related("division", "category", "station", "taken_by"), pk=pk)


@staff_required
def opinion_detail(request, pk):
    return _opinion_page(request, _opinion_in_scope(request, pk))


def _opinion_page(request, opinion, action_form=None, status=200):
    """The opinion's page; after a refused step, with the staff member's input kept in the form."""
    action_form = action_form or dforms.OpinionActionForm(
        initial={"due_date": timezone.localdate() + datetime.timedelta(days=30)})
    return render(request, "deputies/opinion_detail.html", {
        "opinion": opinion, "transitions": opinion.transitions.select_related("by"),
        "action_form": action_form,
        "next_states": workflows.allowed(opinion),
        # projects made from this opinion (the link kept both ways; the form lives in projects, the layer above)
        "projects": opinion.projects.select_related("body"),
        "track_url": request.build_absolute_uri(reverse("deputies:opinion_track",
                                                        kwargs={"token": liaison.rating_token(opinion)})),
    }, status=status)


@staff_required
@require_POST
def opinion_act(request, pk):
    opinion = _opinion_in_scope(request, pk)
    form = dforms.OpinionActionForm(request.POST)
    # refused: the page again, with what was typed still in the form (422)
    return act(request, form=form, page=partial(_opinion_page, request, opinion, action_form=form),
               action=lambda d: liaison.opinion_transition(
                   opinion=opinion, to=d["to"], unit=d["unit"], due_date=d["due_date"], reason=d["reason"],
                   reply=d["reply"], acting_user=request.user),
               success=_("Opinion updated."), done=reverse("deputies:opinion", args=[opinion.pk]))


@staff_required
def station_list(request):
    stations = LiaisonStation.objects.in_scope(request.user).select_related("division").prefetch_related("deputies")
    today = timezone.localdate()
    horizon = today + datetime.timedelta(days=183)
    # stations may share a reception day: order by date, then name (stations themselves do not compare)
    calendar = sorted(((d, s) for s in stations for d in s.reception_dates(today, horizon)),
                      key=lambda pair: (pair[0], pair[1].name, pair[1].pk))
    return render(request, "deputies/station_list.html", {"stations": stations, "calendar": calendar})


def _station_in_scope(request, pk):
    return get_object_or_404(LiaisonStation.objects.in_scope(request.user).select_related("division"), pk=pk)


@staff_required
def walk_in(request, pk):
    """The station's kiosk: staff type a walk-in resident's opinion themselves. Not under the public form's rate
    limit (a busy reception day at one shared computer would hit it); staff-only, in the station's scope, and
    audited through the same service as every other opinion."""
    station = _station_in_scope(request, pk)
    form = dforms.WalkInOpinionForm(request.POST if request.method == "POST" else None, user=request.user,
                                    station=station)
    page = partial(render, request, "deputies/walk_in.html", {"station": station, "form": form})
    if request.method != "POST":
        return page()
    # POST, redirect, GET: the receipt can be reloaded and printed without recording the opinion twice
    return act(request, form=form, on_form=True, page=page,
               action=lambda d: liaison.opinion_receive(station=station, channel=ResidentOpinion.Channel.STATION,
                                                         acting_user=request.user, **d),
               done=lambda opinion: reverse("deputies:walk_in_receipt",
                                            kwargs={"pk": station.pk, "opinion_pk": opinion.pk}))


@staff_required
def walk_in_receipt(request, pk, opinion_pk):
    """What the resident takes home: the reference, the tracking link and its QR code, to print or to scan."""
    station = _station_in_scope(request, pk)
    opinion = get_object_or_404(ResidentOpinion.objects.in_scope(request.user), pk=opinion_pk, station=station)
    track_url = request.build_absolute_uri(reverse("deputies:opinion_track",
                                                   kwargs={"token": liaison.rating_token(opinion)}))
    return render(request, "deputies/walk_in_receipt.html", {
        "station": station, "opinion": opinion,
        **thanks_context(reference=opinion.reference, track_url=track_url)})


@staff_required
def station_detail(request, pk):
    station = get_object_or_404(LiaisonStation.objects.in_scope(request.user).select_related("division"), pk=pk)
    form = dforms.ReceptionForm(request.POST if request.method == "POST" else None, station=station)
    page = partial(_station_page, request, station, form)
    if request.method != "POST":
        return page()
    return act(request, form=form, on_form=True, page=page,
               action=lambda d: liaison.reception_record(station=station, acting_user=request.user, **d),
               success=_("Reception recorded."), done=reverse("deputies:station", args=[station.pk]))


def _station_page(request, station, form, *, status=200):
    today = timezone.localdate()
    return render(request, "deputies/station_detail.html", {
        "station": station, "form": form, "receptions": station.receptions.prefetch_related("on_duty")[:50],
        "upcoming": station.reception_dates(today, today + datetime.timedelta(days=366)),
    }, status=status)
