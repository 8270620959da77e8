"""Safeguards on the steps of a secret poll that cannot be undone: closing it and certifying its result.

One home for what staff are shown before they confirm (turnout, time left, quorum) and for the rules that
hold whoever calls the services of project ballots and satisfaction surveys:

* a close before the end time, or below the body's minimum turnout (`CongressBody.min_close_turnout_percent`),
  needs a written reason, stored on the poll, audited and printed on the result. The one exception is the
  scheduler's close once the end time has passed (no acting user): nobody decides it, the timetable does;
  the result still says that turnout was below the minimum;
* whoever closed a ballot cannot certify it (four eyes), and a certification names at least
  `MIN_SCRUTINEERS` scrutineers (监票人) present at the count.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from congress.models import SecretPoll, VoteRecord
from congress.polls import PollError, Quorum

MIN_SCRUTINEERS = 2
MAX_SCRUTINEERS = 20
REASON_MAX_LENGTH = 300
NAME_MAX_LENGTH = 50
NAME_SEPARATORS = re.compile(r"[\n\r,，、;；]+")


@dataclass(frozen=True)
class CloseFacts:
    """What a close would do to a poll now: the figures on the confirmation page, the audit row and the result."""

    electorate: int
    voted: int
    min_percent: int
    closes_at: datetime.datetime | None
    now: datetime.datetime
    quorum: Quorum
    quorum_at_opening: bool  # a meeting's poll: the presence frozen when it opened; else: voters out of electors

    @property
    def turnout_percent(self) -> float:
        return round(100.0 * self.voted / self.electorate, 1) if self.electorate else 0.0

    @property
    def early(self) -> bool:
        return self.closes_at is not None and self.now < self.closes_at

    @property
    def time_left(self) -> datetime.timedelta | None:
        return self.closes_at - self.now if self.early else None

    @property
    def thin(self) -> bool:
        """Below the body's minimum turnout (integer arithmetic: 50% of 58 is 29 votes, not 28.99)."""
        return 100 * self.voted < self.min_percent * self.electorate

    @property
    def needs_reason(self) -> bool:
        return self.early or self.thin

    def as_dict(self) -> dict:
        return {
            "voted": self.voted, "electorate": self.electorate, "turnout_percent": self.turnout_percent,
            "min_turnout_percent": self.min_percent, "early": self.early, "thin": self.thin,
            "closes_at": self.closes_at.isoformat() if self.closes_at else None,
            "seconds_left": int(self.time_left.total_seconds()) if self.time_left else 0,
            "quorum": {"members": self.quorum.members, "present": self.quorum.present, "reached": self.quorum.reached},
        }


def close_facts(poll: SecretPoll, now: datetime.datetime | None = None) -> CloseFacts:
    """Two queries at most: the voters (web and paper ballots issued) and, through `poll.body`, the body's minimum."""
    voted = VoteRecord.objects.filter(poll=poll).count()
    if poll.requires_quorum and poll.quorum_members is not None:
        quorum, at_opening = Quorum(members=poll.quorum_members, present=poll.quorum_present or 0), True
    else:
        quorum, at_opening = Quorum(members=poll.electorate_size, present=voted), False
    return CloseFacts(electorate=poll.electorate_size, voted=voted, min_percent=poll.body.min_close_turnout_percent,
                      closes_at=poll.closes_at, now=now or timezone.now(), quorum=quorum,
                      quorum_at_opening=at_opening)


def close_reason_required(facts: CloseFacts, acting_user) -> bool:
    automatic = acting_user is None and facts.closes_at is not None and not facts.early
    return facts.needs_reason and not automatic


def require_close_reason(facts: CloseFacts, reason: str, acting_user) -> str:
    """The cleaned reason; refuses an early or thin close without one."""
    reason = " ".join((reason or "").split())
    if len(reason) > REASON_MAX_LENGTH:
        raise PollError(_("Keep the reason under %(n)s characters.") % {"n": REASON_MAX_LENGTH})
    if reason or not close_reason_required(facts, acting_user):
        return reason
    problems = []
    if facts.early:
        problems.append(_("its end time (%(end)s) has not come yet")
                        % {"end": timezone.localtime(facts.closes_at).strftime("%Y-%m-%d %H:%M")})
    if facts.thin:
        problems.append(_("turnout is %(voted)s of %(electorate)s (%(percent)s%%), below this body's minimum of "
                          "%(min)s%%") % {"voted": facts.voted, "electorate": facts.electorate,
                                          "percent": facts.turnout_percent, "min": facts.min_percent})
    raise PollError(_("Write the reason for closing now: %(problems)s. Nothing was closed.")
                    % {"problems": _("; ").join(problems)})


def require_second_person(poll: SecretPoll, acting_user) -> None:
    """Four eyes: the staff member who certifies is not the one who closed."""
    if acting_user is None or not acting_user.is_authenticated:
        raise PollError(_("A certification is made by a signed-in staff member."))
    if poll.closed_by_id is not None and poll.closed_by_id == acting_user.pk:
        raise PollError(_("You closed this ballot, so you cannot also certify it: another staff member must "
                          "certify it, with the scrutineers present. Nothing was certified."))


def split_names(text: str) -> list[str]:
    """Names typed one per line (or separated by commas or 、)."""
    return [n for n in (" ".join(part.split()) for part in NAME_SEPARATORS.split(text or "")) if n]


def clean_scrutineers(names) -> list[str]:
    """At least MIN_SCRUTINEERS different names, in the order given; refuses a duplicate or an overlong name."""
    out, seen = [], set()
    for raw in names:
        name = " ".join(str(raw).split())
        if not name:
            continue
        if len(name) > NAME_MAX_LENGTH:
            raise PollError(_("A scrutineer's name is at most %(n)s characters.") % {"n": NAME_MAX_LENGTH})
        if name.casefold() in seen:
            raise PollError(_("%(name)s is named twice among the scrutineers.") % {"name": name})
        seen.add(name.casefold())
        out.append(name)
    if len(out) < MIN_SCRUTINEERS:
        raise PollError(_("Name the scrutineers present at the count: at least %(n)s. Nothing was certified.")
                        % {"n": MIN_SCRUTINEERS})
    if len(out) > MAX_SCRUTINEERS:
        raise PollError(_("At most %(n)s scrutineers.") % {"n": MAX_SCRUTINEERS})
    return out


@dataclass(frozen=True)
class ClosingNote:
    """How a poll was closed, for its printed result: early or not, the turnout against the minimum, the reason.

    Built from figures the result already holds, so a report of many polls makes no extra query for it.
    """

    closed_at: datetime.datetime | None
    closes_at: datetime.datetime | None
    reason: str
    voted: int
    electorate: int
    min_percent: int
    automatic: bool

    @property
    def early(self) -> bool:
        return bool(self.closed_at and self.closes_at and self.closed_at < self.closes_at)

    @property
    def thin(self) -> bool:
        return 100 * self.voted < self.min_percent * self.electorate

    @property
    def turnout_percent(self) -> float:
        return round(100.0 * self.voted / self.electorate, 1) if self.electorate else 0.0

    @property
    def worth_saying(self) -> bool:
        return self.early or self.thin or bool(self.reason)


def closing_note(poll: SecretPoll, *, voted: int, min_percent: int) -> ClosingNote:
    return ClosingNote(closed_at=poll.closed_at, closes_at=poll.closes_at, reason=poll.close_reason, voted=voted,
                       electorate=poll.electorate_size, min_percent=min_percent,
                       automatic=poll.closed_by_id is None and not poll.close_reason)
