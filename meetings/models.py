"""Meetings (会议): annual sessions, mid-year and quarterly meetings, deliberation meetings; their agenda,
attendance and quorum, groups, opinions, satisfaction surveys and printed reports."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from congress.files import REPORT_KINDS, FileKindValidator, UnguessablePath
from congress.models import CongressBody, SecretPoll, Session, scoped_queryset
from congress.workflows import TransitionRecord, state_fields


class Meeting(models.Model):
    """A meeting (会议) of a congress body, moving through preparation → convening → summary → closed."""

    class Kind(models.TextChoices):
        ANNUAL_SESSION = "annual", _("Annual session")
        MIDYEAR_SESSION = "midyear_session", _("Mid-year congress session")
        SPECIAL_REPORT = "special_report", _("Special work report meeting")
        SC_EXPANDED = "sc_expanded", _("Standing committee (expanded) meeting")
        QUARTERLY = "quarterly", _("Township quarterly meeting")
        DELIBERATION_MIDYEAR = "deliberation_midyear", _("Deliberation meeting (mid-year)")
        DELIBERATION_YEAREND = "deliberation_yearend", _("Deliberation meeting (year-end)")
        SC_AD_HOC = "sc_ad_hoc", _("Standing committee meeting")

    class State(models.TextChoices):
        PREPARATION = "preparation", _("Preparation")
        CONVENING = "convening", _("Convening")
        SUMMARY = "summary", _("Summary")
        CLOSED = "closed", pgettext_lazy("meeting", "Closed")

    TRANSITIONS = {
        State.PREPARATION: (State.CONVENING,),
        State.CONVENING: (State.SUMMARY,),
        State.SUMMARY: (State.CLOSED,),
        State.CLOSED: (),
    }
    REFUSED_MOVE = _("A meeting in “%(from)s” cannot move to “%(to)s”.")
    ACTIONS = {"convene": State.CONVENING, "summarise": State.SUMMARY, "close": State.CLOSED}
    # attendance, inspections and opinions put before the meeting are recorded until its summary;
    # deliberation opinions are sent once it convenes
    BEFORE_SUMMARY = (State.PREPARATION, State.CONVENING)
    CONVENED = (State.CONVENING, State.SUMMARY)

    body = models.ForeignKey(CongressBody, verbose_name=_("congress body"), on_delete=models.PROTECT,
                             related_name="meetings")
    session = models.ForeignKey(Session, verbose_name=_("session"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="meetings")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.PREPARATION)
    gathered_opinions = models.ManyToManyField("deputies.ResidentOpinion", verbose_name=_("residents' opinions gathered"),
                                               blank=True, related_name="meetings")
    notice_sent_at = models.DateTimeField(_("notice sent"), null=True, blank=True, editable=False)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True, editable=False)
    # The hall screen (大屏): opened by a secret link staff can revoke; "" when there is none.
    screen_token = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    # The poll the hall screen shows: the one the chair started or announced last.
    hall_poll = models.ForeignKey(SecretPoll, null=True, blank=True, editable=False, on_delete=models.SET_NULL,
                                  related_name="+")

    objects = scoped_queryset("body__division").as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-date", "-id"]

    def __str__(self):
        return self.title

    @property
    def before_summary(self) -> bool:
        return self.state in self.BEFORE_SUMMARY

    @property
    def convened(self) -> bool:
        return self.state in self.CONVENED


class MeetingTransition(TransitionRecord):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="transitions")
    from_state, to_state = state_fields(Meeting.State.choices, 12)
    note = None  # a meeting's moves carry no note


class Attendee(models.Model):
    """An expected attendee, from the mandates; signs in by staff or with a one-time code."""

    class Status(models.TextChoices):
        EXPECTED = "expected", _("Expected")
        PRESENT = "present", _("Present")
        LEAVE = "leave", _("On leave")
        ABSENT = "absent", _("Absent")
        LEFT = "left", _("Left the hall")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    person = models.ForeignKey("deputies.Person", on_delete=models.PROTECT, related_name="attendances")
    voting = models.BooleanField(_("voting member"))
    status = models.CharField(_("attendance"), max_length=10, choices=Status.choices, default=Status.EXPECTED)
    leave_reason = models.CharField(_("reason for leave"), max_length=200, blank=True)
    sign_in_code = models.CharField(_("sign-in code"), max_length=8)
    arrived_at = models.DateTimeField(_("signed in at"), null=True, blank=True, editable=False)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True, editable=False)
    group = models.ForeignKey("MeetingGroup", verbose_name=_("group"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="members")

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ["-voting", "person__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="attendee_once_per_meeting",
                violation_error_message=_("This person is already on the meeting's list.")),
            models.UniqueConstraint(fields=["meeting", "sign_in_code"], name="attendee_code_unique",
                violation_error_message=_("This sign-in code is already in use at this meeting.")),
            models.CheckConstraint(condition=~Q(status="leave") | ~Q(leave_reason=""), name="attendee_leave_has_reason",
                violation_error_message=_("Leave needs a reason.")),
        ]

    def __str__(self):
        return f"{self.person} · {self.meeting}"


class MeetingGroup(models.Model):
    """A group session (分组) of a meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["meeting", "name"]
        constraints = [models.UniqueConstraint(fields=["meeting", "name"], name="group_name_unique",
                violation_error_message=_("This meeting already has a group with this name."))]

    def __str__(self):
        return self.name


class AgendaItem(models.Model):
    """An item of the agenda (议程), in order, with who reports."""

    class Kind(models.TextChoices):
        WORK_REPORT = "work_report", _("Work report")
        SPECIAL_REPORT = "special_report", _("Special work report")
        PROJECT_PROGRESS = "project_progress", _("Livelihood-project progress report")
        SUGGESTION_HANDLING = "suggestions", _("Report on handling deputies' suggestions")
        BUDGET = "budget", _("Budget or final accounts for approval")
        INQUIRY = "inquiry", _("Special inquiry")
        PROJECT_BALLOT = "project_ballot", _("Livelihood-project ballot")
        SURVEY = "survey", _("Satisfaction survey")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    order = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    reporter = models.CharField(_("reported by"), max_length=120, blank=True)
    reporting_unit = models.CharField(_("reporting unit"), max_length=120, blank=True)
    ballot = models.ForeignKey("projects.Ballot", verbose_name=_("project ballot"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="agenda_items")
    projects = models.ManyToManyField("projects.Project", verbose_name=_("projects reported on"), blank=True,
                                      related_name="agenda_items")

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda")
        ordering = ["meeting", "order"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "order"], name="agenda_order_unique",
                violation_error_message=_("Two agenda items cannot share a position.")),
            models.CheckConstraint(condition=~Q(kind="project_ballot") | Q(ballot__isnull=False),
                                   name="agenda_ballot_item_has_ballot",
                violation_error_message=_("A project-ballot agenda item needs its ballot.")),
        ]

    def __str__(self):
        return f"{self.order}. {self.title}"


class InquiryExchange(models.Model):
    """A question and its answer in a special inquiry (专题询问)."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="exchanges")
    asked_by = models.ForeignKey("deputies.Person", on_delete=models.PROTECT, related_name="+")
    question = models.TextField(_("question"))
    answered_by = models.CharField(_("answered by"), max_length=120, blank=True)
    answer = models.TextField(_("answer"), blank=True)

    class Meta:
        ordering = ["item", "id"]

    def __str__(self):
        return self.question[:40]


class Speech(models.Model):
    """A deputy's speech or opinion on an agenda item, in the plenary or a group."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="speeches")
    group = models.ForeignKey(MeetingGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="speeches")
    speaker = models.ForeignKey("deputies.Person", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("speech"))

    class Meta:
        ordering = ["item", "id"]

    def __str__(self):
        return self.text[:40]


class DeliberationOpinion(models.Model):
    """A deliberation opinion (审议意见) sent after the meeting to a responsible unit, tracked until closed."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent to the unit")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", pgettext_lazy("opinion", "Closed")

    STATE_FIELD = "status"
    TRANSITIONS = {
        Status.SENT: (Status.ANSWERED,),
        Status.ANSWERED: (Status.ANSWERED, Status.CLOSED),  # a unit may answer again until the opinion is closed
        Status.CLOSED: (),
    }
    ACTIONS = {"respond": Status.ANSWERED, "close": Status.CLOSED}
    REFUSED_MOVE = _("A deliberation opinion that is “%(from)s” cannot become “%(to)s”.")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="opinions")
    item = models.ForeignKey(AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="opinions")
    text = models.TextField(_("opinion"))
    unit = models.CharField(_("responsible unit"), max_length=120)
    due_date = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SENT)
    response = models.TextField(_("response"), blank=True)
    responded_on = models.DateField(_("responded on"), null=True, blank=True)
    overdue = models.BooleanField(_("overdue"), default=False)

    class Meta:
        verbose_name = _("deliberation opinion")
        verbose_name_plural = _("deliberation opinions")
        ordering = ["meeting", "due_date", "id"]

    def __str__(self):
        return self.text[:40]


class Inspection(models.Model):
    """A pre-meeting inspection or research visit (视察调研)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="inspections")
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    findings = models.TextField(_("findings"))
    participants = models.ManyToManyField("deputies.Person", related_name="inspections", blank=True)

    class Meta:
        ordering = ["meeting", "date", "id"]

    def __str__(self):
        return f"{self.date} {self.place}"


class SatisfactionSurvey(models.Model):
    """An anonymous satisfaction survey (满意度测评) of one subject, on the secret-ballot core."""

    class Scale(models.TextChoices):
        POINTS = "points", _("0–100 points")
        GRADES = "grades", _("Grades (satisfied / basically satisfied / dissatisfied)")
        RATINGS = "ratings", _("Three-level ratings of several items, with the Zhenhai rule")

    class RatingBase(models.TextChoices):
        MEMBERS = "members", _("All voting members")
        PRESENT = "present", _("The voting members present")

    GRADES = [(2, pgettext_lazy("rating", "Satisfied")), (1, pgettext_lazy("rating", "Basically satisfied")),
              (0, pgettext_lazy("rating", "Dissatisfied"))]
    DEFAULT_BANDS = [90, 80, 60]  # ≥90, 80–89, 60–79, <60

    poll = models.OneToOneField(SecretPoll, on_delete=models.PROTECT, related_name="survey")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="surveys")
    item = models.ForeignKey(AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="surveys")
    subject = models.CharField(_("subject"), max_length=200,
                               help_text=_("The report, unit or project scored; surveys of the same subject are compared."))
    project = models.ForeignKey("projects.Project", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="surveys")
    scale = models.CharField(_("scale"), max_length=8, choices=Scale.choices, default=Scale.POINTS)
    bands = models.JSONField(_("grade bands"), default=list, blank=True,
                             help_text=_("Lower bounds of the point bands, highest first, e.g. [90, 80, 60]."))
    # three-level ratings (the Zhenhai rule): an item is "satisfied" when its 满意 votes are more than
    # `rating_percent` % of the base, "basically satisfied" when 满意 and 基本满意 together are, else "dissatisfied"
    rating_base = models.CharField(_("ratings counted against"), max_length=8, choices=RatingBase.choices,
                                   default=RatingBase.MEMBERS)
    rating_percent = models.PositiveSmallIntegerField(
        _("ratings threshold (%)"), default=50,
        help_text=_("An item is satisfied when more than this share of the base rate it satisfied (50: more than "
                    "half; exactly half is not enough)."))
    quorum_present = models.PositiveIntegerField(null=True, blank=True, editable=False)
    quorum_members = models.PositiveIntegerField(null=True, blank=True, editable=False)

    objects = scoped_queryset("meeting__body__division").as_manager()

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        ordering = ["meeting", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(rating_percent__gte=1, rating_percent__lte=99),
                                   name="survey_rating_percent_range",
                                   violation_error_message=_("The ratings threshold is a percentage from 1 to 99.")),
        ]

    def __str__(self):
        return self.subject


class SurveyItem(models.Model):
    """One item rated on a three-level ratings survey, at a fixed position (the bit it occupies in every response),
    grouped by area (e.g. 21 items in 10 areas)."""

    survey = models.ForeignKey(SatisfactionSurvey, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    area = models.CharField(_("area"), max_length=60, blank=True)
    title = models.CharField(pgettext_lazy("rated", "item"), max_length=200)

    class Meta:
        verbose_name = _("rated item")
        verbose_name_plural = _("rated items")
        ordering = ["survey", "position"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "position"], name="survey_item_position_unique",
                                    violation_error_message=_("Two rated items cannot share a position.")),
            models.CheckConstraint(condition=Q(position__lt=SecretPoll.MAX_OPTIONS), name="survey_item_fits_mask",
                                   violation_error_message=_("A survey rates at most 62 items.")),
        ]

    def __str__(self):
        return self.title


class Report(models.Model):
    """A built report (survey report or printed meeting report), stored and downloadable."""

    class Kind(models.TextChoices):
        SURVEY = "survey", _("Survey report")
        MEETING = "meeting", _("Meeting report")
        SIGN_IN_SHEET = "sign_in", _("Sign-in sheet")
        PAPER_FORMS = "paper_forms", _("Paper ballots and survey forms")

    class State(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("report", "Queued")
        BUILDING = "building", _("Building")
        DONE = "done", _("Ready")
        FAILED = "failed", pgettext_lazy("report", "Failed")

    # A ready report is never queued again (a new one is requested); only a failed one is built again.
    TRANSITIONS = {
        State.QUEUED: (State.BUILDING, State.DONE, State.FAILED),
        State.BUILDING: (State.BUILDING, State.DONE, State.FAILED),
        State.DONE: (State.DONE, State.FAILED),  # a task delivered again stores new content, or fails
        State.FAILED: (State.QUEUED, State.BUILDING, State.DONE, State.FAILED),
    }
    ACTIONS = {"rebuild": (State.QUEUED, (State.FAILED,))}
    REFUSED_MOVE = _("A report that is “%(from)s” cannot become “%(to)s”.")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reports")
    survey = models.ForeignKey(SatisfactionSurvey, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="reports")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    content_checksum = models.CharField(max_length=64, blank=True)
    pdf = models.FileField(upload_to=UnguessablePath("reports"), blank=True,
                           validators=[FileKindValidator(*REPORT_KINDS)])
    html = models.TextField(blank=True)
    error = models.CharField(max_length=300, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("meeting report", "report")
        verbose_name_plural = pgettext_lazy("meeting report", "reports")
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="report_progress_at_most_100",
                violation_error_message=_("Progress is at most 100%."))]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.meeting}"
