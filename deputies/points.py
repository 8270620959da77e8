"""Services for duty points: deputies report activities, staff approve or reject them in batches, bodies set points."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congress.services import audit_record
from deputies.models import DutyReport, Mandate, PointRule
from deputies.models.points import DEFAULT_POINTS


class PointsError(ValidationError):
    pass


def rules_of(body) -> dict[str, int]:
    """The points of each activity in a body: its rules, and the defaults for kinds it has not set."""
    return {**DEFAULT_POINTS, **dict(PointRule.objects.filter(body=body).values_list("kind", "points"))}


@transaction.atomic
def duty_report_submit(*, person, body, kind: str, date: datetime.date, description: str, photo=None,
                       acting_user=None) -> DutyReport:
    if date > timezone.localdate():
        raise PointsError(_("An activity is reported after it took place."))
    if not Mandate.objects.filter(person=person, term__body=body).active_on(date).exists():
        raise PointsError(_("You held no seat in this body on that day."))
    r = DutyReport(person=person, body=body, kind=kind, date=date, description=description.strip(), photo=photo or "")
    r.full_clean()
    r.save()
    audit_record(actor=acting_user, action="duty_report.submit", obj=r, division=body.division,
                 after={"kind": kind, "date": date.isoformat(), "photo": bool(photo)})
    return r


@transaction.atomic
def duty_reports_decide(*, approve=(), reject: dict | None = None, acting_user=None) -> int:
    """Decide a batch: `approve` the reports given, `reject` a {report: reason} map. Every rejection needs its
    reason; nothing is written unless the whole batch is sound. Only reports awaiting a decision change."""
    reject = reject or {}
    missing = [str(r) for r, reason in reject.items() if not (reason or "").strip()]
    if missing:
        raise PointsError([_("Give the reason for rejecting: %(report)s.") % {"report": m} for m in missing])
    ids = [r.pk for r in approve] + [r.pk for r in reject]
    if len(set(ids)) != len(ids):
        raise PointsError(_("A report cannot be both approved and rejected."))
    now = timezone.now()
    reasons = {r.pk: reason.strip()[:300] for r, reason in reject.items()}
    n = 0
    for r in DutyReport.objects.select_for_update().select_related("body__division").filter(
            pk__in=ids, state=DutyReport.State.PENDING).order_by("pk"):
        r.state = DutyReport.State.REJECTED if r.pk in reasons else DutyReport.State.APPROVED
        r.reject_reason, r.decided_by, r.decided_at = reasons.get(r.pk, ""), acting_user, now
        r.save(update_fields=["state", "reject_reason", "decided_by", "decided_at"])
        audit_record(actor=acting_user, action="duty_report.decide", obj=r, division=r.body.division,
                     after={"state": r.state, **({"reason": r.reject_reason} if r.reject_reason else {})})
        n += 1
    return n


@transaction.atomic
def point_rules_set(*, body, points: dict, acting_user=None) -> list[PointRule]:
    """Set the points of each activity kind ({kind: points}) for a body."""
    before = dict(PointRule.objects.filter(body=body).values_list("kind", "points"))
    rules = []
    for kind, value in points.items():
        rule = PointRule.objects.filter(body=body, kind=kind).first() or PointRule(body=body, kind=kind)
        rule.points = value
        rule.full_clean(validate_unique=False)
        rule.save()
        rules.append(rule)
    audit_record(actor=acting_user, action="point_rules.set", obj=body, division=body.division,
                 before=before, after=dict(points))
    return rules
