"""Administrative divisions, congress bodies, terms and sessions; staff accounts and the audit log."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from congress.predicates import staff_scope_path


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows which field leads to the owning Division.

    `in_scope(user)` keeps the rows under the staff member's division; municipal
    staff (and superusers) see everything, an account without a scope sees nothing.
    """

    scope_field = "division"

    def in_scope(self, user):
        prefix = staff_scope_path(user)
        if prefix is None:
            return self.none()
        if prefix == "":
            return self
        return self.filter(**{f"{self.scope_field}__path__startswith": prefix})


def scoped_queryset(field: str) -> type[ScopedQuerySet]:
    return type(f"ScopedQuerySet_{field}", (ScopedQuerySet,), {"scope_field": field})


class DivisionQuerySet(ScopedQuerySet):
    scope_field = "self"

    def in_scope(self, user):
        prefix = staff_scope_path(user)
        if prefix is None:
            return self.none()
        if prefix == "":
            return self
        return self.filter(path__startswith=prefix)


class Division(models.Model):
    """Administrative division (行政区划): municipality → district/county → town, township or sub-district → community/village."""

    class Level(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        DISTRICT = "district", _("District/county")
        TOWN = "town", _("Town")
        TOWNSHIP = "township", _("Township")
        SUBDISTRICT = "subdistrict", _("Sub-district")
        COMMUNITY = "community", _("Community")
        VILLAGE = "village", _("Village")

    # Which level may sit under which: the tree's shape.
    PARENT_LEVELS = {
        Level.MUNICIPALITY: (),
        Level.DISTRICT: (Level.MUNICIPALITY,),
        Level.TOWN: (Level.DISTRICT,),
        Level.TOWNSHIP: (Level.DISTRICT,),
        Level.SUBDISTRICT: (Level.DISTRICT,),
        Level.COMMUNITY: (Level.TOWN, Level.TOWNSHIP, Level.SUBDISTRICT),
        Level.VILLAGE: (Level.TOWN, Level.TOWNSHIP, Level.SUBDISTRICT),
    }
    TOWN_LEVELS = (Level.TOWN, Level.TOWNSHIP)

    code = models.CharField(_("division code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent division"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    # Materialised path of codes ("500000/500108/500108001/"), so "this division
    # and everything under it" is one indexed prefix filter.
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)

    objects = DivisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("administrative division")
        verbose_name_plural = _("administrative divisions")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(level="municipality", parent__isnull=True) | (~Q(level="municipality") & Q(parent__isnull=False))),
                name="division_root_is_municipality",
                violation_error_message=_("Only a municipality stands at the top of the tree; every other division needs a parent."),
            ),
        ]

    def __str__(self):
        return self.name

    def is_within(self, other: Division) -> bool:
        return self.path.startswith(other.path)


class User(AbstractUser):
    """A sign-in account. Staff carry a division that scopes what they see; a deputy's account is linked from deputies.Person."""

    division = models.ForeignKey(
        Division, verbose_name=_("staff scope"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="staff_users",
        help_text=_("Staff see this division and everything under it. Municipal staff see the whole city."),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        swappable = "AUTH_USER_MODEL"


class CongressBody(models.Model):
    """Congress body (机构): a people's congress, its standing committee or presidium, or a sub-district deliberation deputies' congress (街道议事代表会议)."""

    class Kind(models.TextChoices):
        MUNICIPAL_CONGRESS = "municipal_congress", _("Municipal people's congress")
        MUNICIPAL_STANDING_COMMITTEE = "municipal_sc", _("Standing committee of the municipal people's congress")
        DISTRICT_CONGRESS = "district_congress", _("District/county people's congress")
        DISTRICT_STANDING_COMMITTEE = "district_sc", _("Standing committee of the district/county people's congress")
        TOWNSHIP_CONGRESS = "township_congress", _("Town/township people's congress")
        TOWNSHIP_PRESIDIUM = "township_presidium", _("Presidium of the town/township people's congress")
        DELIBERATION_CONGRESS = "deliberation", _("Sub-district deliberation deputies' congress")

    # Which body may sit in which level of division.
    KINDS_BY_LEVEL = {
        Division.Level.MUNICIPALITY: (Kind.MUNICIPAL_CONGRESS, Kind.MUNICIPAL_STANDING_COMMITTEE),
        Division.Level.DISTRICT: (Kind.DISTRICT_CONGRESS, Kind.DISTRICT_STANDING_COMMITTEE),
        Division.Level.TOWN: (Kind.TOWNSHIP_CONGRESS, Kind.TOWNSHIP_PRESIDIUM),
        Division.Level.TOWNSHIP: (Kind.TOWNSHIP_CONGRESS, Kind.TOWNSHIP_PRESIDIUM),
        Division.Level.SUBDISTRICT: (Kind.DELIBERATION_CONGRESS,),
    }
    # A standing committee or presidium belongs to a congress of the same division.
    PARENT_KIND = {
        Kind.MUNICIPAL_STANDING_COMMITTEE: Kind.MUNICIPAL_CONGRESS,
        Kind.DISTRICT_STANDING_COMMITTEE: Kind.DISTRICT_CONGRESS,
        Kind.TOWNSHIP_PRESIDIUM: Kind.TOWNSHIP_CONGRESS,
    }
    MAX_DELIBERATION_SEATS = 100
    USUAL_DELIBERATION_SEATS = (30, 80)

    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    division = models.ForeignKey(Division, verbose_name=_("division"), on_delete=models.PROTECT, related_name="bodies")
    parent = models.ForeignKey(
        "self", verbose_name=_("parent congress"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="organs",
    )
    seats = models.PositiveIntegerField(
        _("authorised seats"), null=True, blank=True,
        help_text=_("How many deputies the body may seat. A deliberation congress never has more than 100."),
    )
    fixed_attendees_vote = models.BooleanField(
        _("fixed attendees vote"), default=False,
        help_text=_("Whether fixed attendees (deputies of other levels) vote in this body's ballots."),
    )
    min_close_turnout_percent = models.PositiveSmallIntegerField(
        _("minimum turnout for closing (%)"), default=50,
        help_text=_("Closing a ballot or survey below this turnout (votes cast out of electors) needs a written "
                    "reason, which is printed on the result."),
    )
    # Five-colour supervision (五色督办) of livelihood projects: progress as a percentage of the progress planned
    # by today. At or above `colour_yellow_below` a project is green; below it yellow, below `colour_orange_below`
    # orange, below `colour_red_below` red (大足 双路街道: below 30% of plan is red).
    colour_yellow_below = models.PositiveSmallIntegerField(
        _("yellow below (% of planned progress)"), default=90,
        help_text=_("A project in implementation below this share of its planned progress is yellow."))
    colour_orange_below = models.PositiveSmallIntegerField(
        _("orange below (% of planned progress)"), default=60,
        help_text=_("Below this share of its planned progress, orange."))
    colour_red_below = models.PositiveSmallIntegerField(
        _("red below (% of planned progress)"), default=30,
        help_text=_("Below this share of its planned progress (or with a milestone overdue), red: a supervision "
                    "task goes to the responsible unit."))
    supervision_task_days = models.PositiveSmallIntegerField(
        _("days to answer a supervision task"), default=15,
        help_text=_("The responsible unit's deadline when a project turns red."))

    objects = scoped_queryset("division").as_manager()

    class Meta:
        verbose_name = _("congress body")
        verbose_name_plural = _("congress bodies")
        ordering = ["division__path", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["division", "kind"], name="body_one_kind_per_division",
                violation_error_message=_("This division already has a congress body of this kind.")),
            models.CheckConstraint(
                condition=~Q(kind="deliberation") | Q(seats__isnull=True) | Q(seats__lte=100),
                name="body_deliberation_seats_at_most_100",
                violation_error_message=_("A sub-district deliberation congress has at most 100 seats."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["municipal_sc", "district_sc", "township_presidium"], parent__isnull=False)
                    | (~Q(kind__in=["municipal_sc", "district_sc", "township_presidium"]) & Q(parent__isnull=True))
                ),
                name="body_organ_has_parent_congress",
                violation_error_message=_("A standing committee or presidium belongs to a congress; a congress has no parent."),
            ),
            models.CheckConstraint(
                condition=Q(min_close_turnout_percent__gte=0, min_close_turnout_percent__lte=100),
                name="body_min_close_turnout_0_to_100",
                violation_error_message=_("The minimum turnout is a percentage from 0 to 100."),
            ),
            models.CheckConstraint(
                condition=Q(colour_red_below__gte=1, colour_orange_below__gt=models.F("colour_red_below"),
                            colour_yellow_below__gt=models.F("colour_orange_below"), colour_yellow_below__lte=100),
                name="body_colour_thresholds_ordered",
                violation_error_message=_("The colour thresholds rise from red to orange to yellow, between 1% and "
                                          "100% of planned progress."),
            ),
            models.CheckConstraint(condition=Q(supervision_task_days__gte=1), name="body_supervision_days_positive",
                                   violation_error_message=_("A supervision task gives the unit at least one day.")),
        ]

    def __str__(self):
        return self.name

    @property
    def is_deliberation(self) -> bool:
        return self.kind == self.Kind.DELIBERATION_CONGRESS


class Term(models.Model):
    """Term (届) of a congress body: five years, numbered."""

    LENGTH_YEARS = 5

    body = models.ForeignKey(CongressBody, verbose_name=_("congress body"), on_delete=models.PROTECT, related_name="terms")
    number = models.PositiveSmallIntegerField(_("term number"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))

    objects = scoped_queryset("body__division").as_manager()

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["body", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["body", "number"], name="term_number_unique_per_body",
                violation_error_message=_("This body already has a term with this number.")),
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")),
                name="term_ends_after_start",
                violation_error_message=_("A term ends after it starts."),
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="term_number_positive",
                violation_error_message=_("The term number starts at 1.")),
        ]

    def __str__(self):
        return _("%(body)s, term %(number)s") % {"body": self.body, "number": self.number}

    def covers(self, day: datetime.date) -> bool:
        return self.start_date <= day <= self.end_date


class Session(models.Model):
    """Session (次会议) of a term, numbered within it: e.g. the fourth session of the sixth congress."""

    term = models.ForeignKey(Term, verbose_name=_("term"), on_delete=models.PROTECT, related_name="sessions")
    number = models.PositiveSmallIntegerField(_("session number"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)

    objects = scoped_queryset("term__body__division").as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["term", "number"]
        constraints = [
            models.UniqueConstraint(fields=["term", "number"], name="session_number_unique_per_term",
                violation_error_message=_("This term already has a session with this number.")),
            models.CheckConstraint(condition=Q(number__gte=1), name="session_number_positive",
                violation_error_message=_("The session number starts at 1.")),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="session_ends_after_start",
                violation_error_message=_("A session ends on or after the day it starts."),
            ),
        ]

    def __str__(self):
        return _("%(term)s, session %(number)s") % {"term": self.term, "number": self.number}


class AuditLog(models.Model):
    """Append-only record of a staff action: who, what, when, before and after.

    Never written for the contents of an anonymous ballot or survey response.
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    action = models.CharField(_("action"), max_length=80)
    object_type = models.CharField(_("object type"), max_length=80)
    object_id = models.CharField(_("object id"), max_length=40)
    object_repr = models.CharField(_("object"), max_length=200)
    division = models.ForeignKey(
        Division, verbose_name=_("division"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    objects = scoped_queryset("division").as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


# --- The secret-ballot core --------------------------------------------------
#
# One mechanism for livelihood-project ballots (projects) and satisfaction
# surveys (meetings); see congress/sealing.py and the README's "Secret ballots".
#
# * `Elector` is the electorate frozen when the poll opens; `VoteRecord` (one
#   per elector, a one-to-one key) says that an elector has voted and how (web
#   or paper). Neither has a timestamp.
# * `SealedBallot` is the sealed ballot box: a web ballot is sealed with the
#   poll's public key (the private key exists only as the scrutineers' share
#   cards) and stored, with its vote record, in the voter's transaction. It may
#   sit next to the voter's row in every way (order, row version, WAL): it is
#   ciphertext of one fixed length.
# * `BallotSlot` is the counting table (opened ballots): paper ballots entered by
#   tellers, and the web ballots the scrutineers opened, written all at once in
#   random order after voting closed, without trackers. The sealed ballots are
#   then destroyed. Contents are bit masks over the candidates' frozen positions
#   (and a score for surveys), so the tally is one aggregate query.


class SecretPoll(models.Model):
    """Secret poll (无记名投票): the electorate and ballot box under a project ballot or a satisfaction survey."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        TALLIED = "tallied", _("Counted")
        CERTIFIED = "certified", _("Certified")

    TRANSITIONS = {
        State.DRAFT: (State.OPEN,),
        State.OPEN: (State.CLOSED,),
        State.CLOSED: (State.TALLIED,),
        State.TALLIED: (State.TALLIED, State.CERTIFIED),
        State.CERTIFIED: (),
    }
    # "count": the first count of a closed poll (a counted one is counted again by a plain move to "tallied");
    # "void": a closed poll whose box cannot be opened goes back to a draft (polls.poll_void)
    ACTIONS = {"open": State.OPEN, "close": State.CLOSED, "count": (State.TALLIED, (State.CLOSED,)),
               "certify": State.CERTIFIED, "void": (State.DRAFT, (State.CLOSED,))}
    REFUSED_MOVE = _("A poll that is %(state)s cannot become %(to)s.")

    class Purpose(models.TextChoices):
        PROJECT_BALLOT = "project_ballot", _("Livelihood-project ballot")
        SURVEY = "survey", _("Satisfaction survey")

    MAX_OPTIONS = 62  # positions in a signed 64-bit mask

    body = models.ForeignKey(CongressBody, verbose_name=_("congress body"), on_delete=models.PROTECT, related_name="polls")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    title = models.CharField(_("title"), max_length=200)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.DRAFT)
    opens_at = models.DateTimeField(_("voting opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("voting closes"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    # Who closed it (whoever certifies must be someone else), and why, when it closed early or on a thin turnout.
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("closed by"), null=True, blank=True,
                                  editable=False, on_delete=models.PROTECT, related_name="+")
    close_reason = models.CharField(_("reason for closing"), max_length=300, blank=True, editable=False)
    electorate_size = models.PositiveIntegerField(_("electorate"), default=0, editable=False)
    seated_count = models.PositiveIntegerField(
        _("seated deputies"), default=0, editable=False,
        help_text=_("Deputies holding a seat in the body when the poll opened."),
    )
    # Set when the poll belongs to a meeting: it opens only with quorum, frozen here.
    requires_quorum = models.BooleanField(_("requires quorum"), default=False, editable=False)
    quorum_members = models.PositiveIntegerField(_("voting members"), null=True, blank=True, editable=False)
    quorum_present = models.PositiveIntegerField(_("voting members present"), null=True, blank=True, editable=False)
    # The seal: the public key only; the private key lives on the scrutineers' cards (congress/sealing.py).
    public_key = models.BinaryField(_("public key"), max_length=32, null=True, blank=True, editable=False)
    scrutineers = models.JSONField(_("scrutineers"), default=list, blank=True, editable=False)
    share_threshold = models.PositiveSmallIntegerField(_("cards needed to open"), null=True, blank=True,
                                                       editable=False)
    unsealed_at = models.DateTimeField(_("ballot box opened at"), null=True, blank=True, editable=False)
    trackers = models.JSONField(_("trackers of the opened ballots"), default=list, blank=True, editable=False)
    # The meeting hall (GB 50799-2012 §6.2): a poll may admit only the deputies signed in and still in the hall,
    # and its result goes on the hall screen as soon as it is counted, or only once certified.
    present_only = models.BooleanField(
        _("present deputies only"), default=False,
        help_text=_("Only deputies signed in at the meeting, and still in the hall, may vote."))

    class HallResult(models.TextChoices):
        COUNTED = "counted", _("As soon as it is counted")
        CERTIFIED = "certified", _("Only once certified")

    hall_result = models.CharField(_("result on the hall screen"), max_length=10, choices=HallResult.choices,
                                   default=HallResult.COUNTED)

    objects = scoped_queryset("body__division").as_manager()

    class Meta:
        verbose_name = _("secret poll")
        verbose_name_plural = _("secret polls")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True) | Q(opens_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                name="poll_closes_after_opening",
                violation_error_message=_("Voting closes after it opens."),
            ),
        ]

    def __str__(self):
        return self.title

    # What pages ask of a poll beside its moves (congress.workflows.can): the box, paper ballots, the result.
    @property
    def takes_paper(self) -> bool:
        """Paper ballots are entered while voting is open and after it closes, until the box is opened."""
        return self.state in (self.State.OPEN, self.State.CLOSED)

    @property
    def box_to_open(self) -> bool:
        return self.state == self.State.CLOSED and not self.unsealed_at

    @property
    def has_result(self) -> bool:
        return self.state in (self.State.TALLIED, self.State.CERTIFIED)


class Elector(models.Model):
    """One person on a poll's frozen electorate (投票人名单)."""

    poll = models.ForeignKey(SecretPoll, on_delete=models.CASCADE, related_name="electors")
    person = models.ForeignKey("deputies.Person", on_delete=models.PROTECT, related_name="+")
    # For a present-only poll: signed in at the meeting and not left. Kept by the meeting's attendance services.
    in_hall = models.BooleanField(default=True, editable=False)

    class Meta:
        verbose_name = _("elector")
        verbose_name_plural = _("electors")
        constraints = [models.UniqueConstraint(fields=["poll", "person"], name="elector_once_per_poll",
                violation_error_message=_("This deputy is already on the list of voters."))]

    def __str__(self):
        return f"{self.person} · {self.poll}"


class VoteRecord(models.Model):
    """That an elector has voted, and how. One per elector: the database refuses a second."""

    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        PAPER = "paper", _("Paper")

    elector = models.OneToOneField(Elector, on_delete=models.CASCADE, related_name="vote_record")
    poll = models.ForeignKey(SecretPoll, on_delete=models.CASCADE, related_name="vote_records")
    channel = models.CharField(max_length=5, choices=Channel.choices)

    class Meta:
        verbose_name = _("vote record")
        verbose_name_plural = _("vote records")

    def __str__(self):
        return f"{self.elector} · {self.get_channel_display()}"


class SealedBallot(models.Model):
    """A web ballot in the sealed ballot box: ciphertext of a fixed length, and its tracker. Destroyed at opening."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(SecretPoll, on_delete=models.CASCADE, related_name="sealed_ballots")
    sealed = models.BinaryField()
    tracker = models.CharField(max_length=23)

    class Meta:
        verbose_name = _("sealed ballot")
        verbose_name_plural = _("sealed ballots")
        constraints = [models.UniqueConstraint(
            fields=["poll", "tracker"], name="sealed_tracker_unique_per_poll",
            violation_error_message=_("Two sealed ballots in one ballot box cannot have the same tracker."))]

    def __str__(self):
        return str(_("sealed ballot"))


class BallotSlot(models.Model):
    """The counting table: one opened ballot (web, opened by the scrutineers, or paper, entered by tellers).

    Web ballots arrive here only when the box is opened, all in one transaction, in random order.
    """

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        BLANK = "blank", _("Blank")
        INVALID = "invalid", _("Invalid")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(SecretPoll, on_delete=models.CASCADE, related_name="slots")
    status = models.CharField(max_length=8, choices=Status.choices)
    approvals = models.BigIntegerField(default=0)
    rejections = models.BigIntegerField(default=0)
    abstentions = models.BigIntegerField(default=0)
    score = models.SmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("counted ballot")
        verbose_name_plural = _("counted ballots")
        indexes = [models.Index(fields=["poll", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                                   name="slot_score_0_to_100",
                violation_error_message=_("A score is between 0 and 100.")),
            models.CheckConstraint(
                condition=Q(approvals__gte=0, rejections__gte=0, abstentions__gte=0), name="slot_masks_non_negative",
                violation_error_message=_("A ballot's marks cannot be negative.")
            ),
        ]

    def __str__(self):
        return str(_("ballot"))
