"""Every write of project supervision: colours (五色督办), supervision tasks, supervising deputies, site visits and
residents' ratings (民生码)."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from congress.queue import QUEUE_ERRORS
from congress.services import audit_record
from deputies.models import Mandate, Person
from deputies.services import require_people_in_scope
from projects import colours
from projects.models import (
    Colour,
    ColourChange,
    Project,
    ProjectSupervisor,
    ResidentRating,
    SiteVisit,
    SupervisionTask,
)

logger = logging.getLogger(__name__)


class SupervisionError(ValidationError):
    pass


def _actor(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


# --- colours and supervision tasks ----------------------------------------------------

def _overdue_count(project: Project, on: datetime.date) -> int:
    return project.milestones.filter(done_on__isnull=True, due_date__lt=on).count()


@transaction.atomic
def project_recolour(*, project: Project, on: datetime.date | None = None, acting_user=None,
                     overdue: int | None = None) -> Project:
    """Colour the project as its progress stands on `on`; a change is kept in its history, and turning red opens
    a supervision task for the responsible unit (one open task at a time). Idempotent: the same facts change
    nothing. Atomic of its own (the row is locked FOR UPDATE); called inside the progress report's or the daily job's
    transaction it is a part of that one."""
    on = on or timezone.localdate()
    project = Project.objects.select_for_update().select_related("body").get(pk=project.pk)
    overdue = _overdue_count(project, on) if overdue is None else overdue
    verdict = colours.project_verdict(project, on=on, overdue_milestones=overdue)
    if verdict.colour == project.colour and verdict.reason[:200] == project.colour_reason:
        return project
    before = project.colour
    project.colour, project.colour_reason = verdict.colour, verdict.reason[:200]
    project.save(update_fields=["colour", "colour_reason"])
    if before != verdict.colour:
        ColourChange.objects.create(project=project, from_colour=before, to_colour=verdict.colour,
                                    reason=project.colour_reason, by=_actor(acting_user))
        audit_record(actor=acting_user, action="project.colour", obj=project, division=project.body.division,
                     before={"colour": before}, after={"colour": verdict.colour, "reason": project.colour_reason})
        if verdict.colour == Colour.RED:
            _open_task(project, on=on, reason=project.colour_reason)
    return project


def _open_task(project: Project, *, on: datetime.date, reason: str) -> SupervisionTask | None:
    if project.supervision_tasks.filter(closed_on__isnull=True).exists():
        return None  # still being supervised: the open task stands
    task = SupervisionTask.objects.create(
        project=project, unit=project.responsible_unit or _("(no unit named)"), handling_unit=project.handling_unit,
        reason=reason, opened_on=on,
        due_date=on + datetime.timedelta(days=project.body.supervision_task_days))
    audit_record(actor=None, action="project.supervision_task_open", obj=project, division=project.body.division,
                 after={"task": task.pk, "due": task.due_date.isoformat(), "unit": task.unit,
                        "handling_unit": task.handling_unit_id})
    _queue_notice(task.pk)
    return task


def _queue_notice(task_id: int) -> None:
    """Send the task's notice after commit. With the queue down the task stays un-notified and the next daily
    recolouring sends it (`supervision_tasks_notify`): a progress report is never refused for it."""
    from projects.tasks import notify_supervision_task  # cycle: projects.tasks imports projects.supervision

    def run():
        try:
            notify_supervision_task.apply_async((task_id,), ignore_result=True)
        except QUEUE_ERRORS as exc:
            logger.warning("supervision task %s: notice not queued (%s); the daily job sends it", task_id, exc)

    transaction.on_commit(run)


def projects_recolour(*, on: datetime.date) -> int:
    """The daily job: recolour every project that has or should have a colour. Returns how many changed."""
    changed = 0
    qs = (Project.objects.filter(Q(state__in=colours.COLOURED_STATES) | ~Q(colour=""))
          .annotate(n_overdue=Count("milestones", filter=Q(milestones__done_on__isnull=True,
                                                            milestones__due_date__lt=on)))
          .values_list("pk", "colour", "n_overdue"))
    for pk, colour, n_overdue in qs:
        with transaction.atomic():
            project = project_recolour(project=Project(pk=pk), on=on, overdue=n_overdue)
        changed += project.colour != colour
    return changed


def unit_recipients(task: SupervisionTask) -> set[str]:
    """The unit hears through its accounts' addresses; the project's unit e-mail is the fallback, for a unit that
    has none or a project named only by free text."""
    emails = set()
    if task.handling_unit_id:
        emails = {e for e in task.handling_unit.accounts.filter(is_active=True).values_list("email", flat=True) if e}
    if not emails and task.project.unit_email:
        emails.add(task.project.unit_email)
    return emails


def supervision_task_recipients(task: SupervisionTask) -> list[str]:
    deputies = Person.objects.filter(supervised_projects__project_id=task.project_id, user__isnull=False)
    emails = {e for e in deputies.values_list("user__email", flat=True) if e}
    return sorted(emails | unit_recipients(task))


def supervision_task_notify(*, task_id: int) -> int:
    """E-mail the unit and the supervising deputies, once (the task records when). Returns messages sent."""
    with transaction.atomic():
        task = SupervisionTask.objects.select_for_update().select_related("project__body").get(pk=task_id)
        if task.notified_at:
            return 0
        with translation.override(settings.LANGUAGE_CODE):
            subject = render_to_string("projects/email/supervision_task_subject.txt", {"task": task}).strip()
            body = render_to_string("projects/email/supervision_task.txt", {"task": task})
        # one message per recipient: nobody sees the others' addresses
        sent = send_mass_mail([(subject, body, None, [r]) for r in supervision_task_recipients(task)],
                              fail_silently=False)
        task.notified_at = timezone.now()
        task.save(update_fields=["notified_at"])
    return sent or 0  # some mail backends answer None


def supervision_tasks_notify_pending() -> int:
    return sum(supervision_task_notify(task_id=pk) for pk in
               SupervisionTask.objects.filter(notified_at__isnull=True).values_list("pk", flat=True))


@transaction.atomic
def supervision_task_close(*, task: SupervisionTask, outcome: str, acting_user=None) -> SupervisionTask:
    task = SupervisionTask.objects.select_for_update().select_related("project__body__division").get(pk=task.pk)
    if task.closed_on:
        raise SupervisionError(_("This supervision task is already closed."))
    if not outcome.strip():
        raise SupervisionError(_("Say what the unit did before closing the task."))
    task.closed_on, task.closed_by, task.outcome = timezone.localdate(), _actor(acting_user), outcome.strip()
    task.full_clean()
    task.save(update_fields=["closed_on", "closed_by", "outcome"])
    audit_record(actor=acting_user, action="project.supervision_task_close", obj=task.project,
                 division=task.project.body.division, after={"task": task.pk, "outcome": task.outcome})
    return task


# --- supervising deputies and their site visits ------------------------------------------

def eligible_supervisors(project: Project, on: datetime.date | None = None):
    """Deputies who may supervise the project: a current mandate in its body or in the body's presidium or
    standing committee."""
    on = on or timezone.localdate()
    mandates = Mandate.objects.active_on(on).filter(Q(term__body=project.body_id) | Q(term__body__parent=project.body_id))
    return Person.objects.filter(pk__in=mandates.values("person_id")).order_by("name", "pk")


@transaction.atomic
def project_set_supervisors(*, project: Project, presidium: Person | None, deputies, acting_user=None) -> Project:
    """Name the project's supervising deputies: one presidium member leading, several deputies."""
    project = Project.objects.select_for_update().select_related("body__division").get(pk=project.pk)
    deputies = [p for p in deputies if presidium is None or p.pk != presidium.pk]
    chosen = ([presidium] if presidium else []) + deputies
    require_people_in_scope(acting_user, chosen)
    allowed = set(eligible_supervisors(project).filter(pk__in=[p.pk for p in chosen]).values_list("pk", flat=True))
    outsiders = [p.name for p in chosen if p.pk not in allowed]
    if outsiders:
        raise SupervisionError(_("Not deputies of this body: %(names)s.") % {"names": ", ".join(outsiders)})
    before = sorted(project.supervisors.values_list("role", "person_id"))
    project.supervisors.all().delete()
    rows = [ProjectSupervisor(project=project, person=p, role=ProjectSupervisor.Role.DEPUTY) for p in deputies]
    if presidium:
        rows.insert(0, ProjectSupervisor(project=project, person=presidium, role=ProjectSupervisor.Role.PRESIDIUM))
    ProjectSupervisor.objects.bulk_create(rows)
    audit_record(actor=acting_user, action="project.supervisors", obj=project, division=project.body.division,
                 before={"supervisors": [list(r) for r in before]},
                 after={"supervisors": sorted([r.role, r.person.pk] for r in rows)})
    return project


@transaction.atomic
def site_visit_add(*, project: Project, person: Person, date: datetime.date, findings: str, photo=None,
                   acting_user=None) -> SiteVisit:
    """A supervising deputy's findings from a visit to the site. The view has asked `can_add_site_visit`."""
    if not project.supervisors.filter(person=person).exists():
        raise SupervisionError(_("Only the project's supervising deputies record site visits."))
    if date > timezone.localdate():
        raise SupervisionError(_("A site visit cannot be in the future."))
    visit = SiteVisit(project=project, person=person, date=date, findings=findings.strip())
    if photo:
        visit.photo = photo
    visit.full_clean()
    visit.save()
    audit_record(actor=acting_user, action="project.site_visit", obj=project, division=project.body.division,
                 after={"visit": visit.pk, "date": date.isoformat()})
    return visit


# --- residents' ratings (民生码) ----------------------------------------------------------

PUBLIC_STATES = colours.COLOURED_STATES


@transaction.atomic
def resident_rate(*, project: Project, stars: int, comment: str = "") -> ResidentRating:
    """A resident's rating from the project's public page: no account, nothing about the resident kept."""
    if project.state not in PUBLIC_STATES:
        raise SupervisionError(_("Only projects being carried out or completed can be rated."))
    rating = ResidentRating(project=project, stars=stars, comment=comment.strip())
    rating.full_clean()
    rating.save()
    audit_record(actor=None, action="project.resident_rating", obj=project, division=project.body.division,
                 after={"stars": stars})
    return rating
