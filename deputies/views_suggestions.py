"""Pages for deputies' suggestions: deputies submit and evaluate; staff assign and record replies."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from congress.decorators import staff_required
from congress.responses import flash_errors, refused
from deputies import forms as dforms
from deputies import suggestions as services
from deputies.models import Suggestion


def _person(request):
    person = getattr(request.user, "person", None)
    if person is None:
        raise Http404
    return person


@login_required
def my_suggestions(request):
    person = _person(request)
    qs = (Suggestion.objects.filter(lead=person) | Suggestion.objects.filter(co_authors=person)).distinct()
    return render(request, "deputies/my_suggestions.html", {"suggestions": qs.select_related("body").order_by("-submitted_on")})


@login_required
def suggestion_new(request):
    person = _person(request)
    form = dforms.SuggestionForm(request.POST if request.method == "POST" else None, person=person)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.suggestion_submit(body=d["body"], lead=person, title=d["title"], text=d["text"],
                                       co_authors=list(d["co_authors"]), submitted_on=timezone.localdate(),
                                       meeting=d["meeting"],
                                       acting_user=request.user)
            messages.success(request, _("Suggestion submitted."))
            return redirect("deputies:my_suggestions")
        except ValidationError as exc:
            form.add_error(None, exc.messages)
    return render(request, "deputies/suggestion_form.html", {"form": form}, status=422 if form.errors else 200)


@login_required
@require_POST
def suggestion_evaluate(request, pk):
    person = _person(request)
    s = get_object_or_404(Suggestion, pk=pk, lead=person)
    form = dforms.EvaluationForm(request.POST)
    if form.is_valid():
        try:
            services.suggestion_evaluate(suggestion=s, satisfaction=form.cleaned_data["satisfaction"],
                                         acting_user=request.user)
            messages.success(request, _("Thank you for your evaluation."))
            return redirect("deputies:my_suggestions")
        except ValidationError as exc:
            flash_errors(request, exc)
    else:
        messages.error(request, _("Say whether you are satisfied with the handling."))
    return refused(request, reverse("deputies:my_suggestions"))


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
    status = 200
    form = dforms.SuggestionActionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        status = 422  # unless the action succeeds and redirects
        if form.is_valid():
            d = form.cleaned_data
            try:
                if d["action"] == "assign":
                    services.suggestion_assign(suggestion=s, unit=d["unit"], due_date=d["due_date"],
                                               acting_user=request.user)
                else:
                    services.suggestion_reply(suggestion=s, reply=d["reply"], on=timezone.localdate(),
                                              acting_user=request.user)
                messages.success(request, _("Suggestion updated."))
                return redirect("deputies:suggestion", pk=s.pk)
            except ValidationError as exc:
                flash_errors(request, exc)
        else:
            messages.error(request, _("Check the form."))
    return render(request, "deputies/suggestion_detail.html", {
        "s": s, "transitions": s.transitions.select_related("by"), "co_authors": s.co_authors.all(),
        "form": form}, status=status)
