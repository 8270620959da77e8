"""Supervision pages: the five-colour board and its printed notice, the project's code (民生码) and public page,
supervising deputies and their site visits, supervision tasks and the residents' ratings."""

import posixpath
from functools import partial

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from congress.decorators import staff_required
from congress.exports import dataset_response
from congress.files import detect, file_response
from congress.models import CongressBody
from congress.printing import pdf_response
from congress.responses import act, refuse
from congress.tracking import qr_svg
from deputies.predicates import is_unit_account, units_of
from projects import colours, predicates, selectors, supervision
from projects import forms as pforms
from projects.models import PHOTO_KINDS, ProgressReport, Project, SupervisionTask
from projects.views import _project_in_scope, on_project_page

PAPER_SIZES = ("A4", "A3")


def public_url(request, project) -> str:
    return request.build_absolute_uri(reverse("projects:public", args=[project.pk]))


# --- the board --------------------------------------------------------------------

def _board_bodies(user):
    return CongressBody.objects.in_scope(user).filter(projects__state__in=colours.COLOURED_STATES).distinct()


@staff_required
def board(request):
    """The five-colour board of one body: every project's colour (with its name), unit, progress, next milestone."""
    bodies = list(_board_bodies(request.user).select_related("division"))
    chosen = pforms.BoardForm(request.GET).filters().get("body")
    body = next((b for b in bodies if b.pk == chosen), bodies[0] if bodies else None)
    rows = list(selectors.board_rows(body)) if body else []
    return render(request, "projects/board.html", {
        "bodies": bodies, "body": body, "rows": rows, "counts": selectors.board_counts(rows),
        "sizes": PAPER_SIZES, "today": timezone.localdate(),
    })


@staff_required
def board_print(request, body_pk, size):
    """The board as a notice for deputy stations and community notice boards: a PDF on A4 or A3."""
    if size not in PAPER_SIZES:
        raise Http404
    body = get_object_or_404(CongressBody.objects.in_scope(request.user), pk=body_pk)
    rows = list(selectors.board_rows(body))
    html = render_to_string("projects/print/board.html", {
        "body": body, "rows": rows, "counts": selectors.board_counts(rows), "size": size,
        "today": timezone.localdate(), "request": request,
    })
    return pdf_response(html, f"board-{body.pk}-{size}.pdf")


# --- the project's code (民生码) and its public page ---------------------------------------

@staff_required
def project_code(request, pk):
    """The code to post at the project site: a PDF with the QR code of the public page."""
    project = _project_in_scope(request, pk)
    if not predicates.is_public(project):
        raise Http404
    url = public_url(request, project)
    html = render_to_string("projects/print/code.html", {"project": project, "url": url, "qr": qr_svg(url),
                                                          "request": request})
    return pdf_response(html, f"code-{project.pk}.pdf")


def _public_project(pk):
    project = get_object_or_404(Project.objects.select_related("body__division", "category"), pk=pk)
    if not predicates.is_public(project):
        raise Http404
    return project


def public_project(request, pk):
    """What a resident sees on scanning the project's code: no account needed. Rated here, rate-limited."""
    project = _public_project(pk)
    if request.method != "POST":
        return _public_page(request, project, pforms.ResidentRatingForm())
    if is_ratelimited(request, group="project-rating", key="ip", rate=settings.PUBLIC_FORM_RATE,
                      method="POST", increment=True):
        return refuse(request, partial(_public_page, request, project, pforms.ResidentRatingForm()),
                      _("Too many ratings from this connection. Please try again later."), status=429)
    form = pforms.ResidentRatingForm(request.POST)
    return act(request, form=form, on_form=True, page=partial(_public_page, request, project, form),
               action=lambda d: supervision.resident_rate(project=project, stars=d["stars"], comment=d["comment"]),
               done=reverse("projects:public", args=[project.pk]) + "?rated=1#rated")


def _public_page(request, project, form, *, status=200):
    return render(request, "projects/public.html", {
        "project": project, "form": form, "reports": selectors.public_reports(project),
        "milestones": project.milestones.all(), "summary": selectors.rating_summary(project),
        "rated": request.GET.get("rated") == "1", "surveys": project.surveys.select_related("poll"),
        "today": timezone.localdate(),
    }, status=status)


def public_photo(request, pk, report_pk):
    """The photo of a public progress report: images only (an office document is never sent from here)."""
    project = _public_project(pk)
    report = get_object_or_404(ProgressReport.objects.filter(project=project, public=True), pk=report_pk)
    if not report.attachment:
        raise Http404
    with report.attachment.open("rb") as f:
        if detect(f) not in PHOTO_KINDS:
            raise Http404
    return file_response(report.attachment, filename=posixpath.basename(report.attachment.name), kinds=PHOTO_KINDS)


@staff_required
def ratings_export(request, pk, fmt):
    project = _project_in_scope(request, pk)
    return dataset_response(selectors.ratings_dataset(project), f"project-{project.pk}-ratings", fmt)


# --- supervising deputies, site visits and tasks ----------------------------------------

@staff_required
@require_POST
def project_supervisors(request, pk):
    project = _project_in_scope(request, pk)
    return act(request, form=pforms.SupervisorsForm(request.POST, project=project, user=request.user),
               **on_project_page(request, project),
               action=lambda d: supervision.project_set_supervisors(project=project, presidium=d["presidium"],
                                                                    deputies=list(d["deputies"]),
                                                                    acting_user=request.user),
               success=_("Supervising deputies saved."))


@staff_required
@require_POST
def task_close(request, pk, task_pk):
    project = _project_in_scope(request, pk)
    task = get_object_or_404(SupervisionTask.objects.filter(project=project), pk=task_pk)
    return act(request, form=pforms.SupervisionTaskCloseForm(request.POST), **on_project_page(request, project),
               action=lambda d: supervision.supervision_task_close(task=task, outcome=d["outcome"],
                                                                   acting_user=request.user),
               success=_("Supervision task closed."))


@login_required
def site_visit(request, pk):
    """A supervising deputy records what they found on the site, with a photo, from their phone."""
    project = get_object_or_404(Project.objects.select_related("body__division"), pk=pk)
    if not predicates.can_add_site_visit(request.user, project):
        raise Http404
    form = pforms.SiteVisitForm(request.POST if request.method == "POST" else None,
                                request.FILES if request.method == "POST" else None, initial={"date": timezone.localdate()})
    page = partial(render, request, "projects/site_visit.html", {
        "project": project, "form": form, "visits": project.site_visits.select_related("person")})
    if request.method != "POST":
        return page()
    return act(request, form=form, on_form=True, page=page, success=_("Site visit recorded."),
               done=reverse("deputies:me"),
               action=lambda d: supervision.site_visit_add(project=project, person=request.user.person,
                                                           acting_user=request.user, **d))


@staff_required
def site_visit_photo(request, pk, visit_pk):
    project = _project_in_scope(request, pk)
    visit = get_object_or_404(project.site_visits, pk=visit_pk)
    return file_response(visit.photo, filename=posixpath.basename(visit.photo.name), kinds=PHOTO_KINDS)


# --- the handling unit's side -------------------------------------------------------

@login_required
def unit_tasks(request):
    """The open supervision tasks of the unit's projects, beside its suggestions (/unit/suggestions/)."""
    if not is_unit_account(request.user):
        raise PermissionDenied
    tasks = (predicates.unit_supervision_tasks(request.user)
             .select_related("project__body", "handling_unit").order_by("due_date", "pk"))
    return render(request, "projects/unit_tasks.html", {"tasks": tasks[:500], "units": units_of(request.user),
                                                         "today": timezone.localdate()})
