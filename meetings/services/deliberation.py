"""Preparing and deliberating: pre-meeting inspections, gathered residents' opinions, groups, speeches, inquiries
and the deliberation opinions sent to units."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from congress import workflows
from congress.services import audit_record
from meetings.models import AgendaItem, DeliberationOpinion, InquiryExchange, Meeting, MeetingGroup, Speech
from meetings.services.errors import MeetingError

# --- preparation ---------------------------------------------------------------------

@transaction.atomic
def inspection_add(*, meeting: Meeting, date: datetime.date, place: str, findings: str, participants=(),
                   acting_user=None):
    """A pre-meeting inspection or research visit: who went, where, what they found."""
    from meetings.models import Inspection

    if not meeting.before_summary:
        raise MeetingError(_("Inspections are recorded while the meeting is prepared."))
    if date > meeting.date:
        raise MeetingError(_("A pre-meeting inspection takes place before the meeting."))
    outsiders = [p.name for p in participants if not meeting.attendees.filter(person=p).exists()]
    if outsiders:
        raise MeetingError(_("Not attendees of this meeting: %(names)s.") % {"names": ", ".join(outsiders)})
    inspection = Inspection(meeting=meeting, date=date, place=place, findings=findings)
    inspection.full_clean()
    inspection.save()
    inspection.participants.set(participants)
    audit_record(actor=acting_user, action="meeting.inspection_add", obj=meeting, division=meeting.body.division,
                 after={"date": date.isoformat(), "place": place, "participants": len(participants)})
    return inspection


@transaction.atomic
def deliberation_opinions_gather(*, meeting: Meeting, opinions, acting_user=None) -> int:
    """Residents' opinions collected before the meeting, put before it."""
    if not meeting.before_summary:
        raise MeetingError(_("Opinions are gathered while the meeting is prepared."))
    outside = [o.reference for o in opinions if not o.division.path.startswith(meeting.body.division.path)]
    if outside:
        raise MeetingError(_("Raised outside this body's division: %(refs)s.") % {"refs": ", ".join(outside)})
    meeting.gathered_opinions.add(*opinions)
    audit_record(actor=acting_user, action="meeting.opinions_gather", obj=meeting, division=meeting.body.division,
                 after={"opinions": [o.reference for o in opinions]})
    return len(opinions)


# --- groups, speeches, inquiries, opinions ------------------------------------------------

@transaction.atomic
def group_create(*, meeting: Meeting, name: str, members=(), acting_user=None) -> MeetingGroup:
    group = MeetingGroup(meeting=meeting, name=name)
    group.full_clean()
    group.save()
    if members:
        meeting.attendees.filter(person__in=members).update(group=group)
    audit_record(actor=acting_user, action="meeting.group_create", obj=meeting, division=meeting.body.division,
                 after={"group": name, "members": len(members)})
    return group


@transaction.atomic
def speech_add(*, item: AgendaItem, speaker, text: str, group=None, acting_user=None) -> Speech:
    if not item.meeting.attendees.filter(person=speaker).exists():
        raise MeetingError(_("The speaker is not an attendee of this meeting."))
    speech = Speech(item=item, speaker=speaker, text=text, group=group)
    speech.full_clean()
    speech.save()
    audit_record(actor=acting_user, action="meeting.speech_add", obj=item.meeting, division=item.meeting.body.division,
                 after={"item": item.pk, "speaker": speaker.pk})
    return speech


@transaction.atomic
def inquiry_add(*, item: AgendaItem, asked_by, question: str, answered_by: str = "", answer: str = "",
                acting_user=None) -> InquiryExchange:
    if item.kind != AgendaItem.Kind.INQUIRY:
        raise MeetingError(_("Questions and answers belong to a special inquiry."))
    ex = InquiryExchange(item=item, asked_by=asked_by, question=question, answered_by=answered_by, answer=answer)
    ex.full_clean()
    ex.save()
    audit_record(actor=acting_user, action="meeting.inquiry_add", obj=item.meeting, division=item.meeting.body.division,
                 after={"item": item.pk, "asked_by": asked_by.pk})
    return ex


@transaction.atomic
def deliberation_opinion_send(*, meeting: Meeting, text: str, unit: str, due_date: datetime.date, item=None,
                              acting_user=None) -> DeliberationOpinion:
    if not meeting.convened:
        raise MeetingError(_("Deliberation opinions are sent during or after the meeting."))
    op = DeliberationOpinion(meeting=meeting, text=text, unit=unit, due_date=due_date, item=item)
    op.full_clean()
    op.save()
    audit_record(actor=acting_user, action="meeting.opinion_send", obj=meeting, division=meeting.body.division,
                 after={"unit": unit, "due": due_date.isoformat()})
    return op


@transaction.atomic
def deliberation_opinion_respond(*, opinion: DeliberationOpinion, response: str, on: datetime.date,
                                 acting_user=None):
    if not workflows.can(opinion, "respond"):
        raise MeetingError(_("This opinion is closed."))
    if not response.strip():
        raise MeetingError(_("Write the unit's response."))
    opinion.response, opinion.responded_on = response.strip(), on
    opinion.overdue = False
    workflows.transition(opinion, "respond", also=["response", "responded_on", "overdue"], error=MeetingError)
    audit_record(actor=acting_user, action="meeting.opinion_respond", obj=opinion, division=opinion.meeting.body.division,
                 after={"status": opinion.status, "responded_on": on.isoformat()})
    return opinion


@transaction.atomic
def deliberation_opinion_close(*, opinion: DeliberationOpinion, acting_user=None):
    if not workflows.can(opinion, "close"):
        raise MeetingError(_("An opinion is closed after the unit has answered."))
    workflows.transition(opinion, "close", error=MeetingError)
    audit_record(actor=acting_user, action="meeting.opinion_close", obj=opinion, division=opinion.meeting.body.division,
                 before={"status": DeliberationOpinion.Status.ANSWERED}, after={"status": opinion.status})
    return opinion


@transaction.atomic
def deliberation_opinions_flag_overdue(*, on_date: datetime.date) -> int:
    return DeliberationOpinion.objects.filter(status=DeliberationOpinion.Status.SENT, due_date__lt=on_date,
                                              overdue=False).update(overdue=True)
