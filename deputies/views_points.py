"""Pages for duty points: a deputy reports an activity from the phone; staff decide reports in batches and set
each body's points."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from congress.decorators import staff_required
from congress.files import file_response
from congress.models import CongressBody
from congress.responses import flash_errors, flash_form_errors
from deputies import forms as dforms
from deputies import points as services
from deputies.models import DutyReport


def _person(request):
    person = getattr(request.user, "person", None)
    if person is None:
        raise Http404
    return person


@login_required
def my_reports(request):
    person = _person(request)
    form = dforms.DutyReportForm(request.POST or None, request.FILES or None, person=person,
                                 initial={"date": timezone.localdate()})
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.duty_report_submit(person=person, body=d["body"], kind=d["kind"], date=d["date"],
                                            description=d["description"], photo=d["photo"], acting_user=request.user)
                messages.success(request, _("Activity reported; it counts once the congress office approves it."))
                return redirect("deputies:my_reports")
            except ValidationError as exc:
                flash_errors(request, exc)
        else:
            flash_form_errors(request, form)
    reports = DutyReport.objects.filter(person=person).select_related("body")[:200]
    return render(request, "deputies/my_reports.html", {"form": form, "reports": reports},
                  status=422 if request.method == "POST" else 200)


@login_required
def my_report_photo(request, pk):
    r = get_object_or_404(DutyReport, pk=pk, person=_person(request))
    return file_response(r.photo, filename=f"duty-{r.pk}", kinds=DutyReport.PHOTO_KINDS)


@staff_required
def report_photo(request, pk):
    r = get_object_or_404(DutyReport.objects.in_scope(request.user), pk=pk)
    return file_response(r.photo, filename=f"duty-{r.pk}", kinds=DutyReport.PHOTO_KINDS)


@staff_required
def reports_review(request):
    """The reports awaiting a decision, decided in one batch: approve, reject with a reason, or leave for later."""
    pending = list(DutyReport.objects.in_scope(request.user).filter(state=DutyReport.State.PENDING)
                   .select_related("person", "body").order_by("date", "pk")[:200])
    status = 200
    if request.method == "POST":
        approve = [r for r in pending if request.POST.get(f"d{r.pk}") == "approve"]
        reject = {r: request.POST.get(f"reason{r.pk}", "") for r in pending if request.POST.get(f"d{r.pk}") == "reject"}
        try:
            n = services.duty_reports_decide(approve=approve, reject=reject, acting_user=request.user)
            messages.success(request, _("%(n)s reports decided.") % {"n": n})
            return redirect("deputies:reports_review")
        except ValidationError as exc:
            flash_errors(request, exc)
            status = 422
        for r in pending:  # a refused batch comes back with every choice and reason as typed
            r.chosen, r.typed_reason = request.POST.get(f"d{r.pk}", ""), request.POST.get(f"reason{r.pk}", "")
    return render(request, "deputies/reports_review.html", {"reports": pending}, status=status)


@staff_required
def point_rules(request, pk):
    body = get_object_or_404(CongressBody.objects.in_scope(request.user), pk=pk)
    form = dforms.PointRulesForm(request.POST or None, rules=services.rules_of(body))
    if request.method == "POST":
        if form.is_valid():
            services.point_rules_set(body=body, points=form.cleaned_data, acting_user=request.user)
            messages.success(request, _("Points saved."))
            return redirect("deputies:point_rules", pk=body.pk)
        flash_form_errors(request, form)
    return render(request, "deputies/point_rules.html", {"body": body, "form": form},
                  status=422 if request.method == "POST" else 200)
