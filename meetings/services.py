"""Every write about meetings: the meeting and its stages, attendance, agenda, groups, opinions, surveys, reports."""

from __future__ import annotations

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congress import polls, safeguards, verification, workflows
from congress.models import CongressBody, SecretPoll
from congress.queue import send_after_commit
from congress.services import audit_record, snapshot
from deputies.models import Mandate
from deputies.rules import SEAT_ROLES
from meetings import hall, reports
from meetings.models import (
    AgendaItem,
    Attendee,
    DeliberationOpinion,
    InquiryExchange,
    Meeting,
    MeetingGroup,
    Report,
    SatisfactionSurvey,
    Speech,
    SurveyItem,
)
from projects import services as project_services

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


class MeetingError(ValidationError):
    pass


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


# --- attendance and quorum -------------------------------------------------------

def quorum(meeting: Meeting) -> polls.Quorum:
    from django.db.models import Count, Q

    counts = meeting.attendees.filter(voting=True).aggregate(
        members=Count("pk"), present=Count("pk", filter=Q(status=Attendee.Status.PRESENT)))
    return polls.Quorum(members=counts["members"], present=counts["present"])


def _require_attendance_open(meeting: Meeting) -> None:
    if not meeting.before_summary:
        raise MeetingError(_("Attendance can be recorded only before and during the meeting."))


@transaction.atomic
def attendee_set_status(*, attendee: Attendee, status: str, reason: str = "", acting_user=None) -> Attendee:
    attendee = Attendee.objects.select_for_update().select_related("meeting__body__division").get(pk=attendee.pk)
    _require_attendance_open(attendee.meeting)
    if status == Attendee.Status.LEAVE and not reason.strip():
        raise MeetingError(_("Give the reason for the leave."))
    if status == Attendee.Status.LEFT and attendee.status != Attendee.Status.PRESENT:
        raise MeetingError(_("Only a deputy who is present can be marked as having left."))
    before = attendee.status
    attendee.status = status
    attendee.leave_reason = reason.strip() if status == Attendee.Status.LEAVE else ""
    attendee.save(update_fields=["status", "leave_reason"])
    audit_record(actor=acting_user, action="meeting.attendance", obj=attendee.meeting,
                 division=attendee.meeting.body.division,
                 before={"person": attendee.person_id, "status": before}, after={"status": status})
    hall.attendance_changed(attendee, before)
    return attendee


@transaction.atomic
def attendee_request_leave(*, meeting: Meeting, person, reason: str) -> Attendee:
    """A deputy asks for leave from a meeting, with the reason."""
    meeting = Meeting.objects.get(pk=meeting.pk)
    _require_attendance_open(meeting)
    attendee = Attendee.objects.select_for_update().filter(meeting=meeting, person=person).first()
    if attendee is None:
        raise MeetingError(_("You are not expected at this meeting."))
    if attendee.status == Attendee.Status.PRESENT:
        raise MeetingError(_("You have signed in to this meeting already."))
    if not reason.strip():
        raise MeetingError(_("Give the reason for the leave."))
    before = attendee.status
    attendee.status, attendee.leave_reason = Attendee.Status.LEAVE, reason.strip()[:200]
    attendee.save(update_fields=["status", "leave_reason"])
    hall.attendance_changed(attendee, before)
    return attendee


@transaction.atomic
def attendee_sign_in_with_code(*, meeting: Meeting, person, code: str) -> Attendee:
    """A deputy signs themselves in with the one-time code from the sign-in sheet or its QR code."""
    meeting = Meeting.objects.get(pk=meeting.pk)
    _require_attendance_open(meeting)
    attendee = Attendee.objects.select_for_update().filter(meeting=meeting, person=person).first()
    if attendee is None:
        raise MeetingError(_("You are not expected at this meeting."))
    if attendee.sign_in_code != code.strip().upper():
        raise MeetingError(_("This sign-in code is not yours. Check the code next to your name on the sign-in sheet."))
    if attendee.status == Attendee.Status.PRESENT:
        raise MeetingError(_("You have signed in to this meeting already: a sign-in code is used once."))
    if attendee.status == Attendee.Status.LEFT:
        raise MeetingError(_("You signed in earlier and left the hall: ask the staff at the door to record your "
                             "return."))
    before = attendee.status
    attendee.status = Attendee.Status.PRESENT
    attendee.leave_reason = ""
    attendee.save(update_fields=["status", "leave_reason"])
    hall.attendance_changed(attendee, before)
    return attendee


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
def opinions_gather(*, meeting: Meeting, opinions, acting_user=None) -> int:
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
def opinion_send(*, meeting: Meeting, text: str, unit: str, due_date: datetime.date, item=None,
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
def opinion_respond(*, opinion: DeliberationOpinion, response: str, on: datetime.date, acting_user=None):
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
def opinion_close(*, opinion: DeliberationOpinion, acting_user=None):
    if not workflows.can(opinion, "close"):
        raise MeetingError(_("An opinion is closed after the unit has answered."))
    workflows.transition(opinion, "close", error=MeetingError)
    audit_record(actor=acting_user, action="meeting.opinion_close", obj=opinion, division=opinion.meeting.body.division,
                 before={"status": DeliberationOpinion.Status.ANSWERED}, after={"status": opinion.status})
    return opinion


@transaction.atomic
def opinions_flag_overdue(*, on_date: datetime.date) -> int:
    return DeliberationOpinion.objects.filter(status=DeliberationOpinion.Status.SENT, due_date__lt=on_date,
                                              overdue=False).update(overdue=True)


# --- satisfaction surveys -----------------------------------------------------------

def _clean_rated_items(scale: str, items) -> list[tuple[str, str]]:
    """A ratings survey's items as (area, title) pairs: 1 to 62, each named; other scales have none."""
    cleaned = [(" ".join(str(area or "").split())[:60], " ".join(str(title or "").split())[:200])
               for area, title in (items or [])]
    if scale != SatisfactionSurvey.Scale.RATINGS:
        if cleaned:
            raise MeetingError(_("Only a three-level ratings survey has items to rate."))
        return []
    if not cleaned:
        raise MeetingError(_("List the items to rate, one a line."))
    if len(cleaned) > SecretPoll.MAX_OPTIONS:
        raise MeetingError(_("A survey rates at most %(n)s items; %(k)s were listed.")
                           % {"n": SecretPoll.MAX_OPTIONS, "k": len(cleaned)})
    if any(not title for _area, title in cleaned):
        raise MeetingError(_("Every rated item needs a name."))
    return cleaned


@transaction.atomic
def survey_create(*, meeting: Meeting, subject: str, scale: str = SatisfactionSurvey.Scale.POINTS, item=None,
                  project=None, bands=None, items=None, rating_base: str = SatisfactionSurvey.RatingBase.MEMBERS,
                  rating_percent: int = 50, acting_user=None) -> SatisfactionSurvey:
    """Set up a survey. A three-level ratings survey (`scale="ratings"`) rates `items`, (area, title) pairs, each
    by the Zhenhai rule over `rating_base` with `rating_percent` (see meetings.ratings); the rule is frozen with
    the survey."""
    if not meeting.before_summary:
        raise MeetingError(_("Surveys are set up before or during the meeting."))
    bands = list(bands) if bands else list(SatisfactionSurvey.DEFAULT_BANDS)
    if any(not isinstance(b, int) or not 0 < b <= 100 for b in bands) or bands != sorted(set(bands), reverse=True):
        raise MeetingError(_("Grade bands are distinct whole numbers from 1 to 100, highest first."))
    rated = _clean_rated_items(scale, items)
    poll = SecretPoll.objects.create(body=meeting.body, purpose=SecretPoll.Purpose.SURVEY, requires_quorum=True,
                                     title=_("Satisfaction survey: %(subject)s") % {"subject": subject})
    survey = SatisfactionSurvey(poll=poll, meeting=meeting, item=item, subject=subject, project=project,
                                scale=scale, bands=bands, rating_base=rating_base, rating_percent=rating_percent)
    survey.full_clean()
    survey.save()
    SurveyItem.objects.bulk_create([SurveyItem(survey=survey, position=i, area=area, title=title)
                                    for i, (area, title) in enumerate(rated)])
    audit_record(actor=acting_user, action="survey.create", obj=poll, division=meeting.body.division,
                 after={"subject": subject, "scale": scale, "items": len(rated),
                        **({"rating_base": rating_base, "rating_percent": rating_percent} if rated else {})})
    return survey


YEAR_END_STATES = ("implementation", "completed", "evaluated")


@transaction.atomic
def year_end_evaluation_create(*, meeting: Meeting, year: int, acting_user=None) -> AgendaItem:
    """The year-end evaluation of the livelihood projects (年度民生实事项目满意度测评): one agenda item, and under it
    one three-grade survey per project of `year` being carried out or completed, each linked to its project.

    Each survey is its own sealed poll on the secret-ballot core, so each project's result stands on its own."""
    from projects.models import Project

    projects = list(Project.objects.filter(body=meeting.body, year=year, state__in=YEAR_END_STATES)
                    .order_by("title", "pk"))
    if not projects:
        raise MeetingError(_("No project of %(year)s of this body is being carried out or completed.") % {"year": year})
    if SatisfactionSurvey.objects.filter(meeting=meeting, project__in=projects).exists():
        raise MeetingError(_("This meeting already evaluates projects of %(year)s.") % {"year": year})
    item = agenda_add(meeting=meeting, kind=AgendaItem.Kind.SURVEY, projects=projects, acting_user=acting_user,
                      title=_("Satisfaction survey of the %(year)s livelihood projects") % {"year": year})
    for project in projects:
        survey_create(meeting=meeting, subject=project.title, scale=SatisfactionSurvey.Scale.GRADES, item=item,
                      project=project, acting_user=acting_user)
    return item


@transaction.atomic
def survey_open(*, survey: SatisfactionSurvey, scrutineers=None, threshold=None, acting_user=None) -> SatisfactionSurvey:
    """Open scoring to the voting members present; quorum is checked and frozen; the box is sealed.

    `survey.poll.share_cards` holds the scrutineers' cards, in memory only.
    """
    meeting = Meeting.objects.select_for_update().get(pk=survey.meeting_id)
    if meeting.state != Meeting.State.CONVENING:
        raise MeetingError(_("Ballots and surveys open while the meeting is convening."))
    q = quorum(meeting)
    present = [a.person for a in meeting.attendees.filter(status=Attendee.Status.PRESENT, voting=True)
               .select_related("person").order_by("person_id")]
    survey.poll = polls.poll_open(poll=survey.poll, electors=present, seated_count=q.members, scrutineers=scrutineers,
                                  threshold=threshold, acting_user=acting_user, quorum=q)
    survey.quorum_members, survey.quorum_present = q.members, q.present
    survey.save(update_fields=["quorum_members", "quorum_present"])
    hall.sync_in_hall(meeting, poll_ids=[survey.poll_id])
    return survey


def rated_positions(survey: SatisfactionSurvey) -> list[int]:
    return [i.position for i in survey.items.all()]  # the prefetched items, if any


def ratings_contents(survey: SatisfactionSurvey, value) -> polls.Contents:
    """A ratings response, {position: 2 | 1 | 0} for every item, as the three masks of the sealed ballot:
    满意 in `approvals`, 基本满意 in `abstentions`, 不满意 in `rejections` (the ballot format of the core,
    unchanged). Refused whole unless every item is rated once."""
    positions = set(rated_positions(survey))
    if not isinstance(value, dict) or set(value) != positions:
        raise MeetingError(_("Rate every item: satisfied, basically satisfied or dissatisfied. Nothing was recorded."))
    masks = {2: 0, 1: 0, 0: 0}
    for position, grade in value.items():
        if grade not in masks:
            raise MeetingError(_("Rate every item: satisfied, basically satisfied or dissatisfied. Nothing was "
                                 "recorded."))
        masks[grade] |= 1 << position
    return polls.Contents(approvals=masks[2], abstentions=masks[1], rejections=masks[0])


def survey_contents(survey: SatisfactionSurvey, value) -> polls.Contents:
    if survey.scale == SatisfactionSurvey.Scale.RATINGS:
        return ratings_contents(survey, value)
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise MeetingError(_("Give a whole-number score.")) from exc
    if survey.scale == SatisfactionSurvey.Scale.POINTS:
        if not 0 <= number <= 100:
            raise MeetingError(_("A score is from 0 to 100; %(v)s is outside the scale.") % {"v": number})
    elif number not in dict(SatisfactionSurvey.GRADES):
        raise MeetingError(_("Choose satisfied, basically satisfied or dissatisfied."))
    return polls.Contents(score=number)


def survey_rules_check(survey: SatisfactionSurvey):
    """The survey's scale, as a check of an opened response (one that fails counts as invalid)."""

    if survey.scale == SatisfactionSurvey.Scale.RATINGS:
        every = sum(1 << p for p in rated_positions(survey))

        def check_ratings(c: polls.Contents) -> bool:
            disjoint = not (c.approvals & c.rejections or c.approvals & c.abstentions or c.rejections & c.abstentions)
            return (c.status == "valid" and c.score is None and disjoint
                    and (c.approvals | c.rejections | c.abstentions) == every)

        return check_ratings

    def check(c: polls.Contents) -> bool:
        if c.status != "valid" or c.approvals or c.rejections or c.abstentions or c.score is None:
            return False
        if survey.scale == SatisfactionSurvey.Scale.POINTS:
            return 0 <= c.score <= 100
        return c.score in dict(SatisfactionSurvey.GRADES)

    return check


def survey_respond(*, survey: SatisfactionSurvey, person=None, value, now=None,
                   user_id: int | None = None, signed_in: polls.SignedIn | None = None) -> polls.Receipt:
    """A deputy's anonymous score, sealed. Returns the receipt (the tracker).

    With `user_id` (the scoring page, with the survey as `selectors.survey_for_scoring` keeps it) one statement finds
    the elector and stores the score; refusals are `polls.CastRefused` (STALE: load the survey again; with
    `signed_in`, a cast pass, SIGNED_OUT: the session no longer holds)."""
    contents = survey_contents(survey, value)
    if user_id is not None:
        return polls.cast(poll=survey.poll, user_id=user_id, contents=contents, now=now, signed_in=signed_in)
    return polls.poll_cast_web(poll=survey.poll, person=person, contents=contents, now=now)


@transaction.atomic
def survey_enter_paper(*, survey: SatisfactionSurvey, value=None, status: str = "valid", acting_user=None) -> None:
    contents = survey_contents(survey, value) if status == "valid" else polls.Contents(status=status)
    polls.poll_cast_paper(poll=survey.poll, contents=contents, acting_user=acting_user)
    # who entered a paper form, and when; never the score it carried
    audit_record(actor=acting_user, action="survey.enter_paper", obj=survey.poll, division=survey.meeting.body.division)


@transaction.atomic
def survey_close(*, survey: SatisfactionSurvey, acting_user=None, reason: str = "", now=None) -> SecretPoll:
    """Close scoring. It is counted, and its report queued, when the scrutineers open the box (`survey_unseal`).

    Closing before the end time or below the body's minimum turnout needs `reason` (congress.safeguards).
    """
    locked = SecretPoll.objects.select_for_update().select_related("body").get(pk=survey.poll_id)
    facts = safeguards.close_facts(locked, now)
    reason = safeguards.require_close_reason(facts, reason, acting_user)
    return polls.poll_close(poll=locked, acting_user=acting_user, now=now, reason=reason, facts=facts.as_dict())


def surveys_due_to_close(now=None):
    """Open surveys whose end time has come (the chair's timed vote, or a survey given an end time)."""
    now = now or timezone.now()
    return SatisfactionSurvey.objects.filter(poll__state=SecretPoll.State.OPEN, poll__closes_at__lte=now)


@transaction.atomic
def survey_unseal(*, survey: SatisfactionSurvey, shares: list[str], acting_user=None) -> Report:
    """The scrutineers open the closed survey's box with their cards: it is counted and its report queued."""
    polls.poll_unseal(poll=survey.poll, shares=shares, check=survey_rules_check(survey), acting_user=acting_user)
    poll = SecretPoll.objects.get(pk=survey.poll_id)
    polls.poll_mark_tallied(poll)
    return report_request(meeting=survey.meeting, kind=Report.Kind.SURVEY, survey=survey)


@transaction.atomic
def survey_void(*, survey: SatisfactionSurvey, reason: str, acting_user=None) -> SatisfactionSurvey:
    """Void a closed survey whose box cannot be opened (cards lost) and set it back to a draft, to be run again."""
    survey.poll = polls.poll_void(poll=survey.poll, reason=reason, acting_user=acting_user)
    survey.quorum_members = survey.quorum_present = None
    survey.save(update_fields=["quorum_members", "quorum_present"])
    return survey


def survey_verification_bundle(*, survey: SatisfactionSurvey, acting_user=None) -> dict:
    """The verification bundle of an opened survey (congress.verification), audited there."""
    return verification.poll_verification_bundle(poll=survey.poll, recount=lambda _poll: reports.survey_recount(survey),
                                                 acting_user=acting_user)


# --- reports -------------------------------------------------------------------------

def _queue_build(report: Report) -> None:
    from meetings.tasks import build_report

    send_after_commit(
        build_report, report.pk,
        on_failure=lambda error: report_fail(report_id=report.pk, error=_("The task queue was not reachable.")),
    )


@transaction.atomic
def report_request(*, meeting: Meeting, kind: str, survey=None, acting_user=None) -> Report:
    report = Report.objects.create(meeting=meeting, kind=kind, survey=survey)
    _queue_build(report)
    audit_record(actor=acting_user, action="report.request", obj=meeting, division=meeting.body.division,
                 after={"report": report.pk, "kind": kind})
    return report


@transaction.atomic
def report_rebuild(*, report: Report, acting_user=None) -> Report:
    """Build a failed report again (for example once the task queue is back)."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if not workflows.can(report, "rebuild"):
        raise MeetingError(_("Only a report that failed is built again."))
    report.progress, report.error = 0, ""
    workflows.transition(report, "rebuild", also=["progress", "error"], error=MeetingError)
    _queue_build(report)
    audit_record(actor=acting_user, action="report.rebuild", obj=report.meeting, division=report.meeting.body.division,
                 after={"report": report.pk, "kind": report.kind})
    return report


def report_store(*, report_id: int, html: str, pdf_bytes: bytes | None, checksum: str) -> Report:
    """Save a built report. Idempotent: the same content leaves the stored file alone."""
    from django.core.files.base import ContentFile

    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report_id)
        if report.state == Report.State.DONE and report.content_checksum == checksum:
            return report
        report.html = html
        report.content_checksum = checksum
        if pdf_bytes is not None:
            name = f"{report.kind}-{report.meeting_id}-{report.pk}.pdf"
            if report.pdf:
                report.pdf.delete(save=False)
            report.pdf.save(name, ContentFile(pdf_bytes), save=False)
        report.progress = 100
        report.built_at = timezone.now()
        report.error = ""
        workflows.transition(report, Report.State.DONE, also=None, error=MeetingError)
        return report


def report_progress(*, report_id: int, progress: int, state: str = Report.State.BUILDING) -> None:
    workflows.update(Report.objects.filter(pk=report_id), state, progress=progress)  # a ready report stays ready


def report_fail(*, report_id: int, error: str) -> None:
    workflows.update(Report.objects.filter(pk=report_id), Report.State.FAILED, error=error[:300])


def vote_record_exists(poll, person) -> bool:
    from congress.models import VoteRecord

    return VoteRecord.objects.filter(poll=poll, elector__person=person).exists()


