import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from congress.models import BallotSlot, VoteRecord
from meetings import services
from meetings.models import AgendaItem, Attendee, DeliberationOpinion, Meeting
from meetings.tasks import flag_overdue_deliberation_opinions, send_meeting_notices
from tests.ballot_box import SEAL, TRACKER, filled, sealed
from tests.factories import CLOSE_REASON
from tests.meetings.conftest import Hall
from tests.projects.conftest import make_candidates

pytestmark = pytest.mark.django_db


def test_attendees_come_from_mandates_voting_apart_from_fixed(hall):
    h = Hall(deputies=5, fixed=2)
    att = list(h.meeting.attendees.all())
    assert len(att) == 7
    assert sum(a.voting for a in att) == 5
    assert len({a.sign_in_code for a in att}) == 7


def test_stages_are_a_state_machine_with_history(hall):
    h = Hall()
    with pytest.raises(ValidationError):
        services.meeting_transition(meeting=h.meeting, to=Meeting.State.CLOSED)
    h.convene()
    services.meeting_transition(meeting=h.meeting, to=Meeting.State.SUMMARY)
    services.meeting_transition(meeting=h.meeting, to=Meeting.State.CLOSED)
    assert list(h.meeting.transitions.values_list("to_state", flat=True)) == ["preparation", "convening", "summary", "closed"]


def test_quorum_is_more_than_half_of_voting_members(hall):
    h = Hall(deputies=6, fixed=3)
    h.present(*h.fixed)  # fixed attendees do not count
    h.present(*h.people[:3])
    q = services.quorum(h.meeting)
    assert (q.present, q.members, q.reached) == (3, 6, False)
    h.present(h.people[3])
    assert services.quorum(h.meeting).reached


def test_leave_needs_a_reason_in_service_and_database(hall):
    h = Hall()
    with pytest.raises(ValidationError):
        services.attendee_set_status(attendee=h.attendee(h.people[0]), status=Attendee.Status.LEAVE, reason=" ")
    services.attendee_set_status(attendee=h.attendee(h.people[0]), status=Attendee.Status.LEAVE, reason="病假")
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendee.objects.filter(pk=h.attendee(h.people[0]).pk).update(leave_reason="")


def test_sign_in_with_one_time_code(hall):
    h = Hall()
    me, other = h.attendee(h.people[0]), h.attendee(h.people[1])
    with pytest.raises(ValidationError):
        services.attendee_sign_in_with_code(meeting=h.meeting, person=h.people[0], code=other.sign_in_code)
    services.attendee_sign_in_with_code(meeting=h.meeting, person=h.people[0], code=me.sign_in_code.lower())
    assert h.attendee(h.people[0]).status == "present"
    outsider = Hall().people[0]
    with pytest.raises(ValidationError):
        services.attendee_sign_in_with_code(meeting=h.meeting, person=outsider, code=me.sign_in_code)


def test_ballot_on_the_agenda_opens_only_with_quorum_and_freezes_it(hall):
    from projects import services as ps

    h = Hall(deputies=6)
    projects = make_candidates(h.body, 3)
    ballot = ps.ballot_create(body=h.body, title="民生实事票决", year=2027, seats=2, max_choices=2)
    ps.ballot_set_candidates(ballot=ballot, projects=projects)
    item = services.agenda_add(meeting=h.meeting, kind=AgendaItem.Kind.PROJECT_BALLOT, title="票决", ballot=ballot)
    h.convene()
    h.present(*h.people[:3])
    with pytest.raises(ValidationError, match="3"):
        services.meeting_open_ballot(item=item, **SEAL)
    with pytest.raises(ValidationError):  # not from the project page either
        ps.ballot_open(ballot=ballot, **SEAL)
    h.present(h.people[3])
    sealed(services.meeting_open_ballot(item=item, **SEAL))
    ballot.poll.refresh_from_db()
    assert (ballot.poll.state, ballot.poll.quorum_present, ballot.poll.quorum_members) == ("open", 4, 6)
    h.present(h.people[4])
    ballot.poll.refresh_from_db()
    assert ballot.poll.quorum_present == 4  # frozen


def open_survey(h, present=4, **kw):
    h.convene()
    h.present(*h.people[:present])
    survey = services.survey_create(meeting=h.meeting, subject="河长制工作", **kw)
    return sealed(services.survey_open(survey=survey, **SEAL))


def test_survey_needs_quorum(hall):
    h = Hall(deputies=6)
    h.convene()
    h.present(*h.people[:3])
    survey = services.survey_create(meeting=h.meeting, subject="法院工作")
    with pytest.raises(ValidationError):
        services.survey_open(survey=survey, **SEAL)


def test_deputies_present_score_once_anonymously(hall):
    h = Hall(deputies=6)
    survey = open_survey(h, present=4)
    assert survey.poll.electorate_size == 4
    receipt = services.survey_respond(survey=survey, person=h.people[0], value=88)
    assert re.fullmatch(TRACKER, receipt)
    with pytest.raises(ValidationError):
        services.survey_respond(survey=survey, person=h.people[0], value=60)
    with pytest.raises(ValidationError):  # absent: not on the electorate
        services.survey_respond(survey=survey, person=h.people[5], value=60)
    for bad in (101, -1, "abc", None):
        with pytest.raises(ValidationError):
            services.survey_respond(survey=survey, person=h.people[1], value=bad)
    assert VoteRecord.objects.filter(poll=survey.poll).count() == 1
    assert [(s.status, s.score) for s in filled(survey.poll)] == [("valid", 88)]
    services.survey_close(survey=survey, reason=CLOSE_REASON)
    with pytest.raises(ValidationError):
        services.survey_respond(survey=survey, person=h.people[1], value=70)


def test_grade_scale(hall):
    h = Hall(deputies=4)
    survey = open_survey(h, present=4, scale="grades")
    with pytest.raises(ValidationError):
        services.survey_respond(survey=survey, person=h.people[0], value=5)
    services.survey_respond(survey=survey, person=h.people[0], value=2)


def test_database_refuses_a_score_outside_the_scale(hall):
    h = Hall()
    survey = open_survey(h)
    slot = BallotSlot.objects.create(poll=survey.poll, status="valid", score=50)
    with pytest.raises(IntegrityError), transaction.atomic():
        BallotSlot.objects.filter(pk=slot.pk).update(status="valid", score=130)


def test_opinions_are_tracked_until_closed_and_overdue_flagged(hall):
    h = Hall()
    h.convene()
    op = services.deliberation_opinion_send(meeting=h.meeting, text="加强巡河", unit="区水利局", due_date=datetime.date(2026, 9, 1))
    with pytest.raises(ValidationError):
        services.deliberation_opinion_close(opinion=op)
    assert services.deliberation_opinions_flag_overdue(on_date=datetime.date(2026, 9, 2)) == 1
    assert flag_overdue_deliberation_opinions.delay().get() == 0
    op.refresh_from_db()
    assert op.overdue
    services.deliberation_opinion_respond(opinion=op, response="已建立巡河台账", on=datetime.date(2026, 9, 5))
    services.deliberation_opinion_close(opinion=op)
    op.refresh_from_db()
    assert op.status == DeliberationOpinion.Status.CLOSED and not op.overdue


def test_notices_and_reminders_are_sent_once(hall, settings):
    from deputies import services as ds

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    h = Hall(deputies=3, fixed=0, date=datetime.date(2026, 7, 20))
    for i, p in enumerate(h.people):
        user, _pw = ds.deputy_account_create(person=p, username=f"d{i}")
        user.email = f"d{i}@example.org"
        user.save()
    services.agenda_add(meeting=h.meeting, kind=AgendaItem.Kind.WORK_REPORT, title="政府工作报告")
    assert send_meeting_notices.delay(h.meeting.pk).get() == 3
    assert send_meeting_notices.delay(h.meeting.pk).get() == 0
    assert len(mail.outbox) == 3 and all(len(m.to) == 1 for m in mail.outbox)
    assert "政府工作报告" in mail.outbox[0].body
    from meetings import notices

    assert notices.send_reminders(today=datetime.date(2026, 7, 18)) == 0
    assert notices.send_reminders(today=datetime.date(2026, 7, 19)) == 3
    assert notices.send_reminders(today=datetime.date(2026, 7, 19)) == 0


def test_speeches_and_inquiries(hall):
    h = Hall()
    item = services.agenda_add(meeting=h.meeting, kind=AgendaItem.Kind.INQUIRY, title="专题询问")
    report = services.agenda_add(meeting=h.meeting, kind=AgendaItem.Kind.WORK_REPORT, title="报告")
    services.inquiry_add(item=item, asked_by=h.people[0], question="内涝如何治理？", answered_by="住建委", answer="分三年")
    with pytest.raises(ValidationError):
        services.inquiry_add(item=report, asked_by=h.people[0], question="x")
    group = services.group_create(meeting=h.meeting, name="第一组", members=h.people[:3])
    services.speech_add(item=report, speaker=h.people[1], text="建议增加投入", group=group)
    with pytest.raises(ValidationError):
        services.speech_add(item=report, speaker=Hall().people[0], text="外人")
    assert h.meeting.attendees.filter(group=group).count() == 3


def test_pre_meeting_inspections(hall):
    h = Hall()
    with pytest.raises(ValidationError):
        services.inspection_add(meeting=h.meeting, date=datetime.date(2026, 8, 1), place="x", findings="y")
    with pytest.raises(ValidationError):
        services.inspection_add(meeting=h.meeting, date=datetime.date(2026, 7, 1), place="x", findings="y",
                                participants=[Hall().people[0]])
    i = services.inspection_add(meeting=h.meeting, date=datetime.date(2026, 7, 1), place="滨江河段", findings="垃圾堆积",
                                participants=h.people[:2])
    assert set(i.participants.all()) == set(h.people[:2])


def test_residents_opinions_gathered_for_the_meeting(hall):
    from deputies import liaison
    from deputies.models import OpinionCategory

    h = Hall()
    cat = OpinionCategory.objects.get_or_create(name="其他事项")[0]
    mine = liaison.opinion_receive(division=h.people[0].area, category=cat, text="路灯", channel="visit")
    elsewhere = liaison.opinion_receive(division=Hall().people[0].area, category=cat, text="外区", channel="visit")
    with pytest.raises(ValidationError):
        services.deliberation_opinions_gather(meeting=h.meeting, opinions=[elsewhere])
    assert services.deliberation_opinions_gather(meeting=h.meeting, opinions=[mine]) == 1
    from meetings import reports

    assert [o.reference for o in reports.meeting_report(h.meeting.pk).gathered] == [mine.reference]


def test_deputy_requests_leave_with_a_reason(hall, client):
    from deputies import services as ds

    h = Hall()
    user, _pw = ds.deputy_account_create(person=h.people[0])
    client.force_login(user)
    client.post(f"/meetings/{h.meeting.pk}/leave/", {"reason": " "})
    assert h.attendee(h.people[0]).status == "expected"
    client.post(f"/meetings/{h.meeting.pk}/leave/", {"reason": "外出学习"})
    a = h.attendee(h.people[0])
    assert (a.status, a.leave_reason) == ("leave", "外出学习")
    assert client.post(f"/meetings/{Hall().meeting.pk}/leave/", {"reason": "x"}).status_code == 404
