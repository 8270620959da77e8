"""Pages for deputies' suggestions: deputies submit and evaluate; staff assign and record replies."""

from functools import partial

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from congress.decorators import staff_required
from congress.responses import act, refuse
from deputies import forms as dforms
from deputies import predicates, suggestions
from deputies.models import Suggestion, SuggestionExtension
from deputies.views import person_or_404


@login_required
def my_suggestions(request):
    return _my_suggestions_page(request, person_or_404(request))


def _my_suggestions_page(request, person, *, status=200):
    qs = (Suggestion.objects.filter(lead=person) | Suggestion.objects.filter(co_authors=person)).distinct()
    return render(request, "deputies/my_suggestions.html",
                  {"suggestions": qs.select_related("body").order_by("-submitted_on")}, status=status)


@login_required
def suggestion_new(request):
    person = person_or_404(request)
    form = dforms.SuggestionForm(request.POST if request.method == "POST" else None, person=person)
    page = partial(render, request, "deputies/suggestion_form.html", {"form": form})
    if request.method != "POST":
        return page()
    return act(request, form=form, on_form=True, page=page, action=lambda d: suggestions.suggestion_submit(
        body=d["body"], lead=person, title=d["title"], text=d["text"], co_authors=list(d["co_authors"]),
        submitted_on=timezone.localdate(), meeting=d["meeting"], acting_user=request.user),
        success=_("Suggestion submitted."), done=reverse("deputies:my_suggestions"))


@login_required
@require_POST
def suggestion_evaluate(request, pk):
    person = person_or_404(request)
    s = get_object_or_404(Suggestion, pk=pk, lead=person)
    return act(request, form=dforms.EvaluationForm(request.POST), page=partial(_my_suggestions_page, request, person),
               action=lambda d: suggestions.suggestion_evaluate(suggestion=s, satisfaction=d["satisfaction"],
                                                             on=timezone.localdate(), acting_user=request.user),
               success=_("Thank you for your evaluation."), done=reverse("deputies:my_suggestions"))


@staff_required
def suggestion_list(request):
    qs = Suggestion.objects.in_scope(request.user).select_related("body", "lead").order_by("-submitted_on", "-pk")
    filters = dforms.SuggestionFilterForm(request.GET).filters()
    if "state" in filters:
        qs = qs.filter(state=filters["state"])
    return render(request, "deputies/suggestion_list.html", {"suggestions": qs[:500], "states": Suggestion.State.choices,
                                                             "params": request.GET})


@staff_required
def suggestion_detail(request, pk):
    s = get_object_or_404(Suggestion.objects.in_scope(request.user).select_related("body", "lead", "meeting"), pk=pk)
    form = dforms.SuggestionActionForm(request.POST if request.method == "POST" else None, body=s.body)
    page = partial(_suggestion_page, request, s, form)
    if request.method != "POST":
        return page()
    return act(request, form=form, page=page, action=lambda d: _staff_action(request, s, d),
               success=_("Suggestion updated."), done=reverse("deputies:suggestion", args=[s.pk]))


def _suggestion_page(request, s, form, *, status=200):
    return render(request, "deputies/suggestion_detail.html", {
        "s": s, "transitions": s.transitions.select_related("by"), "co_authors": s.co_authors.all(),
        "assisting": s.assisting_units.all(), "extensions": s.extensions.select_related("requested_by", "decided_by"),
        "return_deadline": suggestions.return_deadline(s), "form": form,
        "may_return": predicates.can_return_for_unit(request.user, s, timezone.localdate())}, status=status)


def _staff_action(request, s, d):
    today = timezone.localdate()
    if d["action"] == "assign":
        suggestions.suggestion_assign(suggestion=s, unit=d["main_unit"] or d["unit"], assisting=list(d["assisting"]),
                                   due_date=d["due_date"], on=today, acting_user=request.user)
    elif d["action"] == "reply":
        suggestions.suggestion_reply(suggestion=s, reply=d["reply"], on=today, confidential=d["confidential"],
                                  acting_user=request.user)
    elif d["action"] == "return":
        if not predicates.can_return_for_unit(request.user, s, today):
            raise ValidationError(_("Only a suggestion being handled, within the unit's time to return it, can be "
                                    "returned for the unit."))
        suggestions.suggestion_return(suggestion=s, reason=d["reason"], on=today, on_behalf=True,
                                   acting_user=request.user)
    else:
        ext = get_object_or_404(SuggestionExtension, pk=d["extension"] or 0, suggestion=s)
        suggestions.suggestion_extension_decide(extension=ext, approve=d["decision"] == "approve", note=d["note"],
                                             acting_user=request.user)


# --- handling units: their queue, and returning, replying and asking for more time ---------------------------

def _unit_account(view):
    @login_required
    def wrapper(request, *args, **kwargs):
        if not predicates.is_unit_account(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    return wrapper


@_unit_account
def unit_queue(request):
    qs = predicates.unit_queue(request.user).select_related("body", "main_unit").order_by("due_date", "pk")
    return render(request, "deputies/unit_queue.html", {
        "suggestions": qs[:500], "units": predicates.units_of(request.user)})


@_unit_account
def unit_suggestion(request, pk):
    s = get_object_or_404(predicates.unit_queue(request.user).select_related("body", "main_unit"), pk=pk)
    may_act = predicates.can_handle_as_main_unit(request.user, s)
    form = dforms.UnitActionForm(request.POST if request.method == "POST" else None)

    def page(status=200):
        return render(request, "deputies/unit_suggestion.html", {
            "s": s, "may_act": may_act, "form": form, "assisting": s.assisting_units.all(),
            "extensions": s.extensions.all(), "return_deadline": suggestions.return_deadline(s),
            "today": timezone.localdate()}, status=status)

    if request.method != "POST":
        return page()
    if not may_act:
        return refuse(request, page, _("Only the main unit acts on a suggestion, while it is being handled."))

    def unit_action(d):
        today = timezone.localdate()
        if d["action"] == "return":
            return suggestions.suggestion_return(suggestion=s, reason=d["reason"], on=today, acting_user=request.user)
        if d["action"] == "reply":
            return suggestions.suggestion_reply(suggestion=s, reply=d["reply"], on=today,
                                             confidential=d["confidential"], acting_user=request.user)
        if d["until"] is None:
            raise ValidationError(_("Give the new due date."))
        return suggestions.suggestion_extension_request(suggestion=s, until=d["until"], reason=d["reason"], on=today,
                                                     acting_user=request.user)

    return act(request, form=form, page=page, action=unit_action, success=_("Suggestion updated."),
               done=reverse("deputies:unit_suggestion", args=[s.pk]))


def public_replies(request):
    """Replies to deputies' suggestions, published unless marked confidential (公开答复)."""
    qs = (Suggestion.objects.filter(state__in=[Suggestion.State.ANSWERED, Suggestion.State.CLOSED], confidential=False)
          .select_related("body", "lead").order_by("-replied_on", "-pk"))
    return render(request, "deputies/public_replies.html", {"suggestions": qs[:200]})
