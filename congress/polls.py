"""Services of the secret-ballot core: open, cast (web and paper), close, count.

Used by project ballots (projects) and satisfaction surveys (meetings), which
add their own rules on top. See the comment above `SecretPoll` in models.py and
the README's "Secret ballots" section for the secrecy design.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from congress.models import BallotSlot, Elector, SecretPoll, VoteRecord
from congress.services import audit_record

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


class PollError(ValidationError):
    """A refused poll action; its message is for the person who tried."""


def transition(poll: SecretPoll, to: str) -> None:
    if to not in SecretPoll.TRANSITIONS[SecretPoll.State(poll.state)]:
        raise PollError(
            _("A poll that is %(state)s cannot become %(to)s.")
            % {"state": poll.get_state_display(), "to": SecretPoll.State(to).label}
        )
    poll.state = to


def new_receipt() -> str:
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def lock(poll: SecretPoll) -> SecretPoll:
    return SecretPoll.objects.select_for_update().get(pk=poll.pk)


@dataclass(frozen=True)
class Quorum:
    """Voting members present out of all voting members: reached with more than half."""

    members: int
    present: int

    @property
    def reached(self) -> bool:
        return self.members > 0 and 2 * self.present > self.members


@transaction.atomic
def poll_require_quorum(*, poll: SecretPoll) -> None:
    SecretPoll.objects.filter(pk=poll.pk).update(requires_quorum=True)
    poll.requires_quorum = True


@transaction.atomic
def poll_open(*, poll: SecretPoll, electors: Iterable, seated_count: int, acting_user=None,
              quorum: Quorum | None = None) -> SecretPoll:
    """Freeze the electorate (and the quorum, for a meeting's poll) and set out one empty slot per elector."""
    poll = lock(poll)
    transition(poll, SecretPoll.State.OPEN)
    if poll.requires_quorum:
        if quorum is None:
            raise PollError(_("This poll belongs to a meeting: open it from the meeting's page, where quorum is checked."))
        if not quorum.reached:
            raise PollError(
                _("No quorum: %(present)s of %(members)s voting members are present; more than half must be.")
                % {"present": quorum.present, "members": quorum.members}
            )
    if quorum is not None:
        poll.quorum_members, poll.quorum_present = quorum.members, quorum.present
    people = list(electors)
    if not people:
        raise PollError(_("Nobody may vote in this poll: no one holds a voting mandate in the body on this date."))
    Elector.objects.bulk_create([Elector(poll=poll, person=p) for p in people], batch_size=1000)
    BallotSlot.objects.bulk_create([BallotSlot(id=uuid.uuid4(), poll=poll) for _ in people], batch_size=1000)
    now = timezone.now()
    poll.opened_at = now
    poll.opens_at = poll.opens_at or now
    poll.electorate_size = len(people)
    poll.seated_count = seated_count
    poll.save(update_fields=["state", "opened_at", "opens_at", "electorate_size", "seated_count", "quorum_members",
                             "quorum_present"])
    audit_record(actor=acting_user, action="poll.open", obj=poll, division=poll.body.division,
                 after={"electorate": len(people), "seated": seated_count})
    return poll


def voting_window_open(poll: SecretPoll, now=None) -> bool:
    now = now or timezone.now()
    if poll.state != SecretPoll.State.OPEN:
        return False
    if poll.opens_at and now < poll.opens_at:
        return False
    return not (poll.closes_at and now >= poll.closes_at)


def _draw_empty_slot(poll: SecretPoll) -> BallotSlot:
    qs = BallotSlot.objects.filter(poll=poll, status=BallotSlot.Status.EMPTY)
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True)
    slot = qs.order_by("?").first()
    if slot is None:  # cannot happen while voters <= slots; refuse rather than lose a ballot
        raise PollError(_("The ballot box is full."))
    return slot


@dataclass(frozen=True)
class Contents:
    status: str = BallotSlot.Status.VALID
    approvals: int = 0
    rejections: int = 0
    abstentions: int = 0
    score: int | None = None


def _fill(slot: BallotSlot, contents: Contents, receipt: str | None) -> None:
    slot.status = contents.status
    slot.approvals = contents.approvals
    slot.rejections = contents.rejections
    slot.abstentions = contents.abstentions
    slot.score = contents.score
    slot.receipt = receipt
    slot.save(update_fields=["status", "approvals", "rejections", "abstentions", "score", "receipt"])


@transaction.atomic
def poll_cast_web(*, poll: SecretPoll, person, contents: Contents, now=None) -> str:
    """Record that `person` voted and put their ballot in a random empty slot. Returns the receipt code.

    Nothing here is logged or audited: an audit row would tie the person to the moment of the ballot.
    """
    poll = SecretPoll.objects.get(pk=poll.pk)
    if not voting_window_open(poll, now):
        raise PollError(_("Voting is not open for this poll."))
    elector = Elector.objects.filter(poll=poll, person=person).first()
    if elector is None:
        raise PollError(_("You are not on the electorate of this poll."))
    try:
        with transaction.atomic():
            VoteRecord.objects.create(elector=elector, poll=poll, channel=VoteRecord.Channel.WEB)
    except IntegrityError as exc:
        raise PollError(_("You have already voted in this poll. Your first ballot stands.")) from exc
    receipt = new_receipt()
    _fill(_draw_empty_slot(poll), contents, receipt)
    return receipt


@transaction.atomic
def poll_mark_paper_voters(*, poll: SecretPoll, people: Iterable, acting_user=None) -> int:
    """Tellers mark who was issued a paper ballot, so they cannot also vote online."""
    poll = lock(poll)
    if poll.state not in (SecretPoll.State.OPEN, SecretPoll.State.CLOSED):
        raise PollError(_("Paper voters can be marked only while the poll is open or closed and not yet counted."))
    people = list(people)
    electors = {e.person_id: e for e in Elector.objects.filter(poll=poll, person__in=people)}
    missing = [p for p in people if p.pk not in electors]
    if missing:
        raise PollError(_("Not on the electorate: %(names)s.") % {"names": ", ".join(p.name for p in missing)})
    already = set(VoteRecord.objects.filter(elector__in=electors.values()).values_list("elector__person__name", flat=True))
    if already:
        raise PollError(_("Already voted: %(names)s. Nothing was marked.") % {"names": ", ".join(sorted(already))})
    try:
        with transaction.atomic():
            VoteRecord.objects.bulk_create(
                [VoteRecord(elector=e, poll=poll, channel=VoteRecord.Channel.PAPER) for e in electors.values()]
            )
    except IntegrityError as exc:
        raise PollError(_("Someone on the list voted in the meantime. Nothing was marked; try again.")) from exc
    audit_record(actor=acting_user, action="poll.mark_paper_voters", obj=poll, division=poll.body.division,
                 after={"count": len(people)})
    return len(people)


@transaction.atomic
def poll_cast_paper(*, poll: SecretPoll, contents: Contents, acting_user=None) -> None:
    """A teller enters one paper ballot. No receipt, no link to any voter."""
    poll = lock(poll)
    if poll.state not in (SecretPoll.State.OPEN, SecretPoll.State.CLOSED):
        raise PollError(_("Paper ballots can be entered only while the poll is open or closed and not yet counted."))
    issued = VoteRecord.objects.filter(poll=poll, channel=VoteRecord.Channel.PAPER).count()
    web = VoteRecord.objects.filter(poll=poll, channel=VoteRecord.Channel.WEB).count()
    stored = BallotSlot.objects.filter(poll=poll).exclude(status=BallotSlot.Status.EMPTY).count()
    if stored - web >= issued:
        raise PollError(
            _("More paper ballots than were issued: %(issued)s paper ballots were issued and all have been entered.")
            % {"issued": issued}
        )
    _fill(_draw_empty_slot(poll), contents, None)


def _scrub_ballot_box(poll: SecretPoll) -> None:
    """Rewrite every slot of the poll in one statement, so row versions carry no trace of voting order.

    On PostgreSQL each row version records the transaction that wrote it; a
    ballot written in the voter's transaction would share it with the voter's
    record. Rewriting all slots together gives them one writer, and a VACUUM
    after commit frees the old versions.
    """
    BallotSlot.objects.filter(poll=poll).update(status=F("status"))
    if connection.vendor == "postgresql":
        table = BallotSlot._meta.db_table

        def vacuum():
            if connection.in_atomic_block:  # e.g. inside a test's transaction: VACUUM cannot run there
                return
            with connection.cursor() as cursor:
                cursor.execute(f'VACUUM "{table}"')  # noqa: S608 - table name from the model, not input

        transaction.on_commit(vacuum)


@transaction.atomic
def poll_close(*, poll: SecretPoll, acting_user=None, now=None, reason: str = "",
               facts: dict | None = None) -> SecretPoll:
    """Close voting. `reason` and `facts` (turnout, time left: see congress.safeguards) go on the poll and its audit row."""
    poll = lock(poll)
    transition(poll, SecretPoll.State.CLOSED)
    poll.closed_at = now or timezone.now()
    poll.closed_by = acting_user if acting_user is not None and acting_user.is_authenticated else None
    poll.close_reason = reason.strip()[:300]
    poll.save(update_fields=["state", "closed_at", "closed_by", "close_reason"])
    _scrub_ballot_box(poll)
    audit_record(actor=acting_user, action="poll.close", obj=poll, division=poll.body.division,
                 after={**(facts or {}), "reason": poll.close_reason})
    return poll


@dataclass
class Reconciliation:
    electorate: int
    web_voters: int
    paper_issued: int
    ballots_stored: int
    paper_returned: int
    valid: int
    blank: int
    invalid: int

    @property
    def voters(self) -> int:
        return self.web_voters + self.paper_issued

    @property
    def turnout_percent(self) -> float:
        return round(100.0 * self.voters / self.electorate, 1) if self.electorate else 0.0

    def as_dict(self) -> dict:
        return {
            "electorate": self.electorate, "web_voters": self.web_voters, "paper_issued": self.paper_issued,
            "paper_returned": self.paper_returned, "ballots_stored": self.ballots_stored, "valid": self.valid,
            "blank": self.blank, "invalid": self.invalid,
        }


def reconciliation(poll: SecretPoll) -> Reconciliation:
    """Two queries: the turnout by channel, the ballot box by status."""
    turnout = VoteRecord.objects.filter(poll=poll).aggregate(
        web=Count("pk", filter=Q(channel=VoteRecord.Channel.WEB)),
        paper=Count("pk", filter=Q(channel=VoteRecord.Channel.PAPER)),
    )
    box = BallotSlot.objects.filter(poll=poll).aggregate(
        stored=Count("pk", filter=~Q(status=BallotSlot.Status.EMPTY)),
        valid=Count("pk", filter=Q(status=BallotSlot.Status.VALID)),
        blank=Count("pk", filter=Q(status=BallotSlot.Status.BLANK)),
        invalid=Count("pk", filter=Q(status=BallotSlot.Status.INVALID)),
    )
    return Reconciliation(
        electorate=poll.electorate_size, web_voters=turnout["web"], paper_issued=turnout["paper"],
        ballots_stored=box["stored"], paper_returned=box["stored"] - turnout["web"],
        valid=box["valid"], blank=box["blank"], invalid=box["invalid"],
    )


def count_positions(poll: SecretPoll, positions: int) -> list[dict]:
    """Per position: approvals, rejections, abstentions over valid ballots. One aggregate query, counted in the database."""
    aggregates = {}
    for k in range(positions):
        aggregates[f"a{k}"] = Sum(F("approvals").bitrightshift(k).bitand(1))
        aggregates[f"r{k}"] = Sum(F("rejections").bitrightshift(k).bitand(1))
        aggregates[f"x{k}"] = Sum(F("abstentions").bitrightshift(k).bitand(1))
    row = BallotSlot.objects.filter(poll=poll, status=BallotSlot.Status.VALID).aggregate(**aggregates)
    return [
        {"for": row[f"a{k}"] or 0, "against": row[f"r{k}"] or 0, "abstain": row[f"x{k}"] or 0}
        for k in range(positions)
    ]


def receipts(poll: SecretPoll) -> list[str]:
    """The receipt codes of the counted web ballots, sorted (so their order says nothing)."""
    return list(
        BallotSlot.objects.filter(poll=poll, receipt__isnull=False).order_by("receipt").values_list("receipt", flat=True)
    )


def poll_mark_tallied(poll: SecretPoll) -> None:
    if poll.state == SecretPoll.State.CLOSED:
        transition(poll, SecretPoll.State.TALLIED)
        poll.save(update_fields=["state"])


def poll_certify(*, poll: SecretPoll, acting_user=None, scrutineers: Iterable[str] = ()) -> SecretPoll:
    poll = lock(poll)
    transition(poll, SecretPoll.State.CERTIFIED)
    poll.save(update_fields=["state"])
    audit_record(actor=acting_user, action="poll.certify", obj=poll, division=poll.body.division,
                 after={"scrutineers": list(scrutineers)})
    return poll
