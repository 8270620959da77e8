import datetime
import io
import statistics

import pypdf
import pytest

from meetings import reports, selectors, services
from meetings.models import AgendaItem, Report
from meetings.tasks import build_report
from tests.ballot_box import SEAL, close_and_open_ballot, close_and_open_survey, sealed
from tests.meetings.conftest import Hall

pytestmark = pytest.mark.django_db


def scored_survey(h, scores, subject="河长制工作", meeting=None):
    meeting = meeting or h.meeting
    services.meeting_transition(meeting=meeting, to="convening") if meeting.state == "preparation" else None
    present = h.people[:len(scores)]
    for p in present:
        a = meeting.attendees.get(person=p)
        services.attendee_set_status(attendee=a, status="present")
    survey = services.survey_create(meeting=meeting, subject=subject)
    survey = sealed(services.survey_open(survey=survey, **SEAL))
    for p, s in zip(present, scores, strict=True):
        services.survey_respond(survey=survey, person=p, value=s)
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        close_and_open_survey(survey)
    survey.refresh_from_db()
    return survey


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_survey_statistics_match_an_independent_computation(hall):
    scores = [72, 85, 91, 88, 64, 95, 80, 100, 59]
    h = Hall(deputies=12)
    survey = scored_survey(h, scores)
    s = selectors.survey_stats([survey])[survey.pk]
    assert s.present == 9 and s.responded == 9 and s.rate == 100.0
    assert s.mean == round(statistics.mean(scores), 2)
    assert s.median == statistics.median(scores)
    assert (s.minimum, s.maximum) == (59, 100)
    assert s.stdev == round(statistics.pstdev(scores), 2)
    assert dict((label, n) for label, n, _pct in s.bands) == {"≥90": 3, "80–89": 3, "60–79": 2, "<60": 1}
    assert sum(n for _l, n in s.distribution) == 9
    assert "<svg" in s.chart_svg


def test_change_against_the_previous_survey_of_the_same_subject(hall):
    h = Hall(deputies=6)
    first = scored_survey(h, [80, 80, 80, 80])
    services.meeting_transition(meeting=h.meeting, to="summary")
    later = services.meeting_create(body=h.body, kind="midyear_session", title="下一年年中会", date=datetime.date(2027, 7, 20),
                                    place="会议中心")
    second = scored_survey(h, [90, 90, 84, 84], meeting=later)
    s = selectors.survey_stats([second])[second.pk]
    assert s.previous_mean == 80 and s.change == 7.0
    assert selectors.survey_stats([first])[first.pk].previous_mean is None


def test_survey_report_task_builds_a_chinese_pdf_and_is_reproducible(hall):
    h = Hall(deputies=6)
    survey = scored_survey(h, [70, 90, 95, 60])
    report = Report.objects.get(survey=survey)
    assert report.state == "done" and report.progress == 100
    text = pdf_text(report.pdf.read())
    assert "满意度测评" in text and "河长制工作" in text and "78.75" in text
    first = report.content_checksum
    assert build_report.delay(report.pk).get() == first
    report.refresh_from_db()
    assert report.content_checksum == first


def build_meeting(deputies=8, candidates=4, surveys=2):
    from projects import services as ps
    from tests.projects.conftest import make_candidates

    h = Hall(deputies=deputies)
    projects = make_candidates(h.body, candidates)
    ballot = ps.ballot_create(body=h.body, title="2027年民生实事项目票决", year=2027, seats=2, max_choices=2)
    ps.ballot_set_candidates(ballot=ballot, projects=projects)
    services.agenda_add(meeting=h.meeting, kind=AgendaItem.Kind.WORK_REPORT, title="区政府工作报告", reporter="区长")
    item = services.agenda_add(meeting=h.meeting, kind=AgendaItem.Kind.PROJECT_BALLOT, title="票决民生实事", ballot=ballot)
    h.convene()
    for a in h.meeting.attendees.filter(voting=True).order_by("person_id")[: deputies // 2 + 1]:
        services.attendee_set_status(attendee=a, status="present")
    sealed(services.meeting_open_ballot(item=item, **SEAL))
    c = list(ballot.candidates.order_by("position"))
    for i, p in enumerate(h.people):
        ps.ballot_vote(ballot=ballot, person=p, choices={"approve": [c[i % candidates].pk]})
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        close_and_open_ballot(ballot)
    present = [a.person for a in h.meeting.attendees.filter(status="present", voting=True)]
    for k in range(surveys):
        survey = sealed(services.survey_open(survey=services.survey_create(meeting=h.meeting, subject=f"专项工作{k}"),
                                             **SEAL))
        for j, p in enumerate(present):
            services.survey_respond(survey=survey, person=p, value=60 + (j * 7 + k) % 41)
        with TestCase.captureOnCommitCallbacks(execute=True):
            close_and_open_survey(survey)
    services.deliberation_opinion_send(meeting=h.meeting, text="加快停车场建设进度", unit="区住建委", due_date=datetime.date(2026, 10, 1))
    return h, ballot


def test_meeting_report_content(hall):
    h, ballot = build_meeting()
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        report = services.report_request(meeting=h.meeting, kind=Report.Kind.MEETING)
    report.refresh_from_db()
    assert report.state == "done"
    data = report.pdf.read()
    text = pdf_text(data)
    for needle in ("年中人代会", "区政府工作报告", "2027年民生实事项目票决", "专项工作0", "专项工作1", "加快停车场建设进度",
                   "区住建委", h.people[0].name):
        assert needle in text, needle
    assert "5" in text and "8" in text  # present of members
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 2
    fonts = {str(f) for page in reader.pages for f in (page.get("/Resources", {}).get("/Font", {}) or {}).values()}
    assert fonts  # fonts are embedded


def test_meeting_report_query_count_is_fixed(hall, django_assert_max_num_queries):
    small, _ = build_meeting(deputies=6, candidates=3, surveys=1)
    big, _ = build_meeting(deputies=40, candidates=8, surveys=3)
    with django_assert_max_num_queries(14) as small_q:
        reports.render_meeting_report(reports.meeting_report(small.meeting.pk))
    with django_assert_max_num_queries(14) as big_q:
        reports.render_meeting_report(reports.meeting_report(big.meeting.pk))
    assert len(big_q.captured_queries) == len(small_q.captured_queries)


def test_pdf_uses_simplified_chinese_font(hall):
    h, _ = build_meeting(deputies=4, candidates=2, surveys=1)
    pdf = reports.pdf_from_html(reports.render_meeting_report(reports.meeting_report(h.meeting.pk)))
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    names = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object().get("/BaseFont")))
    assert any("CJK-SC" in n or "CJKsc" in n or "SC" in n for n in names), names
    assert not any("JP" in n for n in names)


def test_suggestion_handling_is_reported_to_the_meeting(hall):
    from deputies import suggestions as sg

    h = Hall(deputies=4)
    services.agenda_add(meeting=h.meeting, kind=AgendaItem.Kind.SUGGESTION_HANDLING, title="代表建议办理情况报告")
    s = sg.suggestion_submit(body=h.body, lead=h.people[0], title="增设公交站", text="…",
                             submitted_on=datetime.date(2026, 2, 1), meeting=None)
    sg.suggestion_assign(suggestion=s, unit="区交通局")
    sg.suggestion_submit(body=h.body, lead=h.people[1], title="旧年的建议", text="…", submitted_on=datetime.date(2025, 2, 1))
    r = reports.meeting_report(h.meeting.pk)
    assert [x.title for x in r.suggestions] == ["增设公交站"]
    text = pdf_text(reports.pdf_from_html(reports.render_meeting_report(r)))
    assert "增设公交站" in text and "区交通局" in text


def test_the_survey_verification_bundle_recounts_the_opened_scores_for_staff_in_scope(hall):
    import json

    from django.test import Client

    from congress.models import AuditLog, BallotSlot
    from tests import factories

    scores = [72, 85, 91, 88, 64, 73]
    h = Hall(deputies=8)
    survey = scored_survey(h, scores)
    staff = Client()
    staff.force_login(factories.staff(h.body.division))
    url = f"/staff/surveys/{survey.pk}/verification.json"
    assert url in staff.get(f"/staff/surveys/{survey.pk}/report/").content.decode()
    resp = staff.get(url)
    assert resp.status_code == 200 and "attachment" in resp["Content-Disposition"]
    bundle = json.loads(resp.content)
    assert bundle["ok"], bundle["checks"]
    assert bundle["recount"]["mean"] == round(statistics.mean(scores), 2)
    assert bundle["recount"]["median"] == statistics.median(scores)
    assert bundle["checks"]["stored_checksum"]["checksum"] == Report.objects.get(survey=survey).content_checksum
    assert sorted(b["score"] for b in bundle["ballots"]) == sorted(scores)
    assert AuditLog.objects.filter(action="poll.verification_download", object_id=str(survey.poll_id)).count() == 1
    # a score slipped into the counting table no longer matches the stored report
    BallotSlot.objects.create(poll=survey.poll, status="valid", score=5)
    bundle = json.loads(staff.get(url).content)
    assert not bundle["ok"] and not bundle["checks"]["recount_matches_report"]["ok"]
    # staff of another district are refused
    other = Client()
    other.force_login(factories.staff(factories.district(code="500198")))
    assert other.get(url).status_code == 404
