"""The liaison network (代表之家、代表活动站、民情联络点), reception days and residents' opinions (群众意见)."""

from __future__ import annotations

import calendar
import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from congress.models import Division, scoped_queryset
from congress.workflows import TransitionRecord, state_fields


class LiaisonStation(models.Model):
    """A deputy home, deputy activity station or public-opinion contact point, with the deputies assigned to it."""

    class Kind(models.TextChoices):
        HOME = "home", _("Deputy home")
        STATION = "station", _("Deputy activity station")
        CONTACT_POINT = "contact_point", _("Public-opinion contact point")

    class Months(models.TextChoices):
        EVERY = "every", _("Every month")
        EVEN = "even", _("Even months")
        ODD = "odd", _("Odd months")
        QUARTERLY = "quarterly", _("First month of each quarter")
        NONE = "none", _("No fixed reception day")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120)
    division = models.ForeignKey(Division, verbose_name=_("division"), on_delete=models.PROTECT, related_name="stations")
    address = models.CharField(_("address"), max_length=200)
    deputies = models.ManyToManyField("deputies.Person", verbose_name=_("deputies"), blank=True,
                                      related_name="stations")
    reception_day = models.PositiveSmallIntegerField(_("reception day of the month"), null=True, blank=True)
    reception_months = models.CharField(_("reception months"), max_length=10, choices=Months.choices,
                                        default=Months.NONE)

    objects = scoped_queryset("division").as_manager()

    class Meta:
        verbose_name = _("liaison station")
        verbose_name_plural = _("liaison stations")
        ordering = ["division__path", "kind", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(reception_day__isnull=True) | Q(reception_day__gte=1, reception_day__lte=28),
                                   name="station_reception_day_1_28",
                violation_error_message=_("The reception day is a day of the month from 1 to 28.")),
            models.CheckConstraint(condition=Q(reception_months="none") | Q(reception_day__isnull=False),
                                   name="station_rule_has_day",
                violation_error_message=_("A reception rule needs its day of the month.")),
        ]

    def __str__(self):
        return self.name

    def reception_dates(self, start: datetime.date, end: datetime.date) -> list[datetime.date]:
        """The reception days the rule gives between two dates (e.g. the 20th of every even month)."""
        if self.reception_months == self.Months.NONE or not self.reception_day:
            return []
        months = {
            self.Months.EVERY: range(1, 13), self.Months.EVEN: range(2, 13, 2), self.Months.ODD: range(1, 13, 2),
            self.Months.QUARTERLY: (1, 4, 7, 10),
        }[self.Months(self.reception_months)]
        out = []
        for year in range(start.year, end.year + 1):
            for month in months:
                day = min(self.reception_day, calendar.monthrange(year, month)[1])
                d = datetime.date(year, month, day)
                if start <= d <= end:
                    out.append(d)
        return out


class Reception(models.Model):
    """A reception day held (民情接待日): who was on duty and how many residents came."""

    station = models.ForeignKey(LiaisonStation, verbose_name=_("station"), on_delete=models.PROTECT,
                                related_name="receptions")
    date = models.DateField(_("date"))
    on_duty = models.ManyToManyField("deputies.Person", verbose_name=_("deputies on duty"), related_name="receptions")
    residents = models.PositiveIntegerField(_("residents received"), default=0)
    notes = models.TextField(_("notes"), blank=True)

    objects = scoped_queryset("station__division").as_manager()

    class Meta:
        verbose_name = _("reception")
        verbose_name_plural = _("receptions")
        ordering = ["-date", "station"]
        constraints = [models.UniqueConstraint(fields=["station", "date"], name="reception_once_per_day",
                violation_error_message=_("This station already has a reception recorded on that day."))]

    def __str__(self):
        return f"{self.station} {self.date}"


class OpinionCategory(models.Model):
    """A category of the deliberation catalogue (议事目录); configurable (Baitao uses ten)."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("catalogue category")
        verbose_name_plural = _("deliberation catalogue")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class ResidentOpinion(models.Model):
    """A resident's opinion (群众意见), from intake to the reply and the resident's rating."""

    class Channel(models.TextChoices):
        STATION = "station", pgettext_lazy("channel", "Liaison station")
        RECEPTION = "reception", _("Reception day")
        VISIT = "visit", _("Deputy visit")
        ONLINE = "online", _("Online (public form)")

    class State(models.TextChoices):
        RECEIVED = "received", _("Received")
        REFERRED = "referred", _("Referred to a unit")
        IN_PROGRESS = "in_progress", _("In progress")
        RESOLVED = "resolved", _("Resolved")
        DEFERRED = "deferred", _("Deferred")
        NOT_ADOPTED = "not_adopted", _("Not adopted")

    TRANSITIONS = {
        State.RECEIVED: (State.REFERRED, State.NOT_ADOPTED, State.DEFERRED),
        State.REFERRED: (State.IN_PROGRESS, State.RESOLVED, State.DEFERRED, State.NOT_ADOPTED),
        State.IN_PROGRESS: (State.RESOLVED, State.DEFERRED),
        State.DEFERRED: (State.REFERRED,),
        State.RESOLVED: (),
        State.NOT_ADOPTED: (),
    }
    NEEDS_REASON = (State.DEFERRED, State.NOT_ADOPTED)
    CLOSING = (State.RESOLVED, State.DEFERRED, State.NOT_ADOPTED)
    REFUSED_MOVE = _("An opinion that is “%(from)s” cannot become “%(to)s”.")

    reference = models.CharField(_("reference"), max_length=16, unique=True)
    division = models.ForeignKey(Division, verbose_name=pgettext_lazy("resident", "where"), on_delete=models.PROTECT,
                                 related_name="opinions")
    station = models.ForeignKey(LiaisonStation, verbose_name=_("station"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="opinions")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    category = models.ForeignKey(OpinionCategory, verbose_name=_("category"), on_delete=models.PROTECT,
                                 related_name="opinions")
    taken_by = models.ForeignKey("deputies.Person", verbose_name=_("taken by"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="opinions_taken")
    text = models.TextField(pgettext_lazy("resident", "opinion"))
    resident_name = models.CharField(_("resident's name"), max_length=50, blank=True)
    resident_contact = models.CharField(_("resident's contact"), max_length=50, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.RECEIVED)
    state_reason = models.CharField(_("reason"), max_length=300, blank=True)
    unit = models.CharField(_("responsible unit"), max_length=120, blank=True)
    due_date = models.DateField(_("due"), null=True, blank=True)
    reply = models.TextField(_("reply to the resident"), blank=True)
    rating = models.PositiveSmallIntegerField(_("resident's rating"), null=True, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    overdue = models.BooleanField(_("overdue"), default=False)
    received_at = models.DateTimeField(pgettext_lazy("resident", "received"), auto_now_add=True)

    objects = scoped_queryset("division").as_manager()

    class Meta:
        verbose_name = _("resident opinion")
        verbose_name_plural = _("resident opinions")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["state", "due_date"])]
        constraints = [
            models.CheckConstraint(condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                                   name="opinion_rating_1_5",
                violation_error_message=_("Rate from 1 to 5.")),
            models.CheckConstraint(condition=~Q(state__in=["deferred", "not_adopted"]) | ~Q(state_reason=""),
                                   name="opinion_closing_reason",
                                   violation_error_message=_("A deferred or not adopted opinion needs a reason.")),
            models.CheckConstraint(condition=~Q(state__in=["referred", "in_progress"]) | (~Q(unit="") & Q(due_date__isnull=False)),
                                   name="opinion_referred_has_unit_and_due",
                violation_error_message=_("Name the responsible unit and the due date.")),
        ]

    def __str__(self):
        return f"{self.reference} {self.text[:30]}"


class ResidentOpinionTransition(TransitionRecord):
    opinion = models.ForeignKey(ResidentOpinion, on_delete=models.CASCADE, related_name="transitions")
    from_state, to_state = state_fields(ResidentOpinion.State.choices, 12)

    def __str__(self):
        return f"{self.opinion.reference} {self.from_state}→{self.to_state}"
