"""The meeting itself: creating it with its expected attendees, its stages, its agenda and an agenda item's ballot."""

from __future__ import annotations

import datetime
import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from congress import polls, workflows
from congress.models import CongressBody, SecretPoll
from congress.services import audit_record, snapshot
from deputies.models import Mandate
from deputies.rules import SEAT_ROLES
from meetings import hall
from meetings.models import AgendaItem, Attendee, Meeting
from meetings.services.attendance import quorum
from meetings.services.errors import MeetingError
from projects import services as project_services

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_sign_in_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


@transaction.atomic
def meeting_create(*, body: CongressBody, kind: str, title: str, date: datetime.date, place: str, session=None,
                   acting_user=None) -> Meeting:
    """Create a meeting and its expected attendees from the mandates active on its date."""
    if session is not None and session.term.body_id != body.pk:
        raise MeetingError(_("The session belongs to another body."))
    meeting = Meeting(body=body, kind=kind, title=title, date=date, place=place, session=session)
    meeting.full_clean()
    meeting.save()
    mandates = (Mandate.objects.filter(term__body=body, term__start_date__lte=date, term__end_date__gte=date)
                .active_on(date).select_related("person").order_by("person_id"))
    seen, attendees, codes = set(), [], set()
    for m in mandates:
        if m.person_id in seen:
            continue
        seen.add(m.person_id)
        voting = m.role in SEAT_ROLES or body.fixed_attendees_vote
        code = new_sign_in_code()
        while code in codes:
            code = new_sign_in_code()
        codes.add(code)
        attendees.append(Attendee(meeting=meeting, person=m.person, voting=voting, sign_in_code=code))
    Attendee.objects.bulk_create(attendees, batch_size=1000)
    workflows.record(meeting, from_state="", actor=acting_user)
    audit_record(actor=acting_user, action="meeting.create", obj=meeting, division=body.division,
                 after=snapshot(meeting, fields=["kind", "title", "date", "place"]) | {"attendees": len(attendees)})
    return meeting


@transaction.atomic
def meeting_transition(*, meeting: Meeting, to: str, acting_user=None) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    workflows.check(meeting, to, error=MeetingError)
    if to == Meeting.State.CLOSED:
        open_polls = SecretPoll.objects.filter(state=SecretPoll.State.OPEN).filter(
            survey__meeting=meeting).exists() or meeting.agenda.filter(ballot__poll__state=SecretPoll.State.OPEN).exists()
        if open_polls:
            raise MeetingError(_("Close the meeting's open ballots and surveys first."))
    frm = workflows.transition(meeting, to, actor=acting_user, error=MeetingError)
    audit_record(actor=acting_user, action="meeting.transition", obj=meeting, division=meeting.body.division,
                 before={"state": frm}, after={"state": to})
    return meeting


# --- agenda ------------------------------------------------------------------------

@transaction.atomic
def agenda_add(*, meeting: Meeting, kind: str, title: str, reporter: str = "", reporting_unit: str = "",
               ballot=None, projects=(), acting_user=None) -> AgendaItem:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not meeting.before_summary:
        raise MeetingError(_("The agenda is fixed once the meeting is in summary."))
    if kind == AgendaItem.Kind.PROJECT_BALLOT:
        if ballot is None:
            raise MeetingError(_("A ballot item needs its ballot."))
        if ballot.poll.body_id != meeting.body_id:
            raise MeetingError(_("The ballot belongs to another body."))
        if ballot.poll.state != SecretPoll.State.DRAFT:
            raise MeetingError(_("Only a ballot that has not opened can be put on a meeting's agenda."))
        polls.poll_require_quorum(poll=ballot.poll)
    elif ballot is not None:
        raise MeetingError(_("Only a ballot item carries a ballot."))
    order = (meeting.agenda.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    item = AgendaItem(meeting=meeting, order=order, kind=kind, title=title, reporter=reporter,
                      reporting_unit=reporting_unit, ballot=ballot)
    item.full_clean()
    item.save()
    if projects:
        item.projects.set(projects)
    audit_record(actor=acting_user, action="meeting.agenda_add", obj=meeting, division=meeting.body.division,
                 after={"order": order, "kind": kind, "title": title})
    return item


@transaction.atomic
def meeting_open_ballot(*, item: AgendaItem, scrutineers=None, threshold=None, acting_user=None):
    """Open an agenda item's project ballot: only while convening and with quorum, which is frozen into the poll."""
    meeting = Meeting.objects.select_for_update().get(pk=item.meeting_id)
    if meeting.state != Meeting.State.CONVENING:
        raise MeetingError(_("Ballots and surveys open while the meeting is convening."))
    ballot = project_services.ballot_open(ballot=item.ballot, scrutineers=scrutineers, threshold=threshold,
                                          acting_user=acting_user, quorum=quorum(meeting))
    hall.sync_in_hall(meeting, poll_ids=[ballot.poll_id])
    return ballot
