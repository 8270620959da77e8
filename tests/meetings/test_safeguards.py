"""Safeguards on closing a satisfaction survey (confirmation, a reason for a thin close) and on reading a thin one:
its report says that its figures and its comparison with the last survey are not meaningful."""

import datetime

import pytest
from django.test import Client

from congress.models import AuditLog, CongressBody, SecretPoll
from meetings import reports, selectors, services
from meetings.models import Report
from tests import factories
from tests.ballot_box import SEAL, sealed, shares
from tests.meetings.conftest import Hall
from tests.web import html

pytestmark = pytest.mark.django_db


def office(h, lang="en"):
    c = Client()
    c.cookies["django_language"] = lang
    c.force_login(factories.staff(h.body.division))
    return c


def open_survey(h, present=4, scores=(88,)):
    h.convene()
    h.present(*h.people[:present])
    survey = sealed(services.survey_open(survey=services.survey_create(meeting=h.meeting, subject="河长制工作"), **SEAL))
    for p, v in zip(h.people, scores, strict=False):
        services.survey_respond(survey=survey, person=p, value=v)
    return survey


def test_the_close_page_states_turnout_quorum_and_what_follows():
    h = Hall(deputies=6, fixed=0)
    survey = open_survey(h, present=4, scores=(88,))
    for lang, words in (("en", ["1 of 4 electors voted (25.0%)", "4 of 6 voting members were present when it opened",
                                "No end time was set.", "the survey report (page and PDF) is built",
                                "the report will say that its figures", "cannot be undone"]),
                        ("zh-hans", ["4 名投票人中 1 人已投票（25.0%）", "开始时 6 名有表决权的成员中 4 人出席", "不能撤销"])):
        resp = office(h, lang).get(f"/staff/surveys/{survey.pk}/close/")
        assert resp.status_code == 200
        for w in words:
            assert w in html(resp), w
    page = html(office(h).get(f"/staff/meetings/{h.meeting.pk}/"))
    assert f'close-survey" href="/staff/surveys/{survey.pk}/close/"' in page
    assert f'action="/staff/surveys/{survey.pk}/close/"' not in page


def test_a_one_click_or_thin_close_without_a_reason_is_refused_and_nothing_changes():
    h = Hall(deputies=6, fixed=0)
    survey = open_survey(h, present=4, scores=(88,))
    c = office(h)
    resp = c.post(f"/staff/surveys/{survey.pk}/close/")  # the old button: no confirmation
    assert resp.status_code == 422 and "Tick the box to confirm: nothing is closed without it." in html(resp)
    resp = c.post(f"/staff/surveys/{survey.pk}/close/", {"confirm": "on", "reason": ""})  # 25% < 50%
    assert resp.status_code == 422 and "below this body&#x27;s minimum of 50%" in html(resp)
    poll = SecretPoll.objects.get(pk=survey.poll_id)
    assert poll.state == SecretPoll.State.OPEN and poll.close_reason == "" and poll.closed_by is None
    assert not Report.objects.filter(survey=survey).exists()
    assert not AuditLog.objects.filter(action="poll.close").exists()


def test_a_thin_close_with_a_reason_is_audited_and_printed_on_the_report(django_capture_on_commit_callbacks):
    h = Hall(deputies=6, fixed=0)
    survey = open_survey(h, present=4, scores=(88,))
    c = office(h)
    with django_capture_on_commit_callbacks(execute=True):
        resp = c.post(f"/staff/surveys/{survey.pk}/close/", {"confirm": "on", "reason": "会场网络中断，改用纸质测评"})
    assert resp.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):  # the scrutineers open the box: counted, report built
        services.survey_unseal(survey=survey, shares=shares(survey.poll))
    poll = SecretPoll.objects.get(pk=survey.poll_id)
    assert poll.state == SecretPoll.State.TALLIED and poll.close_reason == "会场网络中断，改用纸质测评"
    row = AuditLog.objects.get(action="poll.close", object_id=str(poll.pk))
    assert row.changes["after"]["reason"] == poll.close_reason and row.changes["after"]["thin"] is True
    page = html(c.get(f"/staff/surveys/{survey.pk}/report/"))
    assert "会场网络中断，改用纸质测评" in page and 'id="closed-thin"' in page
    report = Report.objects.get(survey=survey)
    assert report.state == Report.State.DONE and "会场网络中断，改用纸质测评" in report.html


def test_enough_turnout_closes_without_a_reason():
    h = Hall(deputies=6, fixed=0)
    survey = open_survey(h, present=4, scores=(88, 90))  # 2 of 4: 50%, not below the minimum
    resp = office(h).post(f"/staff/surveys/{survey.pk}/close/", {"confirm": "on"})
    assert resp.status_code == 302
    CongressBody.objects.filter(pk=h.body.pk).update(min_close_turnout_percent=100)
    other = services.survey_open(survey=services.survey_create(meeting=h.meeting, subject="另一项工作"), **SEAL)
    services.survey_respond(survey=other, person=h.people[0], value=70)
    assert office(h).post(f"/staff/surveys/{other.pk}/close/", {"confirm": "on"}).status_code == 422


# --- a thin survey's report ----------------------------------------------------------------------------------

def survey_of(h, meeting, scores, present=7):
    """`present` of the hall's 12 deputies present (a quorum), the first ones scoring `scores`; closed and counted."""
    from django.test import TestCase

    if meeting.state == "preparation":
        services.meeting_transition(meeting=meeting, to="convening")
    for p in h.people[:present]:
        services.attendee_set_status(attendee=meeting.attendees.get(person=p), status="present")
    survey = sealed(services.survey_open(survey=services.survey_create(meeting=meeting, subject="河长制工作"), **SEAL))
    for p, v in zip(h.people, scores, strict=False):
        services.survey_respond(survey=survey, person=p, value=v)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.survey_close(survey=survey, reason=factories.CLOSE_REASON)
        services.survey_unseal(survey=survey, shares=shares(survey.poll))
    survey.refresh_from_db()
    return survey


def _two_surveys(first_scores, second_scores, present=(10, 10)):
    h = Hall(deputies=12)
    first = survey_of(h, h.meeting, first_scores, present=present[0])
    services.meeting_transition(meeting=h.meeting, to="summary")
    later = services.meeting_create(body=h.body, kind="midyear_session", title="下一年年中会",
                                    date=datetime.date(2027, 7, 20), place="会议中心")
    second = survey_of(h, later, second_scores, present=present[1])
    return first, second


def test_a_thin_survey_says_its_figures_and_comparison_are_not_meaningful(settings):
    settings.SURVEY_MIN_RESPONSES = 5
    settings.SURVEY_MIN_RESPONSE_PERCENT = 30
    first, second = _two_surveys([80] * 10, [95])  # 1 response from 10 present, against 10 of 10 last time
    s = selectors.survey_stats([second])[second.pk]
    assert s.previous_mean == 80 and s.change == 15.0
    assert not s.meaningful and not s.comparison_meaningful and s.min_responses == 5 and s.previous_meaningful
    stats, html_report = reports.survey_report_for(second.pk)
    assert "Too few responses" in html_report or "回收太少" in html_report
    assert "+15.0" not in html_report  # the comparison is not presented as meaningful
    assert "不具参考意义" in html_report


def test_a_survey_compared_with_a_thin_one_says_the_comparison_is_not_meaningful(settings):
    settings.SURVEY_MIN_RESPONSES = 5
    first, second = _two_surveys([60, 60], [80] * 8, present=(8, 8))
    s = selectors.survey_stats([second])[second.pk]
    assert s.meaningful and not s.previous_meaningful and not s.comparison_meaningful
    _stats, html_report = reports.survey_report_for(second.pk)
    assert f'id="thin-previous-{second.pk}"' in html_report and "+20.0" not in html_report


def test_a_full_survey_with_a_full_previous_one_shows_the_change(settings):
    settings.SURVEY_MIN_RESPONSES = 5
    first, second = _two_surveys([80] * 8, [90] * 8, present=(8, 8))
    s = selectors.survey_stats([second])[second.pk]
    assert s.meaningful and s.comparison_meaningful
    _stats, html_report = reports.survey_report_for(second.pk)
    assert "+10.0" in html_report and "thin-survey" not in html_report


def test_the_minimum_share_of_electors_counts_as_well(settings):
    settings.SURVEY_MIN_RESPONSES = 1
    settings.SURVEY_MIN_RESPONSE_PERCENT = 30
    assert selectors.min_responses_for(135) == 41 and selectors.min_responses_for(10) == 3
    assert selectors.min_responses_for(0) == 1


def test_the_meeting_report_marks_a_thin_survey(settings):
    settings.SURVEY_MIN_RESPONSES = 5
    h = Hall(deputies=12)
    survey = survey_of(h, h.meeting, [90, 70])
    r = reports.meeting_report(h.meeting.pk)
    html_report = reports.render_meeting_report(r)
    assert f'id="thin-survey-{survey.pk}"' in html_report
