"""Livelihood projects (民生实事项目) and the deputies' ballots on them (代表票决).

"Residents propose, deputies decide, the government implements, the congress supervises."
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from congress.files import ATTACHMENT_KINDS, FileKindValidator, UnguessablePath
from congress.models import CongressBody, SecretPoll, Session, scoped_queryset
from congress.workflows import TransitionRecord, state_fields

YEAR_VALIDATORS = [MinValueValidator(2000, _("The year is between 2000 and 2100.")),
                   MaxValueValidator(2100, _("The year is between 2000 and 2100."))]


class Category(models.Model):
    """A project category (transport, elderly care, parking, ...). Configurable by staff."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("project category")
        verbose_name_plural = _("project categories")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Colour(models.TextChoices):
    """Five-colour supervision (五色督办): how far a project in implementation is from its plan."""

    BLUE = "blue", pgettext_lazy("project colour", "Blue: completed")
    GREEN = "green", pgettext_lazy("project colour", "Green: on plan")
    YELLOW = "yellow", pgettext_lazy("project colour", "Yellow: slightly behind")
    ORANGE = "orange", pgettext_lazy("project colour", "Orange: behind")
    RED = "red", pgettext_lazy("project colour", "Red: seriously behind")


class Project(models.Model):
    """A livelihood project (民生实事项目): from a resident's proposal to its evaluation."""

    class State(models.TextChoices):
        SOLICITED = "solicited", _("Solicited")
        APPRAISAL = "appraisal", _("Under appraisal")
        CANDIDATE = "candidate", _("Candidate")
        NOT_ADOPTED = "not_adopted", _("Not adopted")
        ON_BALLOT = "on_ballot", _("On ballot")
        SELECTED = "selected", _("Selected")
        NOT_SELECTED = "not_selected", _("Not selected")
        IMPLEMENTATION = "implementation", _("In implementation")
        COMPLETED = "completed", _("Completed")
        EVALUATED = "evaluated", _("Evaluated")

    # The pipeline. A move not listed here is refused.
    TRANSITIONS = {
        State.SOLICITED: (State.APPRAISAL, State.NOT_ADOPTED),
        State.APPRAISAL: (State.CANDIDATE, State.NOT_ADOPTED),
        State.CANDIDATE: (State.ON_BALLOT, State.NOT_ADOPTED, State.APPRAISAL),
        State.ON_BALLOT: (State.SELECTED, State.NOT_SELECTED, State.CANDIDATE),
        State.SELECTED: (State.IMPLEMENTATION,),
        State.IMPLEMENTATION: (State.COMPLETED,),
        State.COMPLETED: (State.EVALUATED,),
        State.NOT_ADOPTED: (),
        State.NOT_SELECTED: (),
        State.EVALUATED: (),
    }
    NEEDS_REASON = (State.NOT_ADOPTED,)
    REFUSED_MOVE = _("A project that is “%(from)s” cannot become “%(to)s”.")

    class Source(models.TextChoices):
        ONLINE = "online", _("Online (public form)")
        STATION = "station", _("Liaison station")
        RECEPTION = "reception", _("Reception day")
        VISIT = "visit", _("Deputy visit")
        OPINION = "opinion", _("Resident opinion")
        STAFF = "staff", _("Congress office")

    body = models.ForeignKey(CongressBody, verbose_name=_("congress body"), on_delete=models.PROTECT, related_name="projects")
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    title = models.CharField(_("title"), max_length=120)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="projects")
    description = models.TextField(_("description"))
    estimated_budget = models.DecimalField(_("estimated budget (10,000 yuan)"), max_digits=12, decimal_places=2,
                                           null=True, blank=True)
    responsible_unit = models.CharField(_("responsible unit"), max_length=120, blank=True)
    # the same unit that handles deputies' suggestions (承办单位); when set, responsible_unit carries its name,
    # and the free text stays for projects from before units were kept
    handling_unit = models.ForeignKey("deputies.HandlingUnit", verbose_name=_("handling unit"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="projects")
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    source_detail = models.CharField(_("source detail"), max_length=200, blank=True,
                                     help_text=_("Which station, reception day or visit; or the resident opinion's reference."))
    opinion = models.ForeignKey("deputies.ResidentOpinion", verbose_name=_("from resident opinion"), null=True,
                                blank=True, on_delete=models.PROTECT, related_name="projects")
    # what the proposer quotes when asking after it (as for residents' opinions); set by project_propose
    reference = models.CharField(_("reference"), max_length=12, unique=True, null=True, blank=True, editable=False)
    proposer_name = models.CharField(_("proposer"), max_length=50, blank=True)
    proposer_contact = models.CharField(_("proposer's contact"), max_length=50, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.SOLICITED)
    state_reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    # implementation
    budget = models.DecimalField(_("budget (10,000 yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    planned_completion = models.DateField(_("planned completion"), null=True, blank=True)
    progress_percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    planned_start = models.DateField(_("planned start"), null=True, blank=True,
                                     help_text=_("Planned progress runs from here to the planned completion; "
                                                 "without it, from the first of January of the project's year."))
    unit_email = models.EmailField(_("responsible unit's e-mail"), blank=True,
                                   help_text=_("Where supervision tasks and colour changes are sent."))
    # five-colour supervision (五色督办); set only by projects.services.project_recolour
    colour = models.CharField(_("colour"), max_length=8, choices=Colour.choices, blank=True, editable=False)
    colour_reason = models.CharField(_("why this colour"), max_length=200, blank=True, editable=False)

    objects = scoped_queryset("body__division").as_manager()

    class Meta:
        verbose_name = _("livelihood project")
        verbose_name_plural = _("livelihood projects")
        ordering = ["-year", "body", "title"]
        indexes = [models.Index(fields=["body", "year", "state"])]
        constraints = [
            models.CheckConstraint(condition=Q(progress_percent__lte=100), name="project_progress_at_most_100",
                violation_error_message=_("Progress is at most 100%.")),
            models.CheckConstraint(condition=~Q(state="not_adopted") | ~Q(state_reason=""),
                                   name="project_not_adopted_has_reason",
                                   violation_error_message=_("A project that is not adopted needs a reason.")),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="project_year_plausible",
                violation_error_message=_("The year is between 2000 and 2100.")),
        ]

    def __str__(self):
        return self.title

    @property
    def in_implementation(self) -> bool:
        """Milestones, progress reports and deputies' site visits are recorded only now."""
        return self.state == self.State.IMPLEMENTATION

    @property
    def implemented(self) -> bool:
        """In implementation or past it: the page shows the implementation and its progress."""
        return self.state in (self.State.IMPLEMENTATION, self.State.COMPLETED, self.State.EVALUATED)


class ProjectTransition(TransitionRecord):
    """One move of a project through the pipeline, with who and when."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="transitions")
    from_state, to_state = state_fields(Project.State.choices, 16)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("project state change")
        verbose_name_plural = _("project state changes")


class Ballot(models.Model):
    """A deputies' ballot on livelihood projects (民生实事项目票决). Its rules are fixed when it opens."""

    class Method(models.TextChoices):
        APPROVE_UP_TO = "approve", _("Approve up to N")
        FOR_AGAINST = "for_against", _("For / against / abstain on each")

    class Threshold(models.TextChoices):
        NONE = "none", _("None")
        HALF_OF_CAST = "half_cast", _("More than half of the ballots cast")
        HALF_OF_SEATED = "half_seated", _("More than half of all seated deputies")

    class TieRule(models.TextChoices):
        INCLUDE_ALL = "include_all", _("Include all projects tied at the cut-off")
        STAFF_BREAK = "staff_break", _("Staff break the tie with a recorded reason")
        RUNOFF = "runoff", _("A run-off round among the tied projects")

    class TallyState(models.TextChoices):
        NONE = "", _("Not counted")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Counting")
        DONE = "done", _("Counted")
        FAILED = "failed", _("Failed")

    # The count: queued when the box is opened, run by its task (which may be delivered again; the service may also
    # be called directly), done or failed.
    # A finished count is queued again only by "count_again" (a recount or a retry), and a voided ballot's count
    # is cleared only if it never finished.
    TALLY_STATE_TRANSITIONS = {
        TallyState.NONE: (TallyState.QUEUED, TallyState.RUNNING, TallyState.DONE),
        TallyState.QUEUED: (TallyState.RUNNING, TallyState.DONE, TallyState.FAILED),
        TallyState.RUNNING: (TallyState.RUNNING, TallyState.DONE, TallyState.FAILED),
        TallyState.DONE: (TallyState.RUNNING, TallyState.DONE),
        TallyState.FAILED: (TallyState.RUNNING, TallyState.DONE, TallyState.FAILED),
    }
    TALLY_STATE_ACTIONS = {
        "count_again": (TallyState.QUEUED, tuple(TallyState)),
        "void": (TallyState.NONE, (TallyState.NONE, TallyState.QUEUED, TallyState.RUNNING, TallyState.FAILED)),
    }
    TALLY_STATE_REFUSED_MOVE = _("A count that is “%(from)s” cannot become “%(to)s”.")

    poll = models.OneToOneField(SecretPoll, on_delete=models.PROTECT, related_name="project_ballot")
    session = models.ForeignKey(Session, verbose_name=_("session"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="project_ballots")
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    method = models.CharField(_("method"), max_length=12, choices=Method.choices, default=Method.APPROVE_UP_TO)
    max_choices = models.PositiveSmallIntegerField(_("at most N choices"), null=True, blank=True,
                                                   help_text=_("For 'approve up to N': how many projects a deputy may select."))
    seats = models.PositiveSmallIntegerField(_("projects to adopt"), validators=[
        MinValueValidator(1, _("A ballot adopts at least one project.")),
        MaxValueValidator(SecretPoll.MAX_OPTIONS, _("A ballot lists at most %(limit_value)s projects."))])
    threshold = models.CharField(_("threshold"), max_length=12, choices=Threshold.choices, default=Threshold.NONE)
    tie_rule = models.CharField(_("ties at the cut-off"), max_length=12, choices=TieRule.choices,
                                default=TieRule.INCLUDE_ALL)
    fixed_attendees_vote = models.BooleanField(_("fixed attendees vote"), default=False, editable=False)
    tally_state = models.CharField(_("count"), max_length=8, choices=TallyState.choices, default="", blank=True)
    tally_error = models.CharField(max_length=300, blank=True)
    tie_break_reason = models.CharField(_("tie-break reason"), max_length=300, blank=True)
    # A run-off (round 2, 3, ...) is a ballot of its own among the projects tied at the previous round's cut-off,
    # for the seats left; the previous round keeps its result.
    previous_round = models.OneToOneField("self", verbose_name=_("previous round"), null=True, blank=True,
                                          editable=False, on_delete=models.PROTECT, related_name="runoff")
    round_number = models.PositiveSmallIntegerField(pgettext_lazy("ballot", "round"), default=1, editable=False)

    objects = scoped_queryset("poll__body__division").as_manager()

    class Meta:
        verbose_name = _("project ballot")
        verbose_name_plural = _("project ballots")
        ordering = ["-year", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(seats__gte=1), name="ballot_seats_positive",
                violation_error_message=_("A ballot adopts at least one project.")),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="ballot_year_plausible",
                                   violation_error_message=_("The year is between 2000 and 2100.")),
            # "approve up to N": a deputy approves at most as many projects as the ballot adopts
            models.CheckConstraint(condition=Q(max_choices__isnull=True) | Q(max_choices__lte=models.F("seats")),
                                   name="ballot_max_choices_at_most_seats",
                                   violation_error_message=_(
                                       "A deputy may choose at most as many projects as are to be adopted: N cannot "
                                       "be larger than the number of projects to adopt.")),
            models.CheckConstraint(
                condition=Q(previous_round__isnull=True, round_number=1)
                | Q(previous_round__isnull=False, round_number__gte=2),
                name="ballot_round_follows_previous",
                violation_error_message=_("Round 1 has no previous round; a run-off round follows one.")),
            models.CheckConstraint(
                condition=~Q(method="approve") | Q(max_choices__gte=1),
                name="ballot_approve_has_max_choices",
                violation_error_message=_("An 'approve up to N' ballot needs N."),
            ),
        ]

    def __str__(self):
        return self.poll.title

    @property
    def body(self) -> CongressBody:
        return self.poll.body

    @property
    def is_runoff(self) -> bool:
        return self.previous_round_id is not None

    @property
    def may_count_again(self) -> bool:
        """A count can be run again once the box is open, until the result is certified (`ballot_count_again`)."""
        poll = self.poll
        return (poll.state == poll.State.CLOSED and bool(poll.unsealed_at)) or poll.state == poll.State.TALLIED


class BallotCandidate(models.Model):
    """A project on a ballot, at a fixed position (the bit it occupies in every ballot)."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="candidates")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="ballot_entries")
    position = models.PositiveSmallIntegerField()
    votes_for = models.PositiveIntegerField(_("for / approvals"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("against"), null=True, blank=True)
    votes_abstain = models.PositiveIntegerField(_("abstain"), null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    adopted = models.BooleanField(_("adopted"), null=True, blank=True)
    reason = models.CharField(_("why"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("candidate project")
        verbose_name_plural = _("candidate projects")
        ordering = ["ballot", "position"]
        constraints = [
            models.UniqueConstraint(fields=["ballot", "position"], name="candidate_position_unique",
                violation_error_message=_("Two candidates cannot share a position on the ballot.")),
            models.UniqueConstraint(fields=["ballot", "project"], name="candidate_project_once",
                violation_error_message=_("A project is listed twice.")),
            models.CheckConstraint(condition=Q(position__lt=SecretPoll.MAX_OPTIONS), name="candidate_position_fits_mask",
                violation_error_message=_("A ballot lists at most 62 projects.")),
        ]

    def __str__(self):
        return f"{self.position + 1}. {self.project}"


class TallyResult(models.Model):
    """The stored count of a ballot, with a checksum of its canonical form. Recounting gives the same row."""

    ballot = models.OneToOneField(Ballot, on_delete=models.PROTECT, related_name="result")
    data = models.JSONField()
    checksum = models.CharField(max_length=64)
    counted_at = models.DateTimeField(auto_now=True)
    certified_at = models.DateTimeField(null=True, blank=True)
    certified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    # The scrutineers (监票人) present at the count, named by whoever certified; printed on the result.
    scrutineers = models.JSONField(_("scrutineers"), default=list, blank=True)

    class Meta:
        verbose_name = _("ballot result")
        verbose_name_plural = _("ballot results")

    def __str__(self):
        return f"{self.ballot} · {self.checksum[:12]}"


class Milestone(models.Model):
    """A dated milestone of a project in implementation."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=120)
    due_date = models.DateField(_("due"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    overdue = models.BooleanField(_("overdue"), default=False)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_date", "id"]

    def __str__(self):
        return self.title

    def is_overdue_on(self, day: datetime.date) -> bool:
        return self.done_on is None and self.due_date < day


class ProgressReport(models.Model):
    """A dated progress report on a project in implementation."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="progress_reports")
    date = models.DateField(_("date"))
    percent = models.PositiveSmallIntegerField(_("progress (%)"))
    text = models.TextField(_("report"))
    attachment = models.FileField(_("attachment"), upload_to=UnguessablePath("progress"), blank=True,
                                  validators=[FileKindValidator(*ATTACHMENT_KINDS)])
    public = models.BooleanField(_("on the public page"), default=False,
                                 help_text=_("Show this report (and its photo) on the project's public page (民生码)."))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-date", "-id"]
        constraints = [models.CheckConstraint(condition=Q(percent__lte=100), name="progress_percent_at_most_100",
                violation_error_message=_("Progress is at most 100%."))]

    def __str__(self):
        return f"{self.project} {self.date} {self.percent}%"


PHOTO_KINDS = ("jpg", "png", "webp")


class ColourChange(models.Model):
    """A change of a project's colour, kept in its history: from the daily recolouring or a progress report."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="colour_changes")
    from_colour = models.CharField(_("from"), max_length=8, choices=Colour.choices, blank=True)
    to_colour = models.CharField(_("to"), max_length=8, choices=Colour.choices, blank=True)
    reason = models.CharField(_("why"), max_length=200, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("colour change")
        verbose_name_plural = _("colour changes")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.project} {self.from_colour}→{self.to_colour}"


class SupervisionTask(models.Model):
    """A supervision task (督办任务) sent to the responsible unit when its project turns red, with a deadline."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="supervision_tasks")
    unit = models.CharField(_("responsible unit"), max_length=120)
    # the unit whose accounts see the task in their queue (none for a project named only by free text)
    handling_unit = models.ForeignKey("deputies.HandlingUnit", verbose_name=_("handling unit"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="supervision_tasks")
    reason = models.CharField(_("why"), max_length=200)
    opened_on = models.DateField(_("opened on"))
    due_date = models.DateField(_("due"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    outcome = models.TextField(_("what the unit did"), blank=True)
    notified_at = models.DateTimeField(_("unit and deputies notified"), null=True, blank=True)

    class Meta:
        verbose_name = _("supervision task")
        verbose_name_plural = _("supervision tasks")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["project"], condition=Q(closed_on__isnull=True),
                                    name="supervision_task_one_open_per_project",
                                    violation_error_message=_("This project already has an open supervision task.")),
            models.CheckConstraint(condition=Q(due_date__gt=models.F("opened_on")), name="supervision_task_due_after_opened",
                                   violation_error_message=_("A supervision task is due after the day it opens.")),
            models.CheckConstraint(condition=Q(closed_on__isnull=True) | ~Q(outcome=""),
                                   name="supervision_task_closed_has_outcome",
                                   violation_error_message=_("Say what the unit did before closing the task.")),
        ]

    def __str__(self):
        return f"{self.project} · {self.due_date}"


class ProjectSupervisor(models.Model):
    """A supervising deputy (监督代表) of a project: one presidium member leads, several deputies join."""

    class Role(models.TextChoices):
        PRESIDIUM = "presidium", _("Presidium member (lead)")
        DEPUTY = "deputy", _("Supervising deputy")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="supervisors")
    person = models.ForeignKey("deputies.Person", verbose_name=_("deputy"), on_delete=models.PROTECT,
                               related_name="supervised_projects")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)

    class Meta:
        verbose_name = _("supervising deputy")
        verbose_name_plural = _("supervising deputies")
        ordering = ["project", "-role", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "person"], name="supervisor_once_per_project",
                                    violation_error_message=_("This deputy already supervises the project.")),
            models.UniqueConstraint(fields=["project"], condition=Q(role="presidium"),
                                    name="supervisor_one_presidium_member",
                                    violation_error_message=_("A project has one presidium member leading its "
                                                              "supervision.")),
        ]

    def __str__(self):
        return f"{self.person} · {self.project}"


class SiteVisit(models.Model):
    """What a supervising deputy found on a visit to the project site (现场督查), with a photo."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="site_visits")
    person = models.ForeignKey("deputies.Person", verbose_name=_("deputy"), on_delete=models.PROTECT,
                               related_name="site_visits")
    date = models.DateField(_("date of the visit"))
    findings = models.TextField(_("findings"))
    photo = models.FileField(_("photo"), upload_to=UnguessablePath("site-visits"), blank=True,
                             validators=[FileKindValidator(*PHOTO_KINDS)])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("site visit")
        verbose_name_plural = _("site visits")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.date} {self.project}"


class ResidentRating(models.Model):
    """A resident's rating of a project from its public page (民生码): 1 to 5 stars, an optional comment.

    No account and nothing about the resident is kept: the rate limit works on the address, which is not stored."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="resident_ratings")
    stars = models.PositiveSmallIntegerField(_("rating"))
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("resident rating")
        verbose_name_plural = _("resident ratings")
        ordering = ["-at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="rating_stars_1_to_5",
                                              violation_error_message=_("A rating is from 1 to 5."))]

    def __str__(self):
        return f"{self.project} {self.stars}"
