"""Deputies' suggestions (代表建议) and supervision groups (监督小组)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from congress.models import CongressBody, scoped_queryset
from congress.workflows import TransitionRecord, state_fields


class Suggestion(models.Model):
    """A deputy's suggestion, by one deputy or jointly, handled by a unit and evaluated by its authors."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ASSIGNED = "assigned", _("Assigned to a unit")
        RETURNED = "returned", _("Returned by the unit as misrouted")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed (satisfied)")

    TRANSITIONS = {
        State.SUBMITTED: (State.ASSIGNED,),
        State.ASSIGNED: (State.ANSWERED, State.RETURNED),
        State.RETURNED: (State.ASSIGNED,),  # staff reassign it
        State.ANSWERED: (State.CLOSED, State.ASSIGNED),  # dissatisfied: reopened to the unit
        State.CLOSED: (),
    }
    # "assign": a new or returned suggestion (an answered one goes back to its unit only by its authors' evaluation)
    ACTIONS = {"assign": (State.ASSIGNED, (State.SUBMITTED, State.RETURNED)), "reply": State.ANSWERED,
               "return": State.RETURNED, "evaluate": State.CLOSED}
    REFUSED_MOVE = _("A suggestion that is “%(from)s” cannot become “%(to)s”.")

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        BASIC = "basic", _("Basically satisfied")
        DISSATISFIED = "dissatisfied", _("Dissatisfied")

    body = models.ForeignKey(CongressBody, verbose_name=_("congress body"), on_delete=models.PROTECT,
                             related_name="suggestions")
    meeting = models.ForeignKey("meetings.Meeting", verbose_name=_("submitted at meeting"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="suggestions")
    lead = models.ForeignKey("deputies.Person", verbose_name=_("lead deputy"), on_delete=models.PROTECT,
                             related_name="suggestions_led")
    co_authors = models.ManyToManyField("deputies.Person", verbose_name=_("joint deputies"), blank=True,
                                        related_name="suggestions_joined")
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("suggestion"))
    submitted_on = models.DateField(_("submitted on"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.SUBMITTED)
    unit = models.CharField(_("handling unit"), max_length=120, blank=True)
    main_unit = models.ForeignKey("deputies.HandlingUnit", verbose_name=_("main unit"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="suggestions_led")
    assisting_units = models.ManyToManyField("deputies.HandlingUnit", verbose_name=_("assisting units"), blank=True,
                                             related_name="suggestions_assisted")
    assigned_on = models.DateField(_("assigned on"), null=True, blank=True)
    due_date = models.DateField(_("due"), null=True, blank=True)
    # The latest the reply may be put off to by extensions: six months after (re)assignment.
    due_limit = models.DateField(_("latest due date"), null=True, blank=True)
    return_reason = models.CharField(_("reason for returning"), max_length=500, blank=True)
    confidential = models.BooleanField(_("reply not published"), default=False,
                                       help_text=_("A confidential reply is not shown on the public page."))
    reply = models.TextField(_("unit's reply"), blank=True)
    replied_on = models.DateField(_("replied on"), null=True, blank=True)
    satisfaction = models.CharField(_("deputy's satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True)
    times_reopened = models.PositiveSmallIntegerField(_("reopened"), default=0)
    overdue = models.BooleanField(_("overdue"), default=False)

    objects = scoped_queryset("body__division").as_manager()

    class Meta:
        verbose_name = _("deputy suggestion")
        verbose_name_plural = _("deputies' suggestions")
        ordering = ["-submitted_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(state__in=["assigned", "answered", "closed"]) | (~Q(unit="") & Q(due_date__isnull=False)),
                                   name="suggestion_assigned_has_unit_and_due",
                violation_error_message=_("An assigned suggestion needs its responsible unit and due date.")),
            models.CheckConstraint(condition=Q(due_limit__isnull=True) | Q(due_date__lte=models.F("due_limit")),
                                   name="suggestion_due_within_limit",
                violation_error_message=_("A reply is due at most six months after the suggestion was assigned.")),
            models.CheckConstraint(condition=~Q(state="returned") | ~Q(return_reason=""),
                                   name="suggestion_returned_has_reason",
                violation_error_message=_("A unit returning a suggestion gives the reason.")),
            models.CheckConstraint(condition=~Q(state="closed") | ~Q(satisfaction="dissatisfied"),
                                   name="suggestion_closed_not_dissatisfied",
                violation_error_message=_("A suggestion the deputy is dissatisfied with cannot be closed: it is handled again.")),
        ]

    def __str__(self):
        return self.title


class HandlingUnit(models.Model):
    """A unit that handles deputies' suggestions (承办单位): a government department of the body's area. Its
    accounts see the unit's queue and nothing else."""

    body = models.ForeignKey(CongressBody, verbose_name=_("congress body"), on_delete=models.PROTECT,
                             related_name="handling_units")
    name = models.CharField(_("name"), max_length=120)
    accounts = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("accounts"), blank=True,
                                      related_name="handling_units")

    objects = scoped_queryset("body__division").as_manager()

    class Meta:
        verbose_name = _("handling unit")
        verbose_name_plural = _("handling units")
        ordering = ["body", "name"]
        constraints = [models.UniqueConstraint(fields=["body", "name"], name="handling_unit_name_unique",
                violation_error_message=_("This body already has a handling unit with this name."))]

    def __str__(self):
        return self.name


class SuggestionExtension(models.Model):
    """A unit's request to put the reply off (延期), decided by staff; the reason is kept either way."""

    class State(models.TextChoices):
        PENDING = "pending", _("Awaiting decision")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="extensions")
    until = models.DateField(_("new due date"))
    reason = models.CharField(_("reason"), max_length=500)
    requested_on = models.DateField(_("requested on"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decision_note = models.CharField(_("note on the decision"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["requested_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["suggestion"], condition=Q(state="pending"),
                                    name="suggestion_one_pending_extension",
                violation_error_message=_("This suggestion already has an extension request awaiting decision.")),
            models.CheckConstraint(condition=~Q(reason=""), name="suggestion_extension_has_reason",
                violation_error_message=_("An extension request gives its reason.")),
        ]

    def __str__(self):
        return f"{self.suggestion} → {self.until}"


class SuggestionTransition(TransitionRecord):
    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="transitions")
    from_state, to_state = state_fields(Suggestion.State.choices, 10)


class SupervisionGroup(models.Model):
    """A supervision group of a body (Baitao has four), its deputies and the matters it follows."""

    body = models.ForeignKey(CongressBody, verbose_name=_("congress body"), on_delete=models.PROTECT,
                             related_name="supervision_groups")
    name = models.CharField(_("name"), max_length=100)
    members = models.ManyToManyField("deputies.Person", verbose_name=_("members"), blank=True,
                                     related_name="supervision_groups")
    matters = models.TextField(_("matters followed"), blank=True)

    objects = scoped_queryset("body__division").as_manager()

    class Meta:
        verbose_name = _("supervision group")
        verbose_name_plural = _("supervision groups")
        ordering = ["body", "name"]
        constraints = [models.UniqueConstraint(fields=["body", "name"], name="supervision_group_name_unique",
                violation_error_message=_("This body already has a supervision group with this name."))]

    def __str__(self):
        return self.name


class DutyActivity(models.Model):
    """Duty work recorded as it happens (履职活动): inspections, research visits, trainings, policy outreach."""

    class Kind(models.TextChoices):
        INSPECTION = "inspection", _("Inspection")
        RESEARCH = "research", _("Research visit")
        TRAINING = "training", _("Training")
        OUTREACH = "outreach", _("Policy outreach")
        VISIT = "visit", _("Visit to residents")

    body = models.ForeignKey(CongressBody, verbose_name=_("congress body"), on_delete=models.PROTECT,
                             related_name="duty_activities")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    participants = models.ManyToManyField("deputies.Person", verbose_name=pgettext_lazy("took part", "deputies"),
                                          related_name="duty_activities")

    objects = scoped_queryset("body__division").as_manager()

    class Meta:
        verbose_name = _("duty activity")
        verbose_name_plural = _("duty activities")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.date} {self.title}"
