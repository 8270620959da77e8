"""Satisfaction surveys: set up (and the year-end evaluation), opened, scored (on the web or on paper), closed,
unsealed by the scrutineers, voided, verified."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congress import polls, safeguards, verification
from congress.models import SecretPoll
from congress.services import audit_record
from meetings import hall, reports
from meetings.models import AgendaItem, Attendee, Meeting, Report, SatisfactionSurvey, SurveyItem
from meetings.services.attendance import quorum
from meetings.services.errors import MeetingError
from meetings.services.meetings import agenda_add
from meetings.services.report_jobs import report_request


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


def vote_record_exists(poll, person) -> bool:
    from congress.models import VoteRecord

    return VoteRecord.objects.filter(poll=poll, elector__person=person).exists()
