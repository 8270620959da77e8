"""The meeting hall: presence and present-only electorates, the screen link, the screen's state, the chair's
console and the push endpoint's fallback (issue 14)."""

import asyncio
import datetime
import json
import threading

import pytest
from django.db import connections
from django.test import Client, TestCase
from django.utils import timezone

from congress import polls, push
from congress.models import AuditLog, SealedBallot, SecretPoll, VoteRecord
from meetings import hall as hallmod
from meetings import services
from meetings.models import AgendaItem, Attendee, Meeting
from projects import services as project_services
from tests import factories
from tests.ballot_box import CARDS, OPEN_FORM, SEAL, close_and_open_ballot, close_and_open_survey
from tests.meetings.conftest import Hall
from tests.meetings.test_views import deputy_client, draft_ballot, staff_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def h(db):
    h = Hall(deputies=6, fixed=0, date=timezone.localdate())
    h.convene()
    return h


def ballot_item(h, present_only=True, hall_result=SecretPoll.HallResult.COUNTED):
    ballot, _projects = draft_ballot(h)
    services.agenda_add(meeting=h.meeting, kind=AgendaItem.Kind.PROJECT_BALLOT, title="票决", ballot=ballot)
    hallmod.hall_rules_set(meeting=h.meeting, poll_id=ballot.poll_id, present_only=present_only,
                           hall_result=hall_result)
    ballot.refresh_from_db()
    return ballot


def start(h, ballot, minutes=3):
    poll = hallmod.hall_start_vote(meeting=h.meeting, poll_id=ballot.poll_id, minutes=minutes, **SEAL)
    CARDS[poll.pk] = [c.text for c in poll.share_cards]
    ballot.refresh_from_db()
    return ballot


def vote(ballot, person):
    first = ballot.candidates.order_by("position").first()
    return project_services.ballot_vote(ballot=ballot, person=person, choices={"approve": [first.pk]})


# --- presence -----------------------------------------------------------------------------------------------

def test_leaving_lowers_the_present_count_and_the_quorum(h):
    h.present(*h.people[:4])
    assert hallmod.presence(h.meeting).present == 4 and services.quorum(h.meeting).reached
    a = h.attendee(h.people[0])
    services.attendee_set_status(attendee=a, status=Attendee.Status.LEFT)
    services.attendee_set_status(attendee=h.attendee(h.people[1]), status=Attendee.Status.LEFT)
    p = hallmod.presence(h.meeting)
    assert (p.expected, p.present, p.left, p.absent) == (6, 2, 2, 2)
    assert p.quorum_line == 4 and not p.quorum.reached and not services.quorum(h.meeting).reached
    a.refresh_from_db()
    assert a.arrived_at is not None and a.left_at is not None


def test_only_a_present_deputy_can_be_marked_as_left(h):
    with pytest.raises(services.MeetingError):
        services.attendee_set_status(attendee=h.attendee(h.people[0]), status=Attendee.Status.LEFT)


def test_present_only_ballot_refuses_the_absent_and_those_who_left(h):
    h.present(*h.people[:4])
    ballot = start(h, ballot_item(h))
    vote(ballot, h.people[0])
    with pytest.raises(project_services.polls.CastRefused) as exc:
        vote(ballot, h.people[5])  # never signed in
    assert exc.value.reason == exc.value.NOT_PRESENT
    services.attendee_set_status(attendee=h.attendee(h.people[1]), status=Attendee.Status.LEFT)
    with pytest.raises(project_services.polls.CastRefused):
        vote(ballot, h.people[1])  # left the hall
    # signing in late at the door lets them vote
    a = h.attendee(h.people[5])
    services.attendee_sign_in_with_code(meeting=h.meeting, person=h.people[5], code=a.sign_in_code)
    vote(ballot, h.people[5])
    assert VoteRecord.objects.filter(poll=ballot.poll).count() == 2
    assert SealedBallot.objects.filter(poll=ballot.poll).count() == 2


def test_a_ballot_not_present_only_admits_every_elector(h):
    h.present(*h.people[:4])
    ballot = start(h, ballot_item(h, present_only=False))
    vote(ballot, h.people[5])
    assert VoteRecord.objects.filter(poll=ballot.poll).count() == 1


def test_attacker_who_left_cannot_sign_in_again_nor_post_a_ballot(h):
    """A deputy marked as gone tries their own code again, then posts a ballot straight to the vote URL."""
    h.present(*h.people[:4])
    ballot = start(h, ballot_item(h))
    mallory = h.people[2]
    services.attendee_set_status(attendee=h.attendee(mallory), status=Attendee.Status.LEFT)
    c = deputy_client(mallory)
    code = h.attendee(mallory).sign_in_code
    resp = c.post(f"/meetings/{h.meeting.pk}/sign-in/", {"code": code})
    assert resp.status_code == 422
    assert h.attendee(mallory).status == Attendee.Status.LEFT
    first = ballot.candidates.order_by("position").first()
    resp = c.post(f"/ballots/{ballot.pk}/vote/", {"approve": [first.pk]})
    assert resp.status_code == 403 and b'id="not-present"' in resp.content
    assert resp.context["refusal"]
    resp = c.get(f"/ballots/{ballot.pk}/vote/")
    assert resp.status_code == 403 and b'id="not-present"' in resp.content
    assert not VoteRecord.objects.filter(poll=ballot.poll).exists()
    assert not SealedBallot.objects.filter(poll=ballot.poll).exists()


def test_present_only_survey_refuses_a_deputy_who_left(h):
    h.present(*h.people[:4])
    survey = services.survey_create(meeting=h.meeting, subject="法院工作")
    hallmod.hall_rules_set(meeting=h.meeting, poll_id=survey.poll_id, present_only=True, hall_result="counted")
    poll = hallmod.hall_start_vote(meeting=h.meeting, poll_id=survey.poll_id, minutes=3, **SEAL)
    assert poll.closes_at is not None
    services.attendee_set_status(attendee=h.attendee(h.people[0]), status=Attendee.Status.LEFT)
    c = deputy_client(h.people[0])
    resp = c.post(f"/surveys/{survey.pk}/", {"value": "90"})
    assert resp.status_code == 403 and b'id="not-present"' in resp.content  # as a ballot: the reason, in words
    assert not VoteRecord.objects.filter(poll=survey.poll).exists()
    # back in the hall (staff record the return): the vote is taken
    services.attendee_set_status(attendee=h.attendee(h.people[0]), status=Attendee.Status.PRESENT)
    assert c.post(f"/surveys/{survey.pk}/", {"value": "90"}).status_code == 200
    assert VoteRecord.objects.filter(poll=survey.poll).count() == 1


def test_present_only_is_fixed_once_open_and_needs_a_meeting(h):
    h.present(*h.people[:4])
    ballot = start(h, ballot_item(h))
    with pytest.raises(hallmod.polls.PollError):
        hallmod.hall_rules_set(meeting=h.meeting, poll_id=ballot.poll_id, present_only=False, hall_result="counted")
    other, _ = draft_ballot(h, title="另一票决")
    hallmod.polls.poll_set_hall_rules(poll=other.poll, present_only=True, hall_result="counted")
    with pytest.raises(hallmod.polls.PollError):
        project_services.ballot_open(ballot=other, **SEAL)  # not from a meeting: nobody signs in


# --- the screen link ------------------------------------------------------------------------------------------

def test_screen_link_opens_without_sign_in_and_can_be_revoked(h):
    staff, user = staff_client(h.body.division)
    assert staff.post(f"/staff/meetings/{h.meeting.pk}/console/screen-link/", {"what": "new"}).status_code == 302
    h.meeting.refresh_from_db()
    token = h.meeting.screen_token
    anon = Client()
    resp = anon.get(f"/hall/{token}/")
    assert resp.status_code == 200 and b'id="hall"' in resp.content
    assert anon.get(f"/hall/{token}/state.json").json()["presence"]["expected"] == 6
    assert anon.get(f"/hall/{token[:-1]}x/").status_code == 404
    staff.post(f"/staff/meetings/{h.meeting.pk}/console/screen-link/", {"what": "new"})
    h.meeting.refresh_from_db()
    assert anon.get(f"/hall/{token}/").status_code == 404  # the old link stops
    new = h.meeting.screen_token
    staff.post(f"/staff/meetings/{h.meeting.pk}/console/screen-link/", {"what": "revoke"})
    assert anon.get(f"/hall/{new}/state.json").status_code == 404
    assert anon.get(f"/hall/{new}/events").status_code == 404
    actions = list(AuditLog.objects.filter(actor=user).values_list("action", flat=True))
    assert actions.count("meeting.screen_link_new") == 2 and "meeting.screen_link_revoke" in actions
    assert all(token not in json.dumps(a.changes) for a in AuditLog.objects.all())


def test_screen_link_of_another_district_is_refused(h):
    other = factories.staff(factories.district())
    c = Client()
    c.force_login(other)
    assert c.post(f"/staff/meetings/{h.meeting.pk}/console/screen-link/", {"what": "new"}).status_code == 404
    h.meeting.refresh_from_db()
    assert h.meeting.screen_token == ""


# --- what the screen shows ---------------------------------------------------------------------------------------

def test_screen_shows_counts_never_contents_and_the_result_at_once(h):
    h.present(*h.people[:4])
    ballot = start(h, ballot_item(h))
    vote(ballot, h.people[0])
    state = hallmod.screen_state(h.meeting.pk)
    assert state["poll"]["received"] == 1 and state["poll"]["electors"] == 6 and state["poll"]["voting"]
    assert state["poll"]["result"] is None and "candidates" not in json.dumps(state)
    with TestCase.captureOnCommitCallbacks(execute=True):
        close_and_open_ballot(ballot)
    state = hallmod.screen_state(h.meeting.pk)
    assert state["poll"]["state"] == "tallied"
    rows = state["poll"]["result"]["candidates"]
    assert rows[0]["votes"] == 1 and rows[0]["adopted"]


def test_a_poll_set_to_certification_keeps_its_result_off_the_screen_until_certified(h):
    h.present(*h.people[:4])
    ballot = start(h, ballot_item(h, hall_result=SecretPoll.HallResult.CERTIFIED))
    vote(ballot, h.people[0])
    with TestCase.captureOnCommitCallbacks(execute=True):
        close_and_open_ballot(ballot)
    state = hallmod.screen_state(h.meeting.pk)
    assert state["poll"]["state"] == "tallied" and state["poll"]["result"] is None
    assert state["poll"]["waiting_certification"]
    certifier = factories.staff(h.body.division, username="certifier")
    project_services.ballot_certify(ballot=ballot, acting_user=certifier, scrutineers=SEAL["scrutineers"])
    assert hallmod.screen_state(h.meeting.pk)["poll"]["result"]["candidates"][0]["adopted"]


def test_survey_shows_its_mean(h):
    h.present(*h.people[:4])
    survey = services.survey_create(meeting=h.meeting, subject="工作报告")
    poll = hallmod.hall_start_vote(meeting=h.meeting, poll_id=survey.poll_id, minutes=3, **SEAL)
    CARDS[poll.pk] = [c.text for c in poll.share_cards]
    survey.refresh_from_db()
    for p, v in zip(h.people[:4], (80, 90, 70, 100), strict=True):
        services.survey_respond(survey=survey, person=p, value=v)
    with TestCase.captureOnCommitCallbacks(execute=True):
        close_and_open_survey(survey)
    assert hallmod.screen_state(h.meeting.pk)["poll"]["result"] == {"kind": "survey", "scale": "points",
                                                                  "mean": 85.0, "valid": 4}


# --- the chair's console ----------------------------------------------------------------------------------------

def test_console_starts_extends_and_announces(h):
    h.present(*h.people[:4])
    ballot = ballot_item(h, present_only=False)
    staff, _user = staff_client(h.body.division)
    page = staff.get(f"/staff/meetings/{h.meeting.pk}/console/")
    assert page.status_code == 200 and b'id="next-item"' in page.content
    before = timezone.now()
    resp = staff.post(f"/staff/meetings/{h.meeting.pk}/console/start/",
                      {"poll": ballot.poll_id, "minutes": "3", **OPEN_FORM})
    assert resp.status_code == 200  # the scrutineers' cards, once
    poll = SecretPoll.objects.get(pk=ballot.poll_id)
    assert poll.state == "open"
    assert before + datetime.timedelta(minutes=3) <= poll.closes_at <= timezone.now() + datetime.timedelta(minutes=3)
    h.meeting.refresh_from_db()
    assert h.meeting.hall_poll_id == poll.pk
    staff.post(f"/staff/meetings/{h.meeting.pk}/console/extend/", {"poll": poll.pk, "minutes": "2"})
    assert SecretPoll.objects.get(pk=poll.pk).closes_at == poll.closes_at + datetime.timedelta(minutes=2)
    resp = staff.post(f"/staff/meetings/{h.meeting.pk}/console/extend/", {"poll": poll.pk, "minutes": "999"})
    assert resp.status_code == 422
    page = staff.get(f"/staff/meetings/{h.meeting.pk}/console/")
    assert f'/staff/ballots/{ballot.pk}/close/'.encode() in page.content  # closing early goes through the safeguards
    assert staff.post(f"/staff/meetings/{h.meeting.pk}/console/announce/", {"poll": poll.pk}).status_code == 302
    assert AuditLog.objects.filter(action="meeting.hall_start").exists()
    assert AuditLog.objects.filter(action="poll.deadline").count() == 2


def test_console_refuses_without_quorum_and_outside_scope(h):
    h.present(*h.people[:2])
    ballot = ballot_item(h, present_only=False)
    staff, _user = staff_client(h.body.division)
    resp = staff.post(f"/staff/meetings/{h.meeting.pk}/console/start/",
                      {"poll": ballot.poll_id, "minutes": "3", **OPEN_FORM})
    assert resp.status_code == 422
    assert SecretPoll.objects.get(pk=ballot.poll_id).state == "draft"
    assert SecretPoll.objects.get(pk=ballot.poll_id).closes_at is None  # the timer rolled back with the refusal
    other = Client()
    other.force_login(factories.staff(factories.district()))
    for url in ("console/", "console/state.json", "console/events"):
        assert other.get(f"/staff/meetings/{h.meeting.pk}/{url}").status_code == 404
    assert other.post(f"/staff/meetings/{h.meeting.pk}/console/start/",
                      {"poll": ballot.poll_id, "minutes": "3", **OPEN_FORM}).status_code == 404
    # a poll of another meeting cannot be started from this console
    h2 = Hall(deputies=2, fixed=0, date=timezone.localdate())
    b2, _ = draft_ballot(h2)
    resp = staff.post(f"/staff/meetings/{h.meeting.pk}/console/start/", {"poll": b2.poll_id, "minutes": "3",
                                                                         **OPEN_FORM})
    assert resp.status_code == 422


def test_console_records_late_arrivals_and_departures(h):
    staff, _user = staff_client(h.body.division)
    a = h.attendee(h.people[0])
    url = f"/staff/meetings/{h.meeting.pk}/console/attendance/"
    assert staff.post(url, {"attendee": a.pk, "status": "present", "reason": ""}).status_code == 302
    assert staff.post(url, {"attendee": a.pk, "status": "left", "reason": ""}).status_code == 302
    a.refresh_from_db()
    assert a.status == "left" and a.left_at is not None
    other = Hall(deputies=1, fixed=0)
    assert staff.post(url, {"attendee": other.attendee(other.people[0]).pk, "status": "present",
                            "reason": ""}).status_code == 404


# --- push ---------------------------------------------------------------------------------------------------

def test_events_without_asgi_answer_one_snapshot_saying_push_is_off(h):
    meeting = hallmod.screen_link_new(meeting=h.meeting)
    resp = Client().get(f"/hall/{meeting.screen_token}/events")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/event-stream")
    body = resp.content.decode()
    assert body.startswith("retry: 1000\n")
    assert json.loads(body.split("data: ", 1)[1])["push"] is False


def run_async(coro):
    """asyncio.run in a thread of its own: in the whole suite the browser tests (Playwright's sync API) leave an event
    loop running in the main thread, where asyncio.run refuses to start another."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def test_in_process_push_reaches_a_listener(settings):
    settings.REDIS_URL = ""

    async def listen():
        listener = await push.Listener.start({"meeting:42"})
        threading.Thread(target=push.send, args=("meeting:42",)).start()
        got = await listener.wait(2.0)
        none = await listener.wait(0.05)
        await listener.close()
        return got, none

    got, none = run_async(listen())
    assert json.loads(got[0])["topic"] == "meeting:42" and none == []


def test_a_ballot_publishes_its_poll_after_commit(h, monkeypatch):
    sent = []
    monkeypatch.setattr(push, "send", sent.append)
    h.present(*h.people[:4])
    ballot = start(h, ballot_item(h))
    sent.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        vote(ballot, h.people[0])
    assert sent == [push.poll_topic(ballot.poll_id)]
    meeting = Meeting.objects.get(pk=h.meeting.pk)
    assert meeting.hall_poll_id == ballot.poll_id



@pytest.mark.django_db(transaction=True)
def test_asgi_stream_pushes_a_change_without_redis(settings):
    """Under ASGI without Redis (one process: SQLite, `make run` under uvicorn) the stream is pushed in-process."""
    from django.test import AsyncClient

    settings.REDIS_URL = ""
    h = Hall(deputies=3, fixed=0, date=timezone.localdate())
    token = hallmod.screen_link_new(meeting=h.meeting).screen_token

    async def run():
        response = await AsyncClient().get(f"/hall/{token}/events")
        assert response.streaming
        stream = aiter(response.streaming_content)
        first = json.loads((await anext(stream)).decode().split("data: ", 1)[1])
        from asgiref.sync import sync_to_async

        await sync_to_async(h.present)(h.people[0])  # publishes "meeting changed" on commit
        second = json.loads((await asyncio.wait_for(anext(stream), 1.5)).decode().split("data: ", 1)[1])
        await stream.aclose()
        await sync_to_async(connections.close_all)()  # the executor thread's connection, before the test db goes
        return first, second

    first, second = run_async(run())
    assert first["push"] is True and first["presence"]["present"] == 0
    assert second["presence"]["present"] == 1


@pytest.mark.django_db(transaction=True)
def test_asgi_stream_with_redis_down_answers_a_snapshot_saying_push_is_off(settings):
    from django.test import AsyncClient

    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens there
    h = Hall(deputies=2, fixed=0, date=timezone.localdate())
    token = hallmod.screen_link_new(meeting=h.meeting).screen_token

    async def run():
        from asgiref.sync import sync_to_async

        response = await AsyncClient().get(f"/hall/{token}/events")
        await sync_to_async(connections.close_all)()
        return response

    response = run_async(run())
    assert not response.streaming and response.status_code == 200
    body = response.content.decode()
    assert "retry: 1000" in body and json.loads(body.split("data: ", 1)[1])["push"] is False


def test_the_meeting_report_counts_departures_apart(h):
    from meetings.reports import meeting_report

    h.present(*h.people[:3])
    services.attendee_set_status(attendee=h.attendee(h.people[0]), status=Attendee.Status.LEFT)
    line = meeting_report(h.meeting.pk).attendance[0]
    assert (line.expected, line.present, line.left, line.not_signed_in) == (6, 2, 1, 3)


# --- three-level ratings and run-off rounds on the screen (issue 14) -----------------------------------------

def test_a_ratings_survey_shows_each_items_verdict_and_the_attendance_line_not_a_mean():
    from tests.meetings.test_ratings import ITEMS, RESPONSES

    h = Hall(deputies=10, fixed=0, date=timezone.localdate())
    h.present(*h.people[:7])
    h.convene()
    survey = services.survey_create(meeting=h.meeting, subject="重点工作测评", scale="ratings", items=ITEMS)
    poll = hallmod.hall_start_vote(meeting=h.meeting, poll_id=survey.poll_id, minutes=3, **SEAL)
    CARDS[poll.pk] = [c.text for c in poll.share_cards]
    survey.refresh_from_db()
    for person, grades in zip(h.people[:7], RESPONSES, strict=True):
        services.survey_respond(survey=survey, person=person, value=dict(enumerate(grades)))
    with TestCase.captureOnCommitCallbacks(execute=True):
        close_and_open_survey(survey)
    result = hallmod.screen_state(h.meeting.pk)["poll"]["result"]
    assert "mean" not in result and result["scale"] == "ratings"
    assert (result["members"], result["present"], result["quorum"], result["valid"]) == (10, 7, True, 7)
    assert [(i["title"], i["satisfied"], i["basic"], i["dissatisfied"], i["verdict"]) for i in result["items"]] == [
        ("河道整治", 6, 0, 1, "satisfied"), ("垃圾分类", 5, 1, 1, "basic"), ("养老服务", 3, 2, 2, "dissatisfied")]
    token = hallmod.screen_link_new(meeting=h.meeting).screen_token
    zh = Client().get(f"/hall/{token}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "应到 {m} 人，实到 {p} 人，符合法定人数。" in zh and 'data-rating-basic="基本满意"' in zh
    c = Client()
    c.cookies["django_language"] = "en"
    en = c.get(f"/hall/{token}/").content.decode()
    assert "Voting members: {m}; present: {p}; the quorum is reached." in en and 'data-rating-basic="Basically' in en


def test_a_runoff_shows_its_round_and_every_rounds_result():
    from projects import services as ps
    from tests.projects.test_runoff import _tied_round_one

    e = _tied_round_one()
    ps.ballot_certify(ballot=e.ballot, **factories.certifying(e.body))
    runoff = ps.ballot_runoff_create(ballot=e.ballot)
    meeting = services.meeting_create(body=e.body, kind=Meeting.Kind.MIDYEAR_SESSION, title="票决会",
                                      date=timezone.localdate(), place="会场")
    services.agenda_add(meeting=meeting, kind=AgendaItem.Kind.PROJECT_BALLOT, title="另行票决", ballot=runoff)
    hallmod.hall_announce(meeting=meeting, poll_id=runoff.poll_id)
    poll = hallmod.screen_state(meeting.pk)["poll"]
    assert poll["round"]["number"] == 2 and poll["round"]["of"] == e.ballot.poll.title
    first, second = poll["round"]["rounds"]
    assert (first["number"], first["current"], second["number"], second["current"]) == (1, False, 2, True)
    assert [c["votes"] for c in first["candidates"]] == [3, 2, 2, 1] and second["candidates"] is None
    staff, _user = staff_client(e.body.division)
    page = staff.get(f"/staff/meetings/{meeting.pk}/console/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Round 2: the run-off of “{e.ballot.poll.title}”" in page
    for person in e.people[:4]:
        services.attendee_set_status(attendee=Attendee.objects.get(meeting=meeting, person=person), status="present")
    services.meeting_transition(meeting=meeting, to=Meeting.State.CONVENING)
    opened = hallmod.hall_start_vote(meeting=meeting, poll_id=runoff.poll_id, minutes=3, **SEAL)
    CARDS[opened.pk] = [c.text for c in opened.share_cards]
    cands = list(runoff.candidates.order_by("position"))
    for person in e.people[:2]:
        ps.ballot_vote(ballot=runoff, person=person, choices={"approve": [cands[0].pk]})
    with TestCase.captureOnCommitCallbacks(execute=True):
        close_and_open_ballot(runoff)
    ps.ballot_certify(ballot=runoff, **factories.certifying(e.body, username="second"))
    poll = hallmod.screen_state(meeting.pk)["poll"]
    assert [c["adopted"] for c in poll["round"]["rounds"][1]["candidates"]] == [True, False]
    assert poll["result"]["candidates"][0]["votes"] == 2
    # a ballot of one round says nothing about rounds
    h = Hall(deputies=3, fixed=0)
    ballot, _p = draft_ballot(h)
    services.agenda_add(meeting=h.meeting, kind=AgendaItem.Kind.PROJECT_BALLOT, title="票决", ballot=ballot)
    hallmod.hall_announce(meeting=h.meeting, poll_id=ballot.poll_id)
    assert hallmod.screen_state(h.meeting.pk)["poll"]["round"] is None


# --- the timed close of surveys -------------------------------------------------------------------------------

def test_the_beat_closes_a_survey_whose_time_is_up_like_a_ballot_without_a_reason(h, settings):
    from meetings.tasks import close_due_surveys

    assert settings.CELERY_BEAT_SCHEDULE["close-due-surveys"]["task"] == close_due_surveys.name
    h.present(*h.people[:4])
    due = services.survey_create(meeting=h.meeting, subject="法院工作")
    later = services.survey_create(meeting=h.meeting, subject="检察院工作")
    for s in (due, later):
        hallmod.hall_start_vote(meeting=h.meeting, poll_id=s.poll_id, minutes=3, **SEAL)
    due.refresh_from_db()
    services.survey_respond(survey=due, person=h.people[0], value=90)  # 1 of 6: below the body's minimum turnout
    assert close_due_surveys.delay().get() == 0
    now = timezone.now()
    SecretPoll.objects.filter(pk=due.poll_id).update(opens_at=now - datetime.timedelta(minutes=3),
                                                     closes_at=now - datetime.timedelta(seconds=1))
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert close_due_surveys.delay().get() == 1
    poll = SecretPoll.objects.get(pk=due.poll_id)
    assert poll.state == SecretPoll.State.CLOSED and poll.close_reason == "" and poll.closed_by is None
    row = AuditLog.objects.get(action="poll.close", object_id=str(poll.pk))
    assert row.actor is None and row.changes["after"]["voted"] == 1
    assert SecretPoll.objects.get(pk=later.poll_id).state == SecretPoll.State.OPEN
    assert close_due_surveys.delay().get() == 0  # again: nothing left to close
    # staff closing the other one early still has to give the reason
    with pytest.raises(polls.PollError):
        services.survey_close(survey=later, acting_user=factories.staff(h.body.division))


# --- leaving and returning, from the meeting's own page -------------------------------------------------------

def test_staff_mark_a_departure_and_a_return_on_the_meeting_page(h):
    h.present(h.people[0])
    staff, _user = staff_client(h.body.division)
    url = f"/staff/meetings/{h.meeting.pk}/"
    a = h.attendee(h.people[0])
    page = staff.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count('class="btn btn-sm btn-outline-secondary mark-left"') == 1 and "Left the hall" in page
    resp = staff.post(f"{url}attendance/", {"attendee": a.pk, "status": "left"})
    assert resp.status_code == 302
    a.refresh_from_db()
    assert a.status == Attendee.Status.LEFT and a.left_at is not None
    assert hallmod.presence(h.meeting).left == 1
    assert AuditLog.objects.filter(action="meeting.attendance", actor=_user).exists()
    page = staff.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "mark-returned" in page and "已返回" in page
    staff.post(f"{url}attendance/", {"attendee": a.pk, "status": "present"})
    a.refresh_from_db()
    assert a.status == Attendee.Status.PRESENT and a.left_at is None and hallmod.presence(h.meeting).present == 1
    # a deputy not in the hall cannot be marked as having left: refused, nothing changes
    other = h.attendee(h.people[1])
    resp = staff.post(f"{url}attendance/", {"attendee": other.pk, "status": "left"})
    assert resp.status_code == 422
    other.refresh_from_db()
    assert other.status != Attendee.Status.LEFT
