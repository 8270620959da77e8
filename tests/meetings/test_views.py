"""The meeting pages over HTTP: staff running a meeting, deputies signing in and scoring, printables and reports.

Messages on the pages are Chinese (zh-hans); these tests match on status codes, element ids and the
database, not on wording.
"""

import datetime
import io
import re

import pypdf
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from congress.models import AuditLog, Elector, SecretPoll, VoteRecord
from deputies.models import Mandate
from meetings import services
from meetings.models import (
    AgendaItem,
    Attendee,
    DeliberationOpinion,
    Meeting,
    MeetingTransition,
    Report,
    SatisfactionSurvey,
)
from projects import services as project_services
from projects.models import Project
from tests import factories
from tests.ballot_box import CARDS, OPEN_FORM, SEAL, card_texts_in, filled, sealed
from tests.meetings.conftest import Hall
from tests.projects.conftest import make_candidates
from tests.web import deputy_client, error_messages, html, receipt_in, staff_client, success_messages

CONFIRM_CLOSE = {"confirm": "on", "reason": factories.CLOSE_REASON}

pytestmark = pytest.mark.django_db



# --- helpers ---------------------------------------------------------------------------

def pdf_bytes(resp) -> bytes:
    return b"".join(resp.streaming_content) if resp.streaming else resp.content


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def meeting_url(h, suffix=""):
    return f"/staff/meetings/{h.meeting.pk}/{suffix}"


def refresh(h):
    h.meeting.refresh_from_db()
    return h.meeting


def filled_slots(poll):
    """The ballots in the box, the sealed ones opened with the scrutineers' cards (the box itself is untouched)."""
    return filled(poll)


def open_over_http(staff, url, poll_id, **extra):
    """Open a poll from its page: the answer is the scrutineers' cards, shown this once, not cached."""
    resp = staff.post(url, {**OPEN_FORM, **extra})
    if resp.status_code == 200:
        assert "no-store" in resp["Cache-Control"]
        CARDS[poll_id] = card_texts_in(html(resp))
        assert len(CARDS[poll_id]) == 3
    return resp


def unseal_over_http(staff, survey, **kw):
    cards = CARDS[survey.poll_id]
    return staff.post(f"/staff/surveys/{survey.pk}/unseal/", {"share_1": cards[0], "share_2": cards[1]}, **kw)


def draft_ballot(h, title="2027年民生实事项目票决", n=3):
    projects = make_candidates(h.body, n)
    ballot = project_services.ballot_create(body=h.body, title=title, year=2027, seats=2, max_choices=2)
    project_services.ballot_set_candidates(ballot=ballot, projects=projects)
    return ballot, projects


@pytest.fixture
def h(db):
    """A district congress with 6 deputies and 2 fixed attendees, and a meeting in preparation."""
    return Hall(deputies=6, fixed=2)


@pytest.fixture
def staff(h):
    c, _user = staff_client(h.body.division)
    return c


# --- 1. staff run the meeting ----------------------------------------------------------

def test_staff_list_shows_the_meetings_in_scope(h, staff):
    elsewhere = Hall(deputies=2, fixed=0)
    resp = staff.get("/staff/meetings/")
    assert resp.status_code == 200
    assert [m.pk for m in resp.context["meetings"]] == [h.meeting.pk]
    assert f'href="/staff/meetings/{h.meeting.pk}/"' in html(resp)
    assert f'href="/staff/meetings/{elsewhere.meeting.pk}/"' not in html(resp)


def test_staff_create_a_meeting_whose_attendees_come_from_the_mandates(h, staff):
    # a deputy whose mandate starts after the meeting's date is not expected at it
    late = factories.PersonFactory()
    factories.seat(late, h.term, role=Mandate.Role.DEPUTY, start_date=datetime.date(2026, 10, 1))
    assert staff.get("/staff/meetings/new/").status_code == 200
    before = set(Meeting.objects.values_list("pk", flat=True))
    resp = staff.post("/staff/meetings/new/", {
        "body": h.body.pk, "session": "", "kind": Meeting.Kind.SPECIAL_REPORT, "title": "专项工作报告会",
        "date": "2026-09-15", "place": "区人大常委会会议室",
    })
    assert resp.status_code == 302
    meeting = Meeting.objects.exclude(pk__in=before).get()
    assert resp["Location"] == f"/staff/meetings/{meeting.pk}/"
    assert (meeting.body, meeting.title, meeting.date, meeting.state) == (
        h.body, "专项工作报告会", datetime.date(2026, 9, 15), Meeting.State.PREPARATION)
    attendees = list(meeting.attendees.all())
    assert {a.person_id for a in attendees} == {p.pk for p in h.people + h.fixed}
    assert {a.person_id for a in attendees if a.voting} == {p.pk for p in h.people}
    assert len({a.sign_in_code for a in attendees}) == len(attendees) == 8
    assert all(a.status == Attendee.Status.EXPECTED for a in attendees)
    assert list(meeting.transitions.values_list("from_state", "to_state")) == [("", "preparation")]


def test_invalid_meeting_form_is_refused_and_nothing_is_created(h, staff):
    count = Meeting.objects.count()
    data = {"body": h.body.pk, "session": "", "kind": Meeting.Kind.QUARTERLY, "title": "", "date": "2026-09-15",
            "place": "会议室"}
    resp = staff.post("/staff/meetings/new/", data)
    assert resp.status_code == 422
    assert "title" in resp.context["form"].errors
    resp = staff.post("/staff/meetings/new/", {**data, "title": "日期不对", "date": "not-a-date"})
    assert resp.status_code == 422 and "date" in resp.context["form"].errors
    assert Meeting.objects.count() == count
    # the body of another district cannot be chosen
    other = Hall(deputies=1, fixed=0)
    count = Meeting.objects.count()
    resp = staff.post("/staff/meetings/new/", {**data, "title": "越权", "body": other.body.pk})
    assert resp.status_code == 422 and "body" in resp.context["form"].errors
    assert Meeting.objects.count() == count
    assert not Meeting.objects.filter(title__in=["", "日期不对", "越权"]).exists()


def test_a_session_of_another_body_is_refused(h, staff):
    from congress import services as congress_services

    other_body = factories.BodyFactory(kind="district_congress", division=factories.district(), seats=100)
    other_term = factories.TermFactory(body=other_body, start_date=datetime.date(2024, 1, 10))
    session = congress_services.session_create(term=other_term, number=1, start_date=datetime.date(2026, 1, 5))
    own_session = congress_services.session_create(term=h.term, number=1, start_date=datetime.date(2026, 1, 5))
    staff_all, _ = staff_client(factories.city())  # sees both bodies
    data = {"body": h.body.pk, "kind": "annual", "title": "第一次会议", "date": "2026-09-15", "place": "x"}
    resp = staff_all.post("/staff/meetings/new/", {**data, "session": session.pk})
    assert resp.status_code == 422 and "session" in resp.context["form"].errors
    assert not Meeting.objects.filter(title="第一次会议").exists()
    resp = staff_all.post("/staff/meetings/new/", {**data, "session": own_session.pk})
    assert resp.status_code == 302
    assert Meeting.objects.get(title="第一次会议").session == own_session


def test_detail_page_shows_the_quorum_box_and_attendance(h, staff):
    resp = staff.get(meeting_url(h))
    assert resp.status_code == 200
    page = html(resp)
    assert 'id="quorum"' in page and 'id="attendance"' in page and 'id="agenda"' in page
    assert 'id="surveys"' in page and 'id="opinions"' in page
    q = resp.context["quorum"]
    assert (q.present, q.members, q.reached) == (0, 6, False)
    assert re.search(r'class="alert alert-warning py-2" id="quorum"', page)
    attendance = re.search(r'id="attendance">(.*?)</table>', page, re.S).group(1)
    for p in h.people + h.fixed:
        assert p.name in attendance
    h.present(*h.people[:4])
    resp = staff.get(meeting_url(h))
    q = resp.context["quorum"]
    assert (q.present, q.members, q.reached) == (4, 6, True)
    assert re.search(r'class="alert alert-success py-2" id="quorum"', html(resp))


def test_staff_mark_an_attendee_present(h, staff):
    a = h.attendee(h.people[0])
    resp = staff.post(meeting_url(h, "attendance/"), {"attendee": a.pk, "status": "present"})
    assert resp.status_code == 302 and resp["Location"] == meeting_url(h)
    a.refresh_from_db()
    assert a.status == Attendee.Status.PRESENT
    assert AuditLog.objects.filter(action="meeting.attendance").exists()


def test_leave_without_a_reason_is_refused_on_the_page(h, staff):
    a = h.attendee(h.people[1])
    resp = staff.post(meeting_url(h, "attendance/"), {"attendee": a.pk, "status": "leave", "reason": "  "},
                      follow=True)
    assert resp.status_code == 422 and resp.redirect_chain == []  # the meeting page, with the reason
    assert len(error_messages(resp)) == 1
    a.refresh_from_db()
    assert (a.status, a.leave_reason) == (Attendee.Status.EXPECTED, "")
    resp = staff.post(meeting_url(h, "attendance/"), {"attendee": a.pk, "status": "leave", "reason": "病假"})
    assert resp.status_code == 302
    a.refresh_from_db()
    assert (a.status, a.leave_reason) == (Attendee.Status.LEAVE, "病假")


def test_attendance_of_another_meetings_attendee_is_404(h, staff):
    other = services.meeting_create(body=h.body, kind=Meeting.Kind.QUARTERLY, title="另一次会议",
                                    date=datetime.date(2026, 8, 1), place="会议室")
    foreign = other.attendees.get(person=h.people[0])
    resp = staff.post(meeting_url(h, "attendance/"), {"attendee": foreign.pk, "status": "present"})
    assert resp.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == Attendee.Status.EXPECTED


def test_stage_moves_forward_and_refuses_skipping(h, staff):
    resp = staff.post(meeting_url(h, "stage/"), {"to": "closed"}, follow=True)
    assert resp.status_code == 422 and resp.redirect_chain == [] and len(error_messages(resp)) == 1
    assert resp.context["meeting"].pk == h.meeting.pk  # shown again on the meeting page
    assert refresh(h).state == Meeting.State.PREPARATION
    resp = staff.post(meeting_url(h, "stage/"), {"to": "nonsense"}, follow=True)
    assert resp.status_code == 422 and len(error_messages(resp)) == 1
    assert refresh(h).state == Meeting.State.PREPARATION

    resp = staff.post(meeting_url(h, "stage/"), {"to": "convening"})
    assert resp.status_code == 302 and resp["Location"] == meeting_url(h)
    assert refresh(h).state == Meeting.State.CONVENING
    last = MeetingTransition.objects.filter(meeting=h.meeting).last()
    assert (last.from_state, last.to_state, last.by.username) == ("preparation", "convening",
                                                                   resp.wsgi_request.user.username)
    assert staff.get(meeting_url(h, "stage/")).status_code == 405


def test_agenda_items_are_added_in_order(h, staff):
    for kind, title in ((AgendaItem.Kind.WORK_REPORT, "区政府工作报告"), (AgendaItem.Kind.BUDGET, "预算执行情况报告")):
        resp = staff.post(meeting_url(h, "agenda/"), {"kind": kind, "title": title, "reporter": "区长"})
        assert resp.status_code == 302
    assert list(h.meeting.agenda.order_by("order").values_list("order", "title")) == [
        (1, "区政府工作报告"), (2, "预算执行情况报告")]
    agenda = re.search(r'id="agenda">(.*?)</ol>', html(staff.get(meeting_url(h))), re.S).group(1)
    assert agenda.index("区政府工作报告") < agenda.index("预算执行情况报告")
    # a ballot item with no ballot is refused
    resp = staff.post(meeting_url(h, "agenda/"), {"kind": AgendaItem.Kind.PROJECT_BALLOT, "title": "票决"},
                      follow=True)
    assert len(error_messages(resp)) == 1
    assert h.meeting.agenda.count() == 2


# --- 2. satisfaction surveys through the pages ----------------------------------------

def create_survey(staff, h, subject="河长制工作", bands="90,80,60"):
    resp = staff.post(meeting_url(h, "surveys/"), {"subject": subject, "scale": "points", "bands": bands})
    assert resp.status_code == 302
    return SatisfactionSurvey.objects.filter(meeting=h.meeting, subject=subject).first()


@pytest.fixture
def scoring(h, staff):
    """The meeting is convening with 4 of 6 deputies present and a points survey open."""
    h.convene()
    h.present(*h.people[:4])
    survey = create_survey(staff, h)
    assert open_over_http(staff, f"/staff/surveys/{survey.pk}/open/", survey.poll_id).status_code == 200
    survey.refresh_from_db()
    survey.poll.refresh_from_db()
    assert survey.poll.state == SecretPoll.State.OPEN
    return survey


def test_staff_set_up_a_survey(h, staff):
    survey = create_survey(staff, h)
    assert survey is not None
    assert (survey.scale, survey.bands) == ("points", [90, 80, 60])
    assert survey.poll.state == SecretPoll.State.DRAFT and survey.poll.requires_quorum
    surveys = re.search(r'id="surveys">(.*?)</table>', html(staff.get(meeting_url(h))), re.S).group(1)
    assert "河长制工作" in surveys and "open-survey" in surveys


def test_bad_bands_create_no_survey(h, staff):
    resp = staff.post(meeting_url(h, "surveys/"), {"subject": "法院工作", "scale": "points", "bands": "50,90"},
                      follow=True)
    assert len(error_messages(resp)) == 1
    assert not SatisfactionSurvey.objects.filter(meeting=h.meeting).exists()
    assert not SecretPoll.objects.filter(purpose=SecretPoll.Purpose.SURVEY).exists()


def test_survey_opens_only_with_quorum(h, staff):
    survey = create_survey(staff, h)
    url = f"/staff/surveys/{survey.pk}/open/"
    # in preparation: refused
    h.present(*h.people[:4])
    resp = staff.post(url, OPEN_FORM, follow=True)
    assert resp.status_code == 422 and len(error_messages(resp)) == 1
    survey.poll.refresh_from_db()
    assert survey.poll.state == SecretPoll.State.DRAFT

    h.convene()
    services.attendee_set_status(attendee=h.attendee(h.people[3]), status="absent")
    resp = staff.post(url, OPEN_FORM, follow=True)  # 3 of 6: no quorum
    assert resp.status_code == 422 and resp.redirect_chain == [] and len(error_messages(resp)) == 1
    survey.poll.refresh_from_db()
    assert survey.poll.state == SecretPoll.State.DRAFT
    assert not Elector.objects.filter(poll=survey.poll).exists()

    h.present(h.people[3])  # 4 of 6
    resp = staff.post(url, {**OPEN_FORM, "scrutineers": "监票人甲"})  # one scrutineer is not enough
    assert resp.status_code == 422 and len(error_messages(resp)) == 1
    assert SecretPoll.objects.get(pk=survey.poll_id).state == SecretPoll.State.DRAFT
    resp = open_over_http(staff, url, survey.poll_id)
    assert resp.status_code == 200
    survey.refresh_from_db()
    survey.poll.refresh_from_db()
    assert survey.poll.state == SecretPoll.State.OPEN
    assert (survey.quorum_present, survey.quorum_members) == (4, 6)
    assert set(Elector.objects.filter(poll=survey.poll).values_list("person", flat=True)) == {
        p.pk for p in h.people[:4]}


def test_present_deputy_scores_once_and_gets_a_receipt(h, scoring):
    survey = scoring
    c = deputy_client(h.people[0])
    mine = c.get("/meetings/")
    assert mine.status_code == 200
    listed = re.search(r'id="open-surveys">(.*?)</div>', html(mine), re.S)
    assert listed and f'href="/surveys/{survey.pk}/"' in listed.group(1)

    page = c.get(f"/surveys/{survey.pk}/")
    assert page.status_code == 200 and 'id="score-form"' in html(page)
    resp = c.post(f"/surveys/{survey.pk}/", {"value": "88"})
    assert resp.status_code == 200
    receipt = receipt_in(resp)
    assert VoteRecord.objects.filter(poll=survey.poll).count() == 1
    slot = filled_slots(survey.poll).get()
    assert (slot.status, slot.score, slot.receipt) == ("valid", 88, receipt)

    again = c.post(f"/surveys/{survey.pk}/", {"value": "10"})
    assert again.status_code in (200, 409)
    assert 'id="already-voted"' in html(again) and 'id="receipt"' not in html(again)
    assert VoteRecord.objects.filter(poll=survey.poll).count() == 1
    assert list(filled_slots(survey.poll).values_list("score", flat=True)) == [88]
    # the survey has left the deputy's list, and the page never shows the receipt again
    assert 'id="open-surveys"' not in html(c.get("/meetings/"))
    done = c.get(f"/surveys/{survey.pk}/")
    assert 'id="already-voted"' in html(done) and receipt not in html(done)


def posted_statements(client, url, data):
    with CaptureQueriesContext(connection) as ctx:
        resp = client.post(url, data)
    return resp, [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]


def test_a_score_runs_at_most_eight_statements_session_included(h, scoring):
    """As a cast ballot (tests/projects/test_views.py): the first score a process sees loads the survey; then it
    keeps the open survey, and a score is the session, the user and the cast (one statement on PostgreSQL, plus
    the connection's health check; three elsewhere). Refusals are typed: 409, 404, 403 without checking again."""
    survey, url = scoring, f"/surveys/{scoring.pk}/"
    resp, statements = posted_statements(deputy_client(h.people[1]), url, {"value": "77"})
    assert resp.status_code == 200 and receipt_in(resp)
    assert len(statements) <= 8, "\n".join(statements)
    voter = deputy_client(h.people[0])
    assert voter.get(url).status_code == 200  # the scoring page first, as on a phone (it keeps the menu's unit flag)
    resp, statements = posted_statements(voter, url, {"value": "88"})
    assert resp.status_code == 200 and receipt_in(resp)
    assert len(statements) <= (4 if connection.vendor == "postgresql" else 5), "\n".join(statements)
    assert not [q for q in statements if "meetings_" in q], "the kept survey is read again"
    again, statements = posted_statements(voter, url, {"value": "10"})
    assert again.status_code == 409 and 'id="already-voted"' in html(again) and len(statements) <= 5
    assert posted_statements(deputy_client(h.people[5]), url, {"value": "60"})[0].status_code == 404  # absent
    late_client = deputy_client(h.people[2])
    assert late_client.get(url).status_code == 200  # the scoring page, opened in time
    SecretPoll.objects.filter(pk=survey.poll_id).update(closes_at=timezone.now())  # the kept copy still says open
    late, statements = posted_statements(late_client, url, {"value": "60"})
    assert late.status_code == 403 and len(statements) <= 5
    assert sorted(filled_slots(survey.poll).values_list("score", flat=True)) == [77, 88]


@pytest.mark.parametrize("value", ["101", "-1", "abc", ""])
def test_a_score_outside_the_scale_is_refused_and_nothing_stored(h, scoring, value):
    survey = scoring
    c = deputy_client(h.people[1])
    resp = c.post(f"/surveys/{survey.pk}/", {"value": value})
    assert resp.status_code == 422
    assert 'id="receipt"' not in html(resp)
    assert not VoteRecord.objects.filter(poll=survey.poll).exists()
    assert not filled_slots(survey.poll).exists()
    ok = c.post(f"/surveys/{survey.pk}/", {"value": "100"})  # the deputy can still score properly
    assert ok.status_code == 200 and receipt_in(ok)


def test_absent_deputies_and_fixed_attendees_cannot_score(h, scoring):
    survey = scoring
    for person in (h.people[5], h.fixed[0]):
        c = deputy_client(person)
        assert c.get(f"/surveys/{survey.pk}/").status_code == 404
        assert c.post(f"/surveys/{survey.pk}/", {"value": "60"}).status_code == 404
        assert 'id="open-surveys"' not in html(c.get("/meetings/"))
    staff_only, _ = staff_client(h.body.division)  # no person behind the account
    assert staff_only.post(f"/surveys/{survey.pk}/", {"value": "60"}).status_code == 404
    assert deputy_client(h.people[0]).get("/surveys/987654/").status_code == 404
    assert not VoteRecord.objects.filter(poll=survey.poll).exists()
    assert not filled_slots(survey.poll).exists()


def test_closing_builds_the_survey_report(h, staff, scoring, django_capture_on_commit_callbacks):
    survey = scoring
    voter = deputy_client(h.people[0])
    assert voter.post(f"/surveys/{survey.pk}/", {"value": "88"}).status_code == 200
    assert staff.get(f"/staff/surveys/{survey.pk}/report/").status_code == 404  # not before it is counted

    resp = staff.post(f"/staff/surveys/{survey.pk}/close/", CONFIRM_CLOSE)
    assert resp.status_code == 302 and resp["Location"] == meeting_url(h)
    survey.poll.refresh_from_db()
    assert survey.poll.state == SecretPoll.State.CLOSED  # counted once the scrutineers open the box
    assert staff.get(f"/staff/surveys/{survey.pk}/report/").status_code == 404
    assert "unseal-survey" in html(staff.get(meeting_url(h)))
    with django_capture_on_commit_callbacks(execute=True):
        resp = unseal_over_http(staff, survey)
    assert resp.status_code == 302 and resp["Location"] == meeting_url(h)
    survey.poll.refresh_from_db()
    assert survey.poll.state == SecretPoll.State.TALLIED
    report = Report.objects.get(kind=Report.Kind.SURVEY, survey=survey)
    assert (report.state, report.progress, report.meeting_id) == (Report.State.DONE, 100, h.meeting.pk)
    assert report.pdf

    dl = staff.get(f"/staff/reports/{report.pk}.pdf")
    assert dl.status_code == 200 and dl["Content-Type"] == "application/pdf"
    data = pdf_bytes(dl)
    assert data.startswith(b"%PDF")
    assert "河长制工作" in pdf_text(data)

    page = staff.get(f"/staff/surveys/{survey.pk}/report/")
    assert page.status_code == 200
    assert page.context["s"].mean == 88.0 and page.context["s"].responded == 1
    assert re.search(r'class="mean">88(\.0+)?<', html(page))
    assert f'href="/staff/reports/{report.pk}.pdf"' in html(page)

    # after closing: the deputy who did not score is refused, the one who did is told so
    late = deputy_client(h.people[1])
    resp = late.post(f"/surveys/{survey.pk}/", {"value": "70"})
    assert resp.status_code == 403 and 'id="score-closed"' in html(resp)
    resp = voter.post(f"/surveys/{survey.pk}/", {"value": "70"})
    assert 'id="already-voted"' in html(resp) and 'id="receipt"' not in html(resp)
    assert VoteRecord.objects.filter(poll=survey.poll).count() == 1
    assert list(filled_slots(survey.poll).values_list("score", flat=True)) == [88]


def test_paper_survey_forms(h, staff, scoring):
    survey = scoring
    url = f"/staff/surveys/{survey.pk}/paper/"
    assert staff.get(url).status_code == 200
    resp = staff.post(url, {"what": "voters", "people": [h.people[1].pk]})
    assert resp.status_code == 302 and resp["Location"] == url
    assert list(VoteRecord.objects.filter(poll=survey.poll, channel="paper").values_list(
        "elector__person", flat=True)) == [h.people[1].pk]
    # someone off the electorate cannot be marked
    resp = staff.post(url, {"what": "voters", "people": [h.people[5].pk]})
    assert resp.status_code == 422
    assert VoteRecord.objects.filter(poll=survey.poll).count() == 1

    resp = staff.post(url, {"what": "form", "status": "valid", "value": "150"})
    assert resp.status_code == 422 and not filled_slots(survey.poll).exists()
    resp = staff.post(url, {"what": "form", "status": "valid", "value": "75"})
    assert resp.status_code == 302
    slot = filled_slots(survey.poll).get()
    assert (slot.score, slot.receipt) == (75, None)
    resp = staff.post(url, {"what": "form", "status": "valid", "value": "80"})  # only one was issued
    assert resp.status_code == 422
    assert filled_slots(survey.poll).count() == 1
    # the paper voter cannot also score on the web
    resp = deputy_client(h.people[1]).post(f"/surveys/{survey.pk}/", {"value": "90"})
    assert 'id="already-voted"' in html(resp) and 'id="receipt"' not in html(resp)
    assert filled_slots(survey.poll).count() == 1


def test_grade_survey_over_http(h, staff):
    h.convene()
    h.present(*h.people[:4])
    resp = staff.post(meeting_url(h, "surveys/"), {"subject": "检察院工作", "scale": "grades", "bands": ""})
    assert resp.status_code == 302
    survey = SatisfactionSurvey.objects.get(meeting=h.meeting)
    assert survey.scale == "grades"
    assert open_over_http(staff, f"/staff/surveys/{survey.pk}/open/", survey.poll_id).status_code == 200
    c = deputy_client(h.people[2])
    page = html(c.get(f"/surveys/{survey.pk}/"))
    radios = re.findall(r'<input type="radio"[^>]*name="value" value="(\d)"', page)
    assert radios == ["2", "1", "0"]
    resp = c.post(f"/surveys/{survey.pk}/", {"value": "5"})
    assert resp.status_code == 422 and not filled_slots(survey.poll).exists()
    resp = c.post(f"/surveys/{survey.pk}/", {"value": "1"})
    assert resp.status_code == 200 and receipt_in(resp)
    assert list(filled_slots(survey.poll).values_list("score", flat=True)) == [1]


def test_meeting_closes_only_after_its_surveys_close(h, staff, django_capture_on_commit_callbacks):
    h.convene()
    h.present(*h.people[:4])
    survey = create_survey(staff, h)
    assert open_over_http(staff, f"/staff/surveys/{survey.pk}/open/", survey.poll_id).status_code == 200
    assert staff.post(meeting_url(h, "stage/"), {"to": "summary"}).status_code == 302
    assert refresh(h).state == Meeting.State.SUMMARY
    resp = staff.post(meeting_url(h, "stage/"), {"to": "closed"}, follow=True)
    assert len(error_messages(resp)) == 1
    assert refresh(h).state == Meeting.State.SUMMARY
    with django_capture_on_commit_callbacks(execute=True):
        assert staff.post(f"/staff/surveys/{survey.pk}/close/", CONFIRM_CLOSE).status_code == 302
    assert staff.post(meeting_url(h, "stage/"), {"to": "closed"}).status_code == 302
    assert refresh(h).state == Meeting.State.CLOSED
    # a closed meeting has left the deputies' page, and attendance can no longer change
    mine = deputy_client(h.people[0]).get("/meetings/")
    assert list(mine.context["attendances"]) == []
    a = h.attendee(h.people[5])
    resp = staff.post(meeting_url(h, "attendance/"), {"attendee": a.pk, "status": "present"}, follow=True)
    assert len(error_messages(resp)) == 1
    a.refresh_from_db()
    assert a.status == Attendee.Status.EXPECTED


def test_notices_are_sent_once_from_the_page(h, staff, settings, django_capture_on_commit_callbacks):
    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for i, p in enumerate(h.people[:3]):
        deputy_client(p)
        p.refresh_from_db()
        p.user.email = f"d{i}@example.org"
        p.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        resp = staff.post(meeting_url(h, "notices/"))
    assert resp.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["d0@example.org", "d1@example.org", "d2@example.org"]
    assert all(len(m.to) == 1 for m in mail.outbox)
    assert refresh(h).notice_sent_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        assert staff.post(meeting_url(h, "notices/")).status_code == 302
    assert len(mail.outbox) == 3


class QueueDown:
    """A task whose broker cannot be reached, as sending fails when Redis is down."""

    def apply_async(self, *args, **kwargs):
        from kombu.exceptions import OperationalError

        raise OperationalError("[Errno 111] Connection refused")


@pytest.mark.django_db(transaction=True)
def test_queue_down_when_building_the_meeting_report_fails_clearly_and_can_be_retried(monkeypatch):
    """With the broker down the report is not left "queued" for ever: it is marked failed, the page says why,
    and "build again" builds it once the queue is back."""
    import meetings.tasks

    real = meetings.tasks.build_report
    monkeypatch.setattr("meetings.tasks.build_report", QueueDown())
    h = Hall(deputies=4, fixed=0)
    staff, _ = staff_client(h.body.division)
    resp = staff.post(meeting_url(h, "report/"), follow=True)
    assert resp.redirect_chain == [(meeting_url(h), 302)]
    assert len(error_messages(resp)) == 1 and not success_messages(resp)
    report = Report.objects.get(meeting=h.meeting)
    assert report.state == "failed" and report.error
    assert resp.context["refresh"] is False
    assert 'class="btn btn-sm btn-outline-danger rebuild-report"' in html(resp)
    monkeypatch.setattr("meetings.tasks.build_report", real)  # the queue is back (eager here)
    resp = staff.post(f"/staff/reports/{report.pk}/rebuild/", follow=True)
    assert not error_messages(resp)
    report.refresh_from_db()
    assert report.state == "done" and report.pdf


@pytest.mark.django_db(transaction=True)
def test_queue_down_when_closing_a_survey_fails_clearly_and_can_be_retried(monkeypatch):
    """Opening the box is saved (the poll is opened and counted); the report that could not be queued is marked
    failed with a clear message and is built again on request."""
    import meetings.tasks

    real = meetings.tasks.build_report
    h = Hall(deputies=4, fixed=0)
    h.convene()
    h.present(*h.people[:3])
    survey = sealed(services.survey_open(survey=services.survey_create(meeting=h.meeting, subject="河长制工作"), **SEAL))
    monkeypatch.setattr("meetings.tasks.build_report", QueueDown())
    staff, _ = staff_client(h.body.division)
    assert staff.post(f"/staff/surveys/{survey.pk}/close/", CONFIRM_CLOSE, follow=True).status_code == 200
    resp = unseal_over_http(staff, survey, follow=True)
    assert len(error_messages(resp)) == 1 and not success_messages(resp)
    survey.poll.refresh_from_db()
    assert survey.poll.state == SecretPoll.State.TALLIED
    report = Report.objects.get(survey=survey)
    assert report.state == "failed"
    monkeypatch.setattr("meetings.tasks.build_report", real)
    staff.post(f"/staff/reports/{report.pk}/rebuild/")
    report.refresh_from_db()
    assert report.state == "done"
    # rebuilding a finished report is refused, not repeated
    resp = staff.post(f"/staff/reports/{report.pk}/rebuild/", follow=True)
    assert len(error_messages(resp)) == 1


# --- 3. deputies sign themselves in ------------------------------------------------------

def test_sign_in_page_is_prefilled_from_the_qr_code(h):
    me = h.attendee(h.people[0])
    c = deputy_client(h.people[0])
    resp = c.get(f"/meetings/{h.meeting.pk}/sign-in/?code={me.sign_in_code}")
    assert resp.status_code == 200
    assert re.search(rf'name="code"[^>]*value="{me.sign_in_code}"|value="{me.sign_in_code}"[^>]*name="code"',
                     html(resp))
    assert 'id="sign-in-button"' in html(resp)
    me.refresh_from_db()
    assert me.status == Attendee.Status.EXPECTED  # a GET signs nobody in


def test_sign_in_with_someone_elses_code_is_refused(h):
    me, other = h.attendee(h.people[0]), h.attendee(h.people[1])
    c = deputy_client(h.people[0])
    resp = c.post(f"/meetings/{h.meeting.pk}/sign-in/", {"code": other.sign_in_code})
    assert resp.status_code == 422
    assert "code" in resp.context["form"].errors
    me.refresh_from_db()
    other.refresh_from_db()
    assert (me.status, other.status) == (Attendee.Status.EXPECTED, Attendee.Status.EXPECTED)


def test_sign_in_with_own_code(h):
    me = h.attendee(h.people[0])
    c = deputy_client(h.people[0])
    resp = c.post(f"/meetings/{h.meeting.pk}/sign-in/", {"code": me.sign_in_code.lower()})
    assert resp.status_code == 302 and resp["Location"] == "/meetings/"
    me.refresh_from_db()
    assert me.status == Attendee.Status.PRESENT
    assert 'id="signed-in"' in html(c.get(f"/meetings/{h.meeting.pk}/sign-in/"))
    assert services.quorum(h.meeting).present == 1


def test_sign_in_after_the_meeting_is_refused(h):
    me = h.attendee(h.people[0])
    h.convene()
    services.meeting_transition(meeting=h.meeting, to=Meeting.State.SUMMARY)
    c = deputy_client(h.people[0])
    resp = c.post(f"/meetings/{h.meeting.pk}/sign-in/", {"code": me.sign_in_code})
    assert resp.status_code == 422
    me.refresh_from_db()
    assert me.status == Attendee.Status.EXPECTED


def test_people_not_expected_at_the_meeting_get_404(h):
    me = h.attendee(h.people[0])
    outsider = Hall(deputies=1, fixed=0).people[0]
    c = deputy_client(outsider)
    assert c.get(f"/meetings/{h.meeting.pk}/sign-in/?code={me.sign_in_code}").status_code == 404
    assert c.post(f"/meetings/{h.meeting.pk}/sign-in/", {"code": me.sign_in_code}).status_code == 404
    staff_only, _ = staff_client(h.body.division)
    assert staff_only.post(f"/meetings/{h.meeting.pk}/sign-in/", {"code": me.sign_in_code}).status_code == 404
    assert deputy_client(h.people[0]).get("/meetings/987654/sign-in/").status_code == 404
    me.refresh_from_db()
    assert me.status == Attendee.Status.EXPECTED


# --- 4. a project ballot on the agenda ---------------------------------------------------

def test_ballot_item_opens_only_from_the_meeting_and_with_quorum(h, staff):
    ballot, projects = draft_ballot(h)
    resp = staff.post(meeting_url(h, "agenda/"), {"kind": AgendaItem.Kind.PROJECT_BALLOT, "title": "票决民生实事",
                                                  "ballot": ballot.pk})
    assert resp.status_code == 302
    item = h.meeting.agenda.get(kind=AgendaItem.Kind.PROJECT_BALLOT)
    assert item.ballot_id == ballot.pk
    ballot.poll.refresh_from_db()
    assert ballot.poll.requires_quorum
    open_url = meeting_url(h, f"agenda/{item.pk}/open-ballot/")
    assert f'action="{open_url}"' in html(staff.get(meeting_url(h)))

    h.convene()
    h.present(*h.people[:3])
    resp = staff.post(open_url, OPEN_FORM, follow=True)  # 3 of 6: no quorum
    assert resp.status_code == 422 and len(error_messages(resp)) == 1
    ballot.poll.refresh_from_db()
    assert ballot.poll.state == SecretPoll.State.DRAFT

    h.present(h.people[3])
    # the projects page does not open a meeting's ballot, even with quorum in the room
    resp = staff.post(f"/staff/ballots/{ballot.pk}/open/", OPEN_FORM)
    assert resp.status_code == 422
    ballot.poll.refresh_from_db()
    assert ballot.poll.state == SecretPoll.State.DRAFT
    assert not Elector.objects.filter(poll=ballot.poll).exists()

    resp = open_over_http(staff, open_url, ballot.poll_id)
    assert resp.status_code == 200 and f'href="{meeting_url(h)}"' in html(resp)
    ballot.poll.refresh_from_db()
    assert (ballot.poll.state, ballot.poll.quorum_present, ballot.poll.quorum_members) == ("open", 4, 6)
    assert set(Project.objects.filter(pk__in=[p.pk for p in projects])
               .values_list("state", flat=True)) == {"on_ballot"}


def test_open_ballot_of_an_item_without_ballot_is_404(h, staff):
    item = services.agenda_add(meeting=h.meeting, kind=AgendaItem.Kind.WORK_REPORT, title="报告")
    assert staff.post(meeting_url(h, f"agenda/{item.pk}/open-ballot/")).status_code == 404


# --- 5. deliberation opinions -----------------------------------------------------------

def test_opinions_are_sent_answered_and_closed(h, staff):
    data = {"text": "加强巡河管理", "unit": "区水利局", "due_date": "2026-09-01"}
    resp = staff.post(meeting_url(h, "opinions/"), data, follow=True)  # not in preparation
    assert len(error_messages(resp)) == 1
    assert not DeliberationOpinion.objects.exists()

    h.convene()
    resp = staff.post(meeting_url(h, "opinions/"), data)
    assert resp.status_code == 302
    op = DeliberationOpinion.objects.get(meeting=h.meeting)
    assert (op.text, op.unit, op.due_date, op.status) == ("加强巡河管理", "区水利局", datetime.date(2026, 9, 1), "sent")
    assert "加强巡河管理" in re.search(r'id="opinions">(.*?)</table>', html(staff.get(meeting_url(h))), re.S).group(1)

    url = meeting_url(h, f"opinions/{op.pk}/")
    resp = staff.post(url, {"close": "1"}, follow=True)  # not answered yet
    assert len(error_messages(resp)) == 1
    op.refresh_from_db()
    assert op.status == "sent"

    resp = staff.post(url, {"response": "已建立巡河台账"})
    assert resp.status_code == 302
    op.refresh_from_db()
    assert (op.status, op.response, op.responded_on) == ("answered", "已建立巡河台账", timezone.localdate())

    resp = staff.post(url, {"close": "1"})
    assert resp.status_code == 302
    op.refresh_from_db()
    assert op.status == "closed"
    resp = staff.post(url, {"response": "改写"}, follow=True)
    assert len(error_messages(resp)) == 1
    op.refresh_from_db()
    assert (op.status, op.response) == ("closed", "已建立巡河台账")


def test_opinion_of_another_meeting_is_404(h, staff):
    other = Hall(deputies=1, fixed=0).convene()
    op = services.deliberation_opinion_send(meeting=other.meeting, text="外区意见", unit="某单位", due_date=datetime.date(2026, 9, 1))
    assert staff.post(meeting_url(h, f"opinions/{op.pk}/"), {"response": "x"}).status_code == 404
    op.refresh_from_db()
    assert op.status == "sent" and op.response == ""


# --- 5b. inspections and groups -----------------------------------------------------------

def test_inspections_are_recorded_before_the_meeting(h, staff):
    a0, a1 = h.attendee(h.people[0]), h.attendee(h.people[1])
    data = {"date": "2026-07-01", "place": "清水河", "findings": "河道淤积", "participants": [a0.pk, a1.pk]}
    resp = staff.post(meeting_url(h, "inspections/"), {**data, "date": "2026-07-25", "place": "会后"}, follow=True)
    assert len(error_messages(resp)) == 1  # after the meeting's date
    assert not h.meeting.inspections.exists()
    resp = staff.post(meeting_url(h, "inspections/"), data)
    assert resp.status_code == 302
    inspection = h.meeting.inspections.get()
    assert (inspection.place, inspection.date) == ("清水河", datetime.date(2026, 7, 1))
    assert set(inspection.participants.values_list("pk", flat=True)) == {h.people[0].pk, h.people[1].pk}
    listed = re.search(r'id="inspections">(.*?)</ul>', html(staff.get(meeting_url(h))), re.S).group(1)
    assert "清水河" in listed and h.people[0].name in listed
    # an attendee of another meeting cannot be chosen
    other = services.meeting_create(body=h.body, kind=Meeting.Kind.QUARTERLY, title="另一次会议",
                                    date=datetime.date(2026, 8, 1), place="会议室")
    foreign = other.attendees.get(person=h.people[2])
    staff.post(meeting_url(h, "inspections/"), {**data, "place": "别处", "participants": [foreign.pk]})
    assert not h.meeting.inspections.filter(place="别处").exists()


def test_groups_are_set_up_from_the_page(h, staff):
    members = [h.attendee(p).pk for p in h.people[:3]]
    resp = staff.post(meeting_url(h, "groups/"), {"name": "第一组", "members": members})
    assert resp.status_code == 302
    group = h.meeting.groups.get()
    assert set(h.meeting.attendees.filter(group=group).values_list("person", flat=True)) == {
        p.pk for p in h.people[:3]}
    resp = staff.post(meeting_url(h, "groups/"), {"name": "第一组", "members": []}, follow=True)
    assert len(error_messages(resp)) == 1  # the name is taken
    assert h.meeting.groups.count() == 1
    assert re.search(r'id="groups">.*第一组 \(3\)', html(staff.get(meeting_url(h))), re.S)


# --- 6. printables ----------------------------------------------------------------------

def test_sign_in_sheet_pdf_lists_names_and_codes(h, staff):
    resp = staff.get(meeting_url(h, "sign-in-sheet.pdf"))
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    data = pdf_bytes(resp)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for p in (h.people[0], h.people[5], h.fixed[0]):
        assert p.name in text, p.name
        assert h.attendee(p).sign_in_code in text, p.name


def test_paper_forms_pdf(h, staff):
    ballot, projects = draft_ballot(h)
    services.agenda_add(meeting=h.meeting, kind=AgendaItem.Kind.PROJECT_BALLOT, title="票决", ballot=ballot)
    services.survey_create(meeting=h.meeting, subject="法院工作")
    resp = staff.get(meeting_url(h, "paper-forms.pdf"))
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    data = pdf_bytes(resp)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "法院工作" in text
    for p in projects:
        assert p.title in text


# --- 7. the meeting report --------------------------------------------------------------

def test_meeting_report_is_built_and_downloadable(h, staff, django_capture_on_commit_callbacks):
    for title in ("区政府工作报告", "区法院工作报告"):
        assert staff.post(meeting_url(h, "agenda/"), {"kind": "work_report", "title": title}).status_code == 302
    h.convene()
    h.present(*h.people[:4])
    with django_capture_on_commit_callbacks(execute=True):
        resp = staff.post(meeting_url(h, "report/"))
    assert resp.status_code == 302
    report = Report.objects.get(meeting=h.meeting, kind=Report.Kind.MEETING)
    assert report.state == Report.State.DONE and report.pdf
    detail = html(staff.get(meeting_url(h)))
    assert f'href="/staff/reports/{report.pk}.pdf"' in detail

    dl = staff.get(f"/staff/reports/{report.pk}.pdf")
    assert dl.status_code == 200 and dl["Content-Type"] == "application/pdf"
    data = pdf_bytes(dl)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "年中人代会" in text
    assert "区政府工作报告" in text and "区法院工作报告" in text
    assert text.index("区政府工作报告") < text.index("区法院工作报告")
    flat = re.sub(r"\s+", " ", text)
    assert "法定人数" in flat or "Quorum reached" in flat
    assert re.search(r"4\D{1,12}6|6\D{1,12}4", flat)  # 4 of 6 voting members present, in either word order


# --- 8. scope ---------------------------------------------------------------------------

def test_staff_of_another_district_see_nothing_and_change_nothing(h, django_capture_on_commit_callbacks):
    h.convene()
    survey = services.survey_create(meeting=h.meeting, subject="河长制工作")
    item = services.agenda_add(meeting=h.meeting, kind=AgendaItem.Kind.WORK_REPORT, title="报告")
    op = services.deliberation_opinion_send(meeting=h.meeting, text="意见", unit="单位", due_date=datetime.date(2026, 9, 1))
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(meeting=h.meeting, kind=Report.Kind.MEETING)
    own, _ = staff_client(h.body.division)
    assert own.get(meeting_url(h)).status_code == 200  # the page exists
    assert own.get(f"/staff/reports/{report.pk}.pdf").status_code == 200

    c, _ = staff_client(factories.district(name="别区"))
    a = h.attendee(h.people[0])
    assert c.get(meeting_url(h)).status_code == 404
    assert h.meeting.pk not in [m.pk for m in c.get("/staff/meetings/").context["meetings"]]
    for url in (meeting_url(h, "sign-in-sheet.pdf"), meeting_url(h, "paper-forms.pdf"),
                f"/staff/reports/{report.pk}.pdf", f"/staff/surveys/{survey.pk}/paper/",
                f"/staff/surveys/{survey.pk}/report/"):
        assert c.get(url).status_code == 404, url
    posts = [
        (meeting_url(h, "stage/"), {"to": "summary"}),
        (meeting_url(h, "attendance/"), {"attendee": a.pk, "status": "present"}),
        (meeting_url(h, "agenda/"), {"kind": "work_report", "title": "越权议程"}),
        (meeting_url(h, "surveys/"), {"subject": "越权测评", "scale": "points", "bands": ""}),
        (meeting_url(h, "opinions/"), {"text": "越权意见", "unit": "单位", "due_date": "2026-09-01"}),
        (meeting_url(h, f"opinions/{op.pk}/"), {"response": "越权答复"}),
        (meeting_url(h, f"agenda/{item.pk}/open-ballot/"), {}),
        (meeting_url(h, "report/"), {}),
        (meeting_url(h, "notices/"), {}),
        (meeting_url(h, "inspections/"), {"date": "2026-07-01", "place": "越权视察", "findings": "x"}),
        (meeting_url(h, "groups/"), {"name": "越权小组"}),
        (f"/staff/surveys/{survey.pk}/open/", {}),
        (f"/staff/surveys/{survey.pk}/close/", {}),
    ]
    for url, data in posts:
        assert c.post(url, data).status_code == 404, url
    assert refresh(h).state == Meeting.State.CONVENING and h.meeting.notice_sent_at is None
    a.refresh_from_db()
    assert a.status == Attendee.Status.EXPECTED
    assert list(h.meeting.agenda.values_list("title", flat=True)) == ["报告"]
    assert list(h.meeting.surveys.values_list("subject", flat=True)) == ["河长制工作"]
    assert list(h.meeting.opinions.values_list("text", "response")) == [("意见", "")]
    assert h.meeting.reports.count() == 1
    assert not h.meeting.inspections.exists() and not h.meeting.groups.exists()
    survey.poll.refresh_from_db()
    assert survey.poll.state == SecretPoll.State.DRAFT
    # nor create a meeting of the other district's body
    resp = c.post("/staff/meetings/new/", {"body": h.body.pk, "kind": "quarterly", "title": "越权会议",
                                           "date": "2026-09-15", "place": "x"})
    assert resp.status_code == 422 and not Meeting.objects.filter(title="越权会议").exists()


def test_deputies_and_anonymous_are_kept_out_of_staff_pages(h):
    c = deputy_client(h.people[0])
    assert c.get("/staff/meetings/").status_code == 403
    assert c.get(meeting_url(h)).status_code == 403
    assert c.get("/staff/meetings/new/").status_code == 403
    assert c.post(meeting_url(h, "stage/"), {"to": "convening"}).status_code == 403
    assert c.post(meeting_url(h, "attendance/"), {"attendee": h.attendee(h.people[0]).pk,
                                                  "status": "present"}).status_code == 403
    assert c.get(meeting_url(h, "sign-in-sheet.pdf")).status_code == 403
    assert refresh(h).state == Meeting.State.PREPARATION
    assert h.attendee(h.people[0]).status == Attendee.Status.EXPECTED

    anon = Client()
    for url in ("/staff/meetings/", meeting_url(h), "/meetings/", f"/meetings/{h.meeting.pk}/sign-in/",
                "/surveys/1/"):
        resp = anon.get(url)
        assert resp.status_code == 302, url
        assert resp["Location"].startswith("/accounts/login/?next="), url
    resp = anon.post(meeting_url(h, "stage/"), {"to": "convening"})
    assert resp.status_code == 302 and resp["Location"].startswith("/accounts/login/")
    assert refresh(h).state == Meeting.State.PREPARATION


# --- 9. query counts --------------------------------------------------------------------

def count_queries(client, url):
    client.get(url)  # warm up: sessions, content types, translations
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.status_code == 200
    return len(ctx.captured_queries)


def busy_hall(deputies):
    """A convening meeting with quorum, agenda, surveys, an opinion, an inspection and two groups."""
    hall = Hall(deputies=deputies, fixed=2)
    services.agenda_add(meeting=hall.meeting, kind=AgendaItem.Kind.WORK_REPORT, title="工作报告")
    hall.convene()
    hall.present(*hall.people[: deputies // 2 + 1])
    services.survey_open(survey=services.survey_create(meeting=hall.meeting, subject="工作测评"), **SEAL)
    services.survey_create(meeting=hall.meeting, subject="第二项测评")
    services.deliberation_opinion_send(meeting=hall.meeting, text="意见", unit="单位", due_date=datetime.date(2026, 9, 1))
    services.attendee_set_status(attendee=hall.attendee(hall.people[-1]), status="leave", reason="出差")
    services.inspection_add(meeting=hall.meeting, date=datetime.date(2026, 7, 1), place="清水河", findings="淤积",
                            participants=hall.people[:4])
    services.group_create(meeting=hall.meeting, name="第一组", members=hall.people[: deputies // 2])
    services.group_create(meeting=hall.meeting, name="第二组", members=hall.people[deputies // 2:])
    return hall


def test_staff_meeting_detail_query_count_does_not_grow(django_assert_max_num_queries):
    small = busy_hall(5)
    c, _ = staff_client(small.body.division)
    n_small = count_queries(c, f"/staff/meetings/{small.meeting.pk}/")
    big = busy_hall(60)
    c, _ = staff_client(big.body.division)
    c.get(f"/staff/meetings/{big.meeting.pk}/")
    with django_assert_max_num_queries(n_small):
        resp = c.get(f"/staff/meetings/{big.meeting.pk}/")
    assert resp.status_code == 200
    assert len(resp.context["attendees"]) == 62
    assert html(resp).count("mark-present") == 60 + 2 - 31
    assert n_small <= 25


def test_deputy_meetings_page_query_count_does_not_grow(django_assert_max_num_queries):
    small = busy_hall(5)
    c = deputy_client(small.people[0])
    n_small = count_queries(c, "/meetings/")
    big = busy_hall(60)
    c = deputy_client(big.people[0])
    c.get("/meetings/")
    with django_assert_max_num_queries(n_small):
        resp = c.get("/meetings/")
    assert resp.status_code == 200
    assert len(resp.context["surveys"]) == 1 and len(resp.context["attendances"]) == 1
    assert 'id="open-surveys"' in html(resp)
    assert n_small <= 8


@pytest.mark.django_db(transaction=True)
def test_queue_down_when_sending_notices_says_nothing_was_sent_and_sending_again_works(monkeypatch, settings):
    from django.core import mail

    import meetings.tasks

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    real = meetings.tasks.send_meeting_notices
    monkeypatch.setattr("meetings.tasks.send_meeting_notices", QueueDown())
    h = Hall(deputies=2, fixed=0)
    for i, p in enumerate(h.people):
        deputy_client(p)
        p.refresh_from_db()
        p.user.email = f"n{i}@example.org"
        p.user.save()
    staff, _ = staff_client(h.body.division)
    resp = staff.post(meeting_url(h, "notices/"), follow=True)
    assert [str(m) for m in error_messages(resp)] == [
        "没有发出任何通知：任务队列无法连接。请在队列恢复后再次发送通知，任何人都不会重复收到。"]
    assert not success_messages(resp) and mail.outbox == [] and refresh(h).notice_sent_at is None
    monkeypatch.setattr("meetings.tasks.send_meeting_notices", real)
    resp = staff.post(meeting_url(h, "notices/"), follow=True)
    assert not error_messages(resp) and len(mail.outbox) == 2
