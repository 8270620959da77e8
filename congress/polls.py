"""Services of the secret-ballot core: open (and seal), cast (web and paper), close, open the box, count, void.

Used by project ballots (projects) and satisfaction surveys (meetings), which
add their own rules on top. See the comment above `SecretPoll` in models.py and
the README's "Secret ballots" section for the secrecy design.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import re
import secrets
import uuid
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from congress import push, sealing, workflows
from congress.models import BallotSlot, Elector, SealedBallot, SecretPoll, VoteRecord
from congress.services import audit_record


class PollError(ValidationError):
    """A refused poll action; its message is for the person who tried."""


def transition(poll: SecretPoll, to: str) -> None:
    """Set the poll's state if its table allows the move; the caller saves it with the fields the move sets."""
    poll.state = workflows.check(poll, to, error=PollError)


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
def clean_scrutineers(scrutineers, threshold) -> tuple[list[str], int]:
    """2 to 5 distinct names and a threshold from 2 to their number, or a refusal."""
    names = [" ".join(str(n).split()) for n in (scrutineers or [])]
    names = [n[:60] for n in names if n]
    if not sealing.MIN_SCRUTINEERS <= len(names) <= sealing.MAX_SCRUTINEERS or len(set(names)) != len(names):
        raise PollError(_("Name 2 to 5 scrutineers, each once: they keep the cards that open the ballot box."))
    try:
        threshold = int(threshold)
    except (TypeError, ValueError):
        threshold = 0
    if not 2 <= threshold <= len(names):
        raise PollError(
            _("The number of cards needed to open the ballot box is from 2 to the number of scrutineers (%(n)s).")
            % {"n": len(names)}
        )
    return names, threshold


@transaction.atomic
def poll_open(*, poll: SecretPoll, electors: Iterable, seated_count: int, scrutineers=None, threshold=None,
              acting_user=None, quorum: Quorum | None = None) -> SecretPoll:
    """Freeze the electorate (and the quorum, for a meeting's poll) and seal the ballot box.

    The returned poll carries `share_cards`, the scrutineers' cards, in memory only: the caller shows them once
    (the open action's response) and they are stored nowhere.
    """
    poll = lock(poll)
    transition(poll, SecretPoll.State.OPEN)
    names, threshold = clean_scrutineers(scrutineers, threshold)
    if poll.requires_quorum:
        if quorum is None:
            raise PollError(_("This poll belongs to a meeting: open it from the meeting's page, where quorum is checked."))
        if not quorum.reached:
            raise PollError(
                _("No quorum: %(present)s of %(members)s voting members are present; more than half must be.")
                % {"present": quorum.present, "members": quorum.members}
            )
    if poll.present_only and quorum is None:
        raise PollError(_("A poll for the deputies present is opened from its meeting, where they sign in."))
    if quorum is not None:
        poll.quorum_members, poll.quorum_present = quorum.members, quorum.present
    people = list(electors)
    if not people:
        raise PollError(_("Nobody may vote in this poll: no one holds a voting mandate in the body on this date."))
    Elector.objects.bulk_create([Elector(poll=poll, person=p) for p in people], batch_size=1000)
    public_key, cards = sealing.new_key(poll_id=poll.pk, scrutineers=names, threshold=threshold)
    poll.public_key, poll.scrutineers, poll.share_threshold = public_key, names, threshold
    now = timezone.now()
    poll.opened_at = now
    poll.opens_at = poll.opens_at or now
    poll.electorate_size = len(people)
    poll.seated_count = seated_count
    poll.save(update_fields=["state", "opened_at", "opens_at", "electorate_size", "seated_count", "quorum_members",
                             "quorum_present", "public_key", "scrutineers", "share_threshold"])
    audit_record(actor=acting_user, action="poll.open", obj=poll, division=poll.body.division,
                 after={"electorate": len(people), "seated": seated_count, "scrutineers": names,
                        "threshold": threshold})
    poll.share_cards = cards
    push.publish(push.poll_topic(poll.pk))
    return poll


def voting_window_open(poll: SecretPoll, now=None) -> bool:
    now = now or timezone.now()
    if poll.state != SecretPoll.State.OPEN:
        return False
    if poll.opens_at and now < poll.opens_at:
        return False
    return not (poll.closes_at and now >= poll.closes_at)


@dataclass(frozen=True)
class Contents:
    status: str = BallotSlot.Status.VALID
    approvals: int = 0
    rejections: int = 0
    abstentions: int = 0
    score: int | None = None

    def as_sealed(self) -> dict:
        return {"st": self.status, "a": self.approvals, "r": self.rejections, "x": self.abstentions, "s": self.score}

    def slot(self, poll: SecretPoll) -> BallotSlot:
        return BallotSlot(poll=poll, status=self.status, approvals=self.approvals, rejections=self.rejections,
                          abstentions=self.abstentions, score=self.score)


INVALID = Contents(status=BallotSlot.Status.INVALID)


def contents_from_sealed(data: dict | None) -> Contents | None:
    """The contents an opened ballot claims, if they are well formed; None otherwise (counted invalid)."""
    if not isinstance(data, dict) or set(data) != {"st", "a", "r", "x", "s"}:
        return None
    if data["st"] not in (BallotSlot.Status.VALID, BallotSlot.Status.BLANK):
        return None
    masks = [data["a"], data["r"], data["x"]]
    if any(type(m) is not int or not 0 <= m < 1 << SecretPoll.MAX_OPTIONS for m in masks):
        return None
    score = data["s"]
    if score is not None and (type(score) is not int or not 0 <= score <= 100):
        return None
    return Contents(status=data["st"], approvals=masks[0], rejections=masks[1], abstentions=masks[2], score=score)


class CastRefused(PollError):
    """A web ballot refused before anything was stored, with a reason the view maps to a status.

    NOT_PRESENT: a present-only poll, and the deputy is not signed in in the hall (or has left).
    STALE: the poll was opened again (voided and re-run: a new key) since the caller loaded it; load it again.
    SIGNED_OUT: cast with a pass (`signed_in=`) whose session has ended, or whose account was disabled or its
    password changed since: the caller sends the deputy down the ordinary path (sign in again).
    """

    NOT_ELECTOR, ALREADY_VOTED, CLOSED, NOT_PRESENT, STALE, SIGNED_OUT = (
        "not_elector", "already_voted", "closed", "not_present", "stale", "signed_out")

    def __init__(self, reason: str, message):
        super().__init__(message)
        self.reason = reason


def not_present_message() -> str:
    return _("This vote is for the deputies present in the hall. Sign in at the door with your code (or ask the "
             "staff to record your return) before you vote. Nothing was recorded.")


def _refusal(reason: str) -> CastRefused:
    messages = {
        CastRefused.NOT_ELECTOR: _("You are not on the electorate of this poll."),
        CastRefused.ALREADY_VOTED: _("You have already voted in this poll. Your first ballot stands."),
        CastRefused.CLOSED: _("Voting is not open for this poll."),
        CastRefused.NOT_PRESENT: not_present_message(),
        CastRefused.STALE: _("This poll was opened again since the page was loaded. Load it again and vote."),
        CastRefused.SIGNED_OUT: _("You are no longer signed in. Sign in again and vote."),
    }
    return CastRefused(reason, messages[reason])


class Receipt(str):
    """The tracker of a cast ballot (a str), with the voter's person id and name: the page that shows the receipt
    needs no query for its menu."""

    person_id: int
    person_name: str

    def __new__(cls, tracker: str, person_id: int, person_name: str):
        receipt = super().__new__(cls, tracker)
        receipt.person_id, receipt.person_name = person_id, person_name
        return receipt


def elector_for(poll_id: int, user_id: int) -> Elector | None:
    """The signed-in user's place on a poll's electorate, with their person and `voted`, or None. One query."""
    return (Elector.objects.filter(poll_id=poll_id, person__user_id=user_id).select_related("person")
            .annotate(voted=Exists(VoteRecord.objects.filter(elector=OuterRef("pk")))).first())


def signed_in_digest(value: str) -> str:
    """The first 16 hex digits of SHA-256: what a cast pass keeps of a session key or a password hash, and what the
    cast statement computes again from the database (_SIGNED_IN_PG: `left(encode(sha256(...)), 16)`)."""
    return hashlib.sha256(value.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class SignedIn:
    """What a cast with a pass (congress/castpass.py) checks against the database in the statement that stores the
    ballot: that this session is still signed in, and its account active with this password digest."""

    session_key: str
    password: str


def _tables() -> dict:
    person = Elector._meta.get_field("person").related_model  # deputies' model: named, never imported, here
    return {"poll": SecretPoll._meta.db_table, "elector": Elector._meta.db_table, "person": person._meta.db_table,
            "record": VoteRecord._meta.db_table, "sealed": SealedBallot._meta.db_table,
            "session": Session._meta.db_table, "user": get_user_model()._meta.db_table}


class CastingCache:
    """What a cast needs of a ballot or survey (its poll, its rules, its candidates), kept by each web process while
    the poll is open, so that casting reads none of it from the database.

    Safe to keep: a poll's rules and candidates are frozen from opening (they change only in a draft), and `cast`
    reads the poll's state and times from the database in the statement that stores the ballot, and compares the
    kept copy's public key with the poll's. A poll voided and opened again has a new key: a copy made before is
    refused as STALE (`get(pk, fresh=True)` loads it again) and nothing is ever sealed with an old key.
    """

    instances: list[CastingCache] = []

    def __init__(self, load: Callable, size: int = 64):
        self.load, self.size, self.items = load, size, {}
        CastingCache.instances.append(self)

    @classmethod
    def clear_all(cls) -> None:
        """Forget every kept copy (tests: ids are reused after a test's rollback)."""
        for cache in cls.instances:
            cache.items.clear()

    def get(self, pk: int, fresh: bool = False):
        kept = None if fresh else self.items.get(pk)
        if kept is not None:
            return kept
        obj = self.load(pk)  # raises the model's DoesNotExist
        if obj.poll.state == SecretPoll.State.OPEN and obj.poll.public_key:
            if len(self.items) >= self.size:
                self.items.clear()
            self.items[pk] = obj
        else:
            self.items.pop(pk, None)
        return obj


# One statement on PostgreSQL: the poll (locked FOR KEY SHARE, so that closing, which locks it FOR UPDATE, waits for
# a cast under way and a cast after it sees it closed), the elector, the vote record (the one-ballot-per-deputy key
# refuses a second: ON CONFLICT DO NOTHING) and the sealed ballot, stored only if the vote record was. In a present-only
# poll the elector must be in the hall; their row is locked FOR SHARE, so the attendance service that marks them gone
# waits for a cast under way, and a cast after it sees them gone (only there: a row lock is a write, and whether a
# poll is present-only is fixed from opening, so the kept copy's say-so holds while its key is the poll's). Its answer
# says which refusal applies. Autocommit: no BEGIN, COMMIT nor savepoint of its own.
_CAST_PG = """
WITH p AS (
  SELECT id, public_key IS NOT DISTINCT FROM %(key)s AS current,
         state = 'open' AND (opens_at IS NULL OR opens_at <= %(now)s) AND (closes_at IS NULL OR %(now)s < closes_at)
         AS voting, present_only, {signed_in} AS signed_in
  FROM "{poll}" WHERE id = %(poll)s FOR KEY SHARE
), e AS (
  SELECT el.id, pe.id AS person_id, pe.name, el.in_hall,
         EXISTS (SELECT 1 FROM "{record}" r WHERE r.elector_id = el.id) AS voted
  FROM "{elector}" el JOIN "{person}" pe ON pe.id = el.person_id
  WHERE el.poll_id = %(poll)s AND {who}
  {lock}
), v AS (
  INSERT INTO "{record}" (elector_id, poll_id, channel)
  SELECT e.id, p.id, %(channel)s FROM e, p
  WHERE p.current AND p.signed_in AND p.voting AND NOT e.voted AND (e.in_hall OR NOT p.present_only)
  ON CONFLICT DO NOTHING RETURNING id
), s AS (
  INSERT INTO "{sealed}" (id, poll_id, sealed, tracker)
  SELECT %(uuid)s, p.id, %(sealed)s, %(tracker)s FROM p WHERE EXISTS (SELECT 1 FROM v)
  RETURNING id
)
SELECT (SELECT current FROM p), (SELECT signed_in FROM p), (SELECT voting FROM p), (SELECT present_only FROM p),
       e.person_id, e.name, e.voted, e.in_hall, (SELECT count(*) FROM s)
FROM (SELECT 1) one LEFT JOIN e ON true
"""
# With a cast pass (congress/castpass.py): the session the pass is bound to is still signed in, and its account is
# active with the password it had when the pass was made (the digest is congress.castpass.digest's).
_SIGNED_IN_PG = """(EXISTS (SELECT 1 FROM "{session}" WHERE session_key = %(session)s AND expire_date > %(now)s)
     AND EXISTS (SELECT 1 FROM "{user}" u WHERE u.id = %(who)s AND u.is_active
                 AND left(encode(sha256(convert_to(u.password, 'UTF8')), 'hex'), 16) = %(password)s))"""


# The cast statement is prepared once per database connection (PREPARE, then EXECUTE): parsing and planning it cost
# more of the database's time than running it. Prepared statements outlive a rolled-back transaction and belong to
# the connection, so they are kept per connection (its raw psycopg2 connection, weakly). A pooler in transaction
# mode (pgbouncer pool_mode=transaction) does not keep them: there set DATABASE_PREPARED_STATEMENTS=0.
_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@functools.cache
def _cast_statement(by_user: bool, with_pass: bool, present_only: bool) -> tuple[str, str, str, tuple[str, ...]]:
    """One variant of the cast statement, made once per process: its SQL (named parameters), its name and its body
    for PREPARE (positional parameters), and the order of the parameters."""
    tables = _tables()
    sql = _CAST_PG.format(who="pe.user_id = %(who)s" if by_user else "el.person_id = %(who)s",
                          signed_in=_SIGNED_IN_PG.format(**tables) if with_pass else "true",
                          lock="FOR SHARE OF el" if present_only else "", **tables)
    order: list[str] = []

    def number(m):
        if m.group(1) not in order:
            order.append(m.group(1))
        return f"${order.index(m.group(1)) + 1}"

    body = re.sub(r"%\((\w+)\)s", number, sql)
    return sql, f"congress_cast_{hashlib.sha256(sql.encode()).hexdigest()[:16]}", body, tuple(order)


def _execute_prepared(cursor, statement: tuple[str, str, str, tuple[str, ...]], params: dict) -> None:
    sql, name, body, order = statement
    if not settings.DATABASE_PREPARED_STATEMENTS:
        cursor.execute(sql, params)
        return
    done = _prepared.setdefault(connection.connection, set())
    if name not in done:
        cursor.execute(f"PREPARE {name} AS {body}")
        done.add(name)
    cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(order))})", [params[k] for k in order])


def cast(*, poll: SecretPoll, contents: Contents, user_id: int | None = None, person_id: int | None = None,
         now=None, signed_in: SignedIn | None = None) -> Receipt:
    """Store a web ballot of the deputy signed in as `user_id` (or of the person `person_id`): the vote record and
    the sealed ballot, together or not at all. Returns the receipt (the tracker).

    `poll` may be a copy kept from earlier (a process's cache): the poll's state, times and electorate are read
    from the database by the statement that stores the ballot, and its public key is compared with the copy's, so
    a copy of a poll opened again since is refused as STALE and nothing is sealed with an old key. Refusals are
    `CastRefused`, checked in this order: not on the electorate, already voted, voting not open.

    With `signed_in` (a cast pass, congress/castpass.py: the account was not loaded) the same statement checks
    that the pass's session is still signed in and its account active with the same password, else SIGNED_OUT
    and nothing is stored.

    On PostgreSQL one statement; elsewhere a lookup, then the two inserts in one transaction. Nothing here is
    logged or audited: an audit row would tie the person to the moment of the ballot.
    """
    if not poll.public_key:  # a copy made before the poll opened
        raise _refusal(CastRefused.STALE)
    if (user_id is None) == (person_id is None) or (signed_in is not None and user_id is None):
        raise ValueError("cast() takes user_id or person_id; a pass goes with user_id")
    now = now or timezone.now()
    sealed = sealing.seal(poll.public_key, contents.as_sealed())
    tracker = sealing.tracker(sealed)
    if connection.vendor == "postgresql":
        statement = _cast_statement(user_id is not None, signed_in is not None, bool(poll.present_only))
        with connection.cursor() as cursor:
            _execute_prepared(cursor, statement, {
                "key": bytes(poll.public_key), "now": now, "poll": poll.pk, "who": user_id or person_id,
                "channel": VoteRecord.Channel.WEB, "uuid": str(uuid.uuid4()), "sealed": sealed, "tracker": tracker,
                "session": signed_in and signed_in.session_key, "password": signed_in and signed_in.password})
            current, still_signed_in, voting, present_only, voter, name, voted, in_hall, stored = cursor.fetchone()
        if not current:  # no such poll any more, or opened again since the copy was made
            raise _refusal(CastRefused.STALE)
        if not still_signed_in:
            raise _refusal(CastRefused.SIGNED_OUT)
        if voter is None:
            raise _refusal(CastRefused.NOT_ELECTOR)
        if voted:
            raise _refusal(CastRefused.ALREADY_VOTED)
        if not voting:
            raise _refusal(CastRefused.CLOSED)
        if present_only and not in_hall:
            raise _refusal(CastRefused.NOT_PRESENT)
        if not stored:  # a second ballot of the same deputy, a moment earlier, took the vote record's key
            raise _refusal(CastRefused.ALREADY_VOTED)
        receipt = Receipt(tracker, voter, name)
    else:
        if signed_in is not None and not _still_signed_in(signed_in, user_id, now):
            raise _refusal(CastRefused.SIGNED_OUT)
        receipt = _cast_portable(poll=poll, user_id=user_id, person_id=person_id, now=now, sealed=sealed,
                                 tracker=tracker)
    push.publish(push.poll_topic(poll.pk))  # "one more ballot": the hall screen's count, never who or what
    return receipt


def _still_signed_in(signed_in: SignedIn, user_id: int, now) -> bool:
    """Elsewhere than PostgreSQL, what _SIGNED_IN_PG checks: the session row, the account and its password."""
    if not Session.objects.filter(session_key=signed_in.session_key, expire_date__gt=now).exists():
        return False
    password = get_user_model().objects.filter(pk=user_id, is_active=True).values_list("password", flat=True).first()
    return password is not None and signed_in_digest(password) == signed_in.password


def _cast_portable(*, poll, user_id, person_id, now, sealed, tracker) -> Receipt:
    """Elsewhere than PostgreSQL: the elector with the poll and `voted` (one query), then the two inserts."""
    who = {"person__user_id": user_id} if user_id is not None else {"person_id": person_id}
    elector = (Elector.objects.filter(poll_id=poll.pk, **who).select_related("person", "poll")
               .only("id", "in_hall", "person", "poll", "person__name", "poll__state", "poll__opens_at", "poll__closes_at",
                     "poll__public_key", "poll__present_only")
               .annotate(voted=Exists(VoteRecord.objects.filter(elector=OuterRef("pk")))).first())
    live = elector.poll if elector is not None else SecretPoll.objects.only("public_key").filter(pk=poll.pk).first()
    if live is None or bytes(live.public_key or b"") != bytes(poll.public_key):
        raise _refusal(CastRefused.STALE)
    if elector is None:
        raise _refusal(CastRefused.NOT_ELECTOR)
    if elector.voted:
        raise _refusal(CastRefused.ALREADY_VOTED)
    if not voting_window_open(live, now):
        raise _refusal(CastRefused.CLOSED)
    if live.present_only and not elector.in_hall:
        raise _refusal(CastRefused.NOT_PRESENT)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{VoteRecord._meta.db_table}" (elector_id, poll_id, channel) VALUES (%s, %s, %s) '  # noqa: S608  # nosec B608  # table name from the model; values are parameters
            "ON CONFLICT DO NOTHING RETURNING id", [elector.pk, poll.pk, VoteRecord.Channel.WEB])
        if cursor.fetchone() is None:
            raise _refusal(CastRefused.ALREADY_VOTED)
        SealedBallot.objects.create(poll_id=poll.pk, sealed=sealed, tracker=tracker)
    return Receipt(tracker, elector.person_id, elector.person.name)


def poll_cast_web(*, poll: SecretPoll, person, contents: Contents, now=None) -> Receipt:
    """Record that `person` voted and put their sealed ballot in the box. Returns the receipt (the tracker).
    A `poll` loaded before it was (re)opened is loaded again once."""
    try:
        return cast(poll=poll, person_id=person.pk, contents=contents, now=now)
    except CastRefused as exc:
        if exc.reason != CastRefused.STALE:
            raise
    fresh = SecretPoll.objects.filter(pk=poll.pk).first()
    if fresh is None or not fresh.public_key:
        raise _refusal(CastRefused.CLOSED)
    return cast(poll=fresh, person_id=person.pk, contents=contents, now=now)


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
    rec = reconciliation(poll)
    if rec.paper_returned >= rec.paper_issued:
        raise PollError(
            _("More paper ballots than were issued: %(issued)s paper ballots were issued and all have been entered.")
            % {"issued": rec.paper_issued}
        )
    contents.slot(poll).save(force_insert=True)


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
    audit_record(actor=acting_user, action="poll.close", obj=poll, division=poll.body.division,
                 after={**(facts or {}), "reason": poll.close_reason})
    push.publish(push.poll_topic(poll.pk))
    return poll


def write_counting_table_anew(slots: list[BallotSlot]) -> None:
    """Insert the opened ballots (already shuffled) into the counting table, which then lives in a new file.

    On PostgreSQL the counting table is locked, the rows inserted, and the table rewritten (`CLUSTER` on its
    (poll, status) index) in the opening's transaction: it gets a new relfilenode, so the file and pages the rows
    were first written to are gone at commit, with every dead row version of the table; in the new file the rows
    stand by poll and status, and within those in the shuffled order. Their `xmin` is the opening's transaction for
    every one, their keys are random UUIDs. The lock is taken before the insert (not upgraded after it), so readers
    and paper entries of other polls wait for the rewrite rather than deadlock with it. On SQLite the shuffle is
    all there is (its rowid order is the shuffled order; a copy of its file is no worse than a database read).
    """
    table = connection.ops.quote_name(BallotSlot._meta.db_table)
    rewrite = connection.vendor == "postgresql"
    if rewrite:
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
    BallotSlot.objects.bulk_create(slots, batch_size=1000)
    if rewrite:
        index = next(i.name for i in BallotSlot._meta.indexes if list(i.fields) == ["poll", "status"])
        with connection.cursor() as cursor:
            # the inserted rows' deferred foreign-key checks run now: CLUSTER refuses a table with pending ones
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"CLUSTER {table} USING {connection.ops.quote_name(index)}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@transaction.atomic
def poll_unseal(*, poll: SecretPoll, shares: list[str], check: Callable[[Contents], bool], acting_user=None) -> int:
    """The scrutineers open the ballot box: rebuild the key from their cards (in memory), open every sealed
    ballot, check it against the poll's frozen rules (`check`; a ballot that breaks them, or cannot be read,
    counts as invalid, never dropped), write the opened ballots to the counting table in random order and that
    table to a new file (`write_counting_table_anew`), in this one transaction, and destroy the sealed ballots.
    Returns the number of ballots opened.
    """
    poll = lock(poll)
    if poll.state in (SecretPoll.State.DRAFT, SecretPoll.State.OPEN):
        raise PollError(_("Voting is still open: the ballot box is opened only after voting closes."))
    if poll.unsealed_at is not None or poll.state != SecretPoll.State.CLOSED:
        raise PollError(_("This ballot box has already been opened."))
    if not poll.public_key:
        raise PollError(_("This poll has no sealed ballot box to open."))
    key, used = sealing.rebuild_private_key(poll_id=poll.pk, public_key=bytes(poll.public_key),
                                            threshold=poll.share_threshold, texts=list(shares))
    opened, trackers, invalid = [], [], 0
    for sealed in SealedBallot.objects.filter(poll=poll).values_list("sealed", flat=True).iterator():
        sealed = bytes(sealed)
        trackers.append(sealing.tracker(sealed))
        contents = contents_from_sealed(sealing.unseal(key, sealed))
        if contents is None or not check(contents):
            contents, invalid = INVALID, invalid + 1
        opened.append(contents)
    del key
    secrets.SystemRandom().shuffle(opened)
    write_counting_table_anew([c.slot(poll) for c in opened])
    SealedBallot.objects.filter(poll=poll).delete()
    poll.trackers = sorted(trackers)
    poll.unsealed_at = timezone.now()
    poll.save(update_fields=["trackers", "unsealed_at"])
    audit_record(actor=acting_user, action="poll.unseal", obj=poll, division=poll.body.division,
                 after={"opened": len(opened), "invalid_when_opened": invalid,
                        "cards": [poll.scrutineers[i - 1] for i in used if 0 < i <= len(poll.scrutineers)]})
    push.publish(push.poll_topic(poll.pk))
    return len(opened)


@transaction.atomic
def poll_void(*, poll: SecretPoll, reason: str, acting_user=None) -> SecretPoll:
    """Void a closed poll whose box cannot be opened (cards lost) and set it back to a draft, to be run again.

    Every ballot (sealed and paper), vote record and elector of the poll goes; the audit row keeps the counts
    and the reason.
    """
    poll = lock(poll)
    if poll.state != SecretPoll.State.CLOSED or poll.unsealed_at is not None:
        raise PollError(_("Only a closed poll whose ballot box has not been opened can be voided and run again."))
    reason = " ".join(reason.split())
    if not reason:
        raise PollError(_("Record the reason for voiding the poll."))
    before = {"web_voters": VoteRecord.objects.filter(poll=poll, channel=VoteRecord.Channel.WEB).count(),
              "paper_voters": VoteRecord.objects.filter(poll=poll, channel=VoteRecord.Channel.PAPER).count(),
              "sealed": SealedBallot.objects.filter(poll=poll).count(),
              "paper_ballots": BallotSlot.objects.filter(poll=poll).count(),
              "scrutineers": poll.scrutineers, "opened_at": poll.opened_at.isoformat() if poll.opened_at else None}
    SealedBallot.objects.filter(poll=poll).delete()
    BallotSlot.objects.filter(poll=poll).delete()
    VoteRecord.objects.filter(poll=poll).delete()
    Elector.objects.filter(poll=poll).delete()
    transition(poll, "void")
    poll.public_key, poll.scrutineers, poll.share_threshold, poll.trackers = None, [], None, []
    poll.opened_at = poll.closed_at = None
    poll.electorate_size = poll.seated_count = 0
    poll.quorum_members = poll.quorum_present = None
    poll.save(update_fields=["state", "public_key", "scrutineers", "share_threshold", "trackers", "opened_at",
                             "closed_at", "electorate_size", "seated_count", "quorum_members", "quorum_present"])
    audit_record(actor=acting_user, action="poll.void", obj=poll, division=poll.body.division, before=before,
                 after={"state": poll.state, "reason": reason[:300]})
    push.publish(push.poll_topic(poll.pk))
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
    sealed: int = 0  # web ballots still sealed (before the box is opened)

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
    """Three queries: the turnout by channel, the sealed box, the counting table by status."""
    turnout = VoteRecord.objects.filter(poll=poll).aggregate(
        web=Count("pk", filter=Q(channel=VoteRecord.Channel.WEB)),
        paper=Count("pk", filter=Q(channel=VoteRecord.Channel.PAPER)),
    )
    sealed = SealedBallot.objects.filter(poll=poll).count()
    box = BallotSlot.objects.filter(poll=poll).aggregate(
        stored=Count("pk"),
        valid=Count("pk", filter=Q(status=BallotSlot.Status.VALID)),
        blank=Count("pk", filter=Q(status=BallotSlot.Status.BLANK)),
        invalid=Count("pk", filter=Q(status=BallotSlot.Status.INVALID)),
    )
    return Reconciliation(
        electorate=poll.electorate_size, web_voters=turnout["web"], paper_issued=turnout["paper"],
        ballots_stored=box["stored"] + sealed, paper_returned=box["stored"] + sealed - turnout["web"],
        valid=box["valid"], blank=box["blank"], invalid=box["invalid"], sealed=sealed,
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
    """The trackers of the web ballots opened and counted, sorted (so their order says nothing)."""
    return sorted(poll.trackers or [])


def poll_mark_tallied(poll: SecretPoll) -> None:
    if poll.state == SecretPoll.State.CLOSED:
        transition(poll, SecretPoll.State.TALLIED)
        poll.save(update_fields=["state"])
        push.publish(push.poll_topic(poll.pk))


def poll_certify(*, poll: SecretPoll, acting_user=None, scrutineers: Iterable[str] = ()) -> SecretPoll:
    poll = lock(poll)
    transition(poll, SecretPoll.State.CERTIFIED)
    poll.save(update_fields=["state"])
    audit_record(actor=acting_user, action="poll.certify", obj=poll, division=poll.body.division,
                 after={"scrutineers": list(scrutineers)})
    push.publish(push.poll_topic(poll.pk))
    return poll


@transaction.atomic
def poll_set_hall_rules(*, poll: SecretPoll, present_only: bool, hall_result: str, acting_user=None) -> SecretPoll:
    """Before it opens: whether only the deputies present may vote, and when the hall screen shows the result."""
    poll = lock(poll)
    if poll.state != SecretPoll.State.DRAFT:
        raise PollError(_("These settings are fixed once voting has opened."))
    if hall_result not in SecretPoll.HallResult.values:
        raise PollError(_("Choose when the hall screen shows the result."))
    before = {"present_only": poll.present_only, "hall_result": poll.hall_result}
    poll.present_only, poll.hall_result = bool(present_only), hall_result
    poll.save(update_fields=["present_only", "hall_result"])
    audit_record(actor=acting_user, action="poll.hall_rules", obj=poll, division=poll.body.division, before=before,
                 after={"present_only": poll.present_only, "hall_result": poll.hall_result})
    push.publish(push.poll_topic(poll.pk))
    return poll


MAX_VOTE_MINUTES = 120


@transaction.atomic
def poll_set_deadline(*, poll: SecretPoll, minutes: int, acting_user=None, now=None) -> SecretPoll:
    """The chair's timer: voting closes `minutes` from now (a draft about to open) or `minutes` later than set
    (extending an open vote). Closing early goes through poll_close and its safeguards, not here."""
    poll = lock(poll)
    now = now or timezone.now()
    if not isinstance(minutes, int) or not 1 <= minutes <= MAX_VOTE_MINUTES:
        raise PollError(_("A vote lasts from 1 to %(n)s minutes.") % {"n": MAX_VOTE_MINUTES})
    before = poll.closes_at
    if poll.state == SecretPoll.State.DRAFT:
        poll.opens_at, poll.closes_at = None, now + datetime.timedelta(minutes=minutes)
    elif poll.state == SecretPoll.State.OPEN:
        poll.closes_at = max(poll.closes_at or now, now) + datetime.timedelta(minutes=minutes)
    else:
        raise PollError(_("Voting has closed: its time can no longer be changed."))
    poll.save(update_fields=["opens_at", "closes_at"])
    audit_record(actor=acting_user, action="poll.deadline", obj=poll, division=poll.body.division,
                 before={"closes_at": before.isoformat() if before else None},
                 after={"closes_at": poll.closes_at.isoformat(), "minutes": minutes})
    push.publish(push.poll_topic(poll.pk))
    return poll
