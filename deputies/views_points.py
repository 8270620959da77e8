"""Pages for duty points: a deputy reports an activity from the phone; staff decide reports in batches and set
each body's points."""

from functools import partial

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from congress.decorators import staff_required
from congress.files import file_response
from congress.models import CongressBody
from congress.responses import act
from deputies import forms as dforms
from deputies import points
from deputies.models import DutyReport
from deputies.views import person_or_404


@login_required
def my_reports(request):
    person = person_or_404(request)
    form = dforms.DutyReportForm(request.POST if request.method == "POST" else None,
                                 request.FILES if request.method == "POST" else None, person=person,
                                 initial={"date": timezone.localdate()})

    def page(status=200):
        reports = DutyReport.objects.filter(person=person).select_related("body")[:200]
        return render(request, "deputies/my_reports.html", {"form": form, "reports": reports}, status=status)

    if request.method != "POST":
        return page()
    return act(request, form=form, page=page, action=lambda d: points.duty_report_submit(
        person=person, body=d["body"], kind=d["kind"], date=d["date"], description=d["description"],
        photo=d["photo"], acting_user=request.user),
        success=_("Activity reported; it counts once the congress office approves it."),
        done=reverse("deputies:my_reports"))


@login_required
def my_report_photo(request, pk):
    r = get_object_or_404(DutyReport, pk=pk, person=person_or_404(request))
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
    page = partial(render, request, "deputies/reports_review.html", {"reports": pending})
    if request.method != "POST":
        return page()
    approve = [r for r in pending if request.POST.get(f"d{r.pk}") == "approve"]
    reject = {r: request.POST.get(f"reason{r.pk}", "") for r in pending if request.POST.get(f"d{r.pk}") == "reject"}
    for r in pending:  # a refused batch comes back with every choice and reason as typed
        r.chosen, r.typed_reason = request.POST.get(f"d{r.pk}", ""), request.POST.get(f"reason{r.pk}", "")
    return act(request, page=page,
               action=lambda: points.duty_reports_decide(approve=approve, reject=reject, acting_user=request.user),
               success=lambda n: _("%(n)s reports decided.") % {"n": n}, done=reverse("deputies:reports_review"))


@staff_required
def point_rules(request, pk):
    body = get_object_or_404(CongressBody.objects.in_scope(request.user), pk=pk)
    form = dforms.PointRulesForm(request.POST if request.method == "POST" else None, rules=points.rules_of(body))
    page = partial(render, request, "deputies/point_rules.html", {"body": body, "form": form})
    if request.method != "POST":
        return page()
    return act(request, form=form, page=page,
               action=lambda d: points.point_rules_set(body=body, points=d, acting_user=request.user),
               success=_("Points saved."), done=reverse("deputies:point_rules", args=[body.pk]))
