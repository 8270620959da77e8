"""Duty points (履职积分): activities deputies report themselves, approved by staff, and each body's points table."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from congress.files import FileKindValidator, UnguessablePath
from congress.models import CongressBody, scoped_queryset


class PointKind(models.TextChoices):
    """What earns points: the five a deputy reports, and three counted from the records already kept."""

    INSPECTION = "inspection", _("Inspection")
    RESEARCH = "research", _("Research visit")
    RECEPTION = "reception", _("Receiving residents")
    TRAINING = "training", _("Training")
    OUTREACH = "outreach", _("Policy outreach")
    MEETING = "meeting", _("Meeting attended")
    SUGGESTION = "suggestion", _("Suggestion submitted")
    STATION_DUTY = "station_duty", _("Reception day on duty at a station")


REPORTED_KINDS = ("inspection", "research", "reception", "training", "outreach")
COUNTED_KINDS = ("meeting", "suggestion", "station_duty")
DEFAULT_POINTS = {"inspection": 3, "research": 3, "reception": 2, "training": 1, "outreach": 2,
                  "meeting": 2, "suggestion": 3, "station_duty": 2}


class PointRule(models.Model):
    """How many points one activity of a kind earns in a body; a kind without a rule earns DEFAULT_POINTS."""

    body = models.ForeignKey(CongressBody, verbose_name=_("congress body"), on_delete=models.CASCADE,
                             related_name="point_rules")
    kind = models.CharField(_("activity"), max_length=12, choices=PointKind.choices)
    points = models.PositiveSmallIntegerField(_("points"))

    objects = scoped_queryset("body__division").as_manager()

    class Meta:
        verbose_name = _("points rule")
        verbose_name_plural = _("points rules")
        ordering = ["body", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["body", "kind"], name="point_rule_once_per_kind",
                violation_error_message=_("This body already has a points rule for this activity.")),
            models.CheckConstraint(condition=Q(points__lte=100), name="point_rule_at_most_100",
                violation_error_message=_("An activity earns at most 100 points.")),
            models.CheckConstraint(condition=Q(kind__in=[k.value for k in PointKind]), name="point_rule_known_kind",
                violation_error_message=_("Points are set only for the listed activities.")),
        ]

    def __str__(self):
        return f"{self.body} · {self.get_kind_display()} · {self.points}"


class DutyReport(models.Model):
    """An activity a deputy reports from the phone (自主申报), counted once staff approve it."""

    class State(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    PHOTO_KINDS = ("jpg", "png", "webp")

    body = models.ForeignKey(CongressBody, verbose_name=_("congress body"), on_delete=models.PROTECT,
                             related_name="duty_reports")
    person = models.ForeignKey("deputies.Person", verbose_name=_("deputy"), on_delete=models.PROTECT,
                               related_name="duty_reports")
    kind = models.CharField(_("activity"), max_length=12, choices=[(k, PointKind(k).label) for k in REPORTED_KINDS])
    date = models.DateField(_("date"))
    description = models.TextField(_("what was done"), max_length=2000)
    photo = models.FileField(_("photo"), blank=True, upload_to=UnguessablePath("duty"),
                             validators=[FileKindValidator(*PHOTO_KINDS)])
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reject_reason = models.CharField(_("reason for rejecting"), max_length=300, blank=True)

    objects = scoped_queryset("body__division").as_manager()

    class Meta:
        verbose_name = _("reported duty activity")
        verbose_name_plural = _("reported duty activities")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=list(REPORTED_KINDS)), name="duty_report_reported_kind",
                violation_error_message=_("Deputies report inspections, research visits, receptions, trainings "
                                          "and outreach; meetings, suggestions and reception days count by themselves.")),
            models.CheckConstraint(condition=~Q(state="rejected") | ~Q(reject_reason=""),
                                   name="duty_report_rejected_has_reason",
                violation_error_message=_("A rejected report gives the reason.")),
            models.CheckConstraint(condition=Q(state="pending") | Q(decided_at__isnull=False),
                                   name="duty_report_decided_has_time",
                violation_error_message=_("An approved or rejected report records when it was decided.")),
        ]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} · {self.person}"
