"""The meeting hall (会场): the hall screen (大屏), the chair's console and presence (GB 50799-2012 §6.2, §12.2).

The screen and the console read `screen_state`; every write here is a service, audited, that publishes "this
meeting changed" (congress.push) so that the screen follows within a second. The screen never shows a ballot's
content: while voting, only how many ballots came in out of the electors; after the count, the result, at once
or only once certified, as the poll is set (`SecretPoll.hall_result`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from congress import polls, push
from congress.models import BallotSlot, Elector, SecretPoll, VoteRecord
from congress.services import audit_record
from meetings import selectors
from meetings.models import AgendaItem, Attendee, Meeting, SatisfactionSurvey


class HallError(polls.PollError):
    pass


# --- the screen link ------------------------------------------------------------------------------------------

def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("body__division").get(pk=meeting.pk)


@transaction.atomic
def screen_link_new(*, meeting: Meeting, acting_user=None) -> Meeting:
    """A new secret screen link for the meeting; the previous one stops working at once."""
    meeting = _locked(meeting)
    had = bool(meeting.screen_token)
    meeting.screen_token = secrets.token_urlsafe(32)
    meeting.save(update_fields=["screen_token"])
    audit_record(actor=acting_user, action="meeting.screen_link_new", obj=meeting, division=meeting.body.division,
                 before={"link": had}, after={"link": True})  # never the token itself
    push.publish(push.meeting_topic(meeting.pk))
    return meeting


@transaction.atomic
def screen_link_revoke(*, meeting: Meeting, acting_user=None) -> Meeting:
    meeting = _locked(meeting)
    if not meeting.screen_token:
        raise HallError(_("This meeting has no screen link to revoke."))
    meeting.screen_token = ""  # nosec B105  # revoking: no token, not a password
    meeting.save(update_fields=["screen_token"])
    audit_record(actor=acting_user, action="meeting.screen_link_revoke", obj=meeting, division=meeting.body.division,
                 before={"link": True}, after={"link": False})
    push.publish(push.meeting_topic(meeting.pk))
    return meeting


def meeting_for_screen(token: str) -> Meeting | None:
    if not token or len(token) < 32:
        return None
    meeting = Meeting.objects.filter(screen_token=token).select_related("body").first()
    # compare in constant time as well: the index finds the row, this refuses a near miss
    return meeting if meeting is not None and secrets.compare_digest(meeting.screen_token, token) else None


# --- presence ---------------------------------------------------------------------------------------------------

def hall_polls_of(meeting: Meeting):
    """The meeting's polls: its agenda's project ballots and its surveys."""
    return SecretPoll.objects.filter(Q(project_ballot__agenda_items__meeting=meeting) | Q(survey__meeting=meeting))


def sync_in_hall(meeting: Meeting, *, person_ids=None, poll_ids=None) -> None:
    """Mark the electors of the meeting's open present-only polls as in the hall or not, from the attendance.

    Called by every service that changes attendance and when a present-only poll opens, in their transaction.
    """
    open_polls = hall_polls_of(meeting).filter(state=SecretPoll.State.OPEN, present_only=True)
    if poll_ids is not None:
        open_polls = open_polls.filter(pk__in=poll_ids)
    electors = Elector.objects.filter(poll__in=open_polls.values("pk"))
    if person_ids is not None:
        electors = electors.filter(person_id__in=person_ids)
    present = meeting.attendees.filter(status=Attendee.Status.PRESENT).values("person_id")
    electors.filter(person_id__in=present).exclude(in_hall=True).update(in_hall=True)
    electors.exclude(person_id__in=present).exclude(in_hall=False).update(in_hall=False)


def attendance_changed(attendee: Attendee, before: str) -> None:
    """Times of arrival and departure, the present-only electorates, the screen: after any attendance change."""
    now = timezone.now()
    fields = []
    if attendee.status == Attendee.Status.PRESENT and before != Attendee.Status.PRESENT:
        attendee.arrived_at = attendee.arrived_at or now
        attendee.left_at = None
        fields += ["arrived_at", "left_at"]
    elif attendee.status == Attendee.Status.LEFT and before != Attendee.Status.LEFT:
        attendee.left_at = now
        fields.append("left_at")
    if fields:
        attendee.save(update_fields=fields)
    sync_in_hall(attendee.meeting, person_ids=[attendee.person_id])
    push.publish(push.meeting_topic(attendee.meeting_id))


@dataclass(frozen=True)
class Presence:
    expected: int  # voting members expected (应到)
    present: int  # signed in and in the hall (实到)
    leave: int  # on leave (请假)
    absent: int  # not (yet) signed in, or marked absent (缺席)
    left: int  # left mid-session (离场)

    @property
    def quorum(self) -> polls.Quorum:
        return polls.Quorum(members=self.expected, present=self.present)

    @property
    def quorum_line(self) -> int:
        """More than half: the fewest present that make quorum."""
        return self.expected // 2 + 1


def presence(meeting: Meeting) -> Presence:
    """One aggregate query over the voting members."""
    s = Attendee.Status
    c = meeting.attendees.filter(voting=True).aggregate(
        expected=Count("pk"), present=Count("pk", filter=Q(status=s.PRESENT)), leave=Count("pk", filter=Q(status=s.LEAVE)),
        absent=Count("pk", filter=Q(status__in=[s.ABSENT, s.EXPECTED])), left=Count("pk", filter=Q(status=s.LEFT)))
    return Presence(**c)


# --- the chair's console ------------------------------------------------------------------------------------

@dataclass
class HallPoll:
    """A poll of the meeting as the console lists it: the agenda item's ballot or a survey."""

    poll: SecretPoll
    title: str
    kind: str  # "ballot" | "survey"
    ballot: object = None
    survey: SatisfactionSurvey | None = None
    order: int = 0


def console_polls(meeting: Meeting) -> list[HallPoll]:
    """The meeting's polls in agenda order (surveys without an item last). Two queries."""
    out = []
    for item in meeting.agenda.filter(kind=AgendaItem.Kind.PROJECT_BALLOT).select_related("ballot__poll", "ballot__previous_round__poll"):
        out.append(HallPoll(poll=item.ballot.poll, title=item.title, kind="ballot", ballot=item.ballot,
                            order=item.order))
    for survey in meeting.surveys.select_related("poll", "item"):
        out.append(HallPoll(poll=survey.poll, title=survey.subject, kind="survey", survey=survey,
                            order=survey.item.order if survey.item else 10_000 + survey.pk))
    return sorted(out, key=lambda h: (h.order, h.poll.pk))


def _hall_poll(meeting: Meeting, poll_id: int) -> HallPoll:
    for h in console_polls(meeting):
        if h.poll.pk == poll_id:
            return h
    raise HallError(_("This ballot or survey is not on this meeting's agenda."))


@transaction.atomic
def hall_rules_set(*, meeting: Meeting, poll_id: int, present_only: bool, hall_result: str, acting_user=None):
    h = _hall_poll(meeting, poll_id)
    return polls.poll_set_hall_rules(poll=h.poll, present_only=present_only, hall_result=hall_result,
                                     acting_user=acting_user)


def _show(meeting: Meeting, poll: SecretPoll) -> None:
    Meeting.objects.filter(pk=meeting.pk).update(hall_poll=poll)
    push.publish(push.meeting_topic(meeting.pk))


@transaction.atomic
def hall_start_vote(*, meeting: Meeting, poll_id: int, minutes: int, scrutineers=None, threshold=None,
                    acting_user=None) -> SecretPoll:
    """The chair starts an item's vote for `minutes`: the timer is set, the box sealed (quorum checked) and the
    screen shows its countdown. Returns the poll with its `share_cards` (in memory only)."""
    from meetings import services

    meeting = _locked(meeting)
    h = _hall_poll(meeting, poll_id)
    polls.poll_set_deadline(poll=h.poll, minutes=minutes, acting_user=acting_user)
    if h.kind == "ballot":
        item = meeting.agenda.get(ballot=h.ballot)
        poll = services.meeting_open_ballot(item=item, scrutineers=scrutineers, threshold=threshold,
                                            acting_user=acting_user).poll
    else:
        h.survey.poll = SecretPoll.objects.get(pk=h.poll.pk)
        poll = services.survey_open(survey=h.survey, scrutineers=scrutineers, threshold=threshold,
                                    acting_user=acting_user).poll
    _show(meeting, poll)
    audit_record(actor=acting_user, action="meeting.hall_start", obj=meeting, division=meeting.body.division,
                 after={"poll": poll.pk, "minutes": minutes})
    return poll


@transaction.atomic
def hall_extend(*, meeting: Meeting, poll_id: int, minutes: int, acting_user=None) -> SecretPoll:
    meeting = _locked(meeting)
    h = _hall_poll(meeting, poll_id)
    if h.poll.state != SecretPoll.State.OPEN:
        raise HallError(_("Only an open vote can be extended."))
    return polls.poll_set_deadline(poll=h.poll, minutes=minutes, acting_user=acting_user)


@transaction.atomic
def hall_announce(*, meeting: Meeting, poll_id: int, acting_user=None) -> SecretPoll:
    """The chair puts a poll on the hall screen: its result once it may be shown, else where it stands."""
    meeting = _locked(meeting)
    h = _hall_poll(meeting, poll_id)
    _show(meeting, h.poll)
    audit_record(actor=acting_user, action="meeting.hall_announce", obj=meeting, division=meeting.body.division,
                 after={"poll": h.poll.pk, "state": h.poll.state})
    return h.poll


# --- what the screen shows ------------------------------------------------------------------------------------

def result_visible(poll: SecretPoll) -> bool:
    if poll.state == SecretPoll.State.CERTIFIED:
        return True
    return poll.state == SecretPoll.State.TALLIED and poll.hall_result == SecretPoll.HallResult.COUNTED


def _ballot_rows(ballot) -> list[dict]:
    rows = ballot.candidates.select_related("project").order_by("rank", "position")
    return [{"title": c.project.title, "votes": c.votes_for, "rank": c.rank, "adopted": bool(c.adopted)} for c in rows]


def _rounds(ballot) -> list[dict]:
    """Every round of a ballot that went to a run-off, round 1 first, each with its result once it may be shown;
    empty for a ballot of one round."""
    from projects.selectors import ballot_rounds

    rounds = ballot_rounds(ballot)
    if len(rounds) < 2:
        return []
    return [{"number": b.round_number, "title": b.poll.title, "current": b.pk == ballot.pk,
             "candidates": _ballot_rows(b) if result_visible(b.poll) else None} for b in rounds]


def _round(poll: SecretPoll) -> dict | None:
    """Which round a run-off is ("round 2 of" round 1's title) and every round's result; None for a plain ballot."""
    from projects.models import Ballot

    ballot = Ballot.objects.filter(poll=poll).select_related("poll").first()
    if ballot is None:
        return None
    rounds = _rounds(ballot)
    if not rounds:
        return None
    return {"number": ballot.round_number, "of": rounds[0]["title"], "count": len(rounds), "rounds": rounds}


def _ratings_result(survey: SatisfactionSurvey, valid: int) -> dict:
    """A three-level ratings survey: each item's counts and verdict by its rule, and the attendance line."""
    stats = selectors.survey_stats([SatisfactionSurvey.objects.select_related("poll__body", "meeting__body")
                                    .prefetch_related("items").get(pk=survey.pk)])[survey.pk]
    return {"kind": "survey", "scale": survey.scale, "valid": valid, "members": stats.members,
            "present": stats.present, "quorum": stats.quorum.reached, "base": stats.rating_base,
            "needed": stats.rating_needed, "percent": survey.rating_percent,
            "items": [{"area": r.area, "title": r.title, "satisfied": r.satisfied, "basic": r.basic,
                       "dissatisfied": r.dissatisfied, "verdict": r.verdict} for r in stats.ratings]}


def _result(poll: SecretPoll) -> dict | None:
    from projects.models import Ballot

    ballot = Ballot.objects.filter(poll=poll).first()
    if ballot is not None:
        return {"kind": "ballot", "seats": ballot.seats, "candidates": _ballot_rows(ballot)}
    survey = SatisfactionSurvey.objects.filter(poll=poll).first()
    if survey is None:
        return None
    agg = BallotSlot.objects.filter(poll=poll, status=BallotSlot.Status.VALID).aggregate(mean=Avg("score"),
                                                                                        n=Count("pk"))
    if survey.scale == SatisfactionSurvey.Scale.RATINGS:
        return _ratings_result(survey, agg["n"])  # a 0-2 mean would say nothing: the verdicts per item
    mean = round(float(agg["mean"]), 1) if agg["mean"] is not None else None
    return {"kind": "survey", "scale": survey.scale, "mean": mean, "valid": agg["n"]}


def _title(poll: SecretPoll) -> str:
    survey = SatisfactionSurvey.objects.filter(poll=poll).first()
    return survey.subject if survey else poll.title


def screen_state(meeting_id: int) -> dict | None:
    """Everything the hall screen shows, as JSON-ready data; None once the meeting is gone. A handful of queries."""
    meeting = Meeting.objects.filter(pk=meeting_id).select_related("body", "hall_poll").first()
    if meeting is None:
        return None
    p = presence(meeting)
    state = {
        "meeting": {"id": meeting.pk, "title": meeting.title, "place": meeting.place, "body": str(meeting.body),
                    "state": meeting.get_state_display()},
        "presence": {"expected": p.expected, "present": p.present, "leave": p.leave, "absent": p.absent,
                     "left": p.left, "quorum_line": p.quorum_line, "quorum": p.quorum.reached},
        "poll": None,
    }
    poll = meeting.hall_poll
    if poll is not None:
        received = VoteRecord.objects.filter(poll=poll).count()
        state["poll"] = {
            "id": poll.pk, "title": _title(poll), "state": poll.state, "state_label": poll.get_state_display(),
            "closes_at": poll.closes_at.isoformat() if poll.closes_at else None,
            "voting": polls.voting_window_open(poll), "received": received, "electors": poll.electorate_size,
            "present_only": poll.present_only,
            "waiting_certification": poll.state == SecretPoll.State.TALLIED and not result_visible(poll),
            "result": _result(poll) if result_visible(poll) else None,
            "round": _round(poll),
        }
    return state
