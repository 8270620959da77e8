"""The meeting report of the demo's past mid-year meeting: results first, attendance in figures, the roster last."""

import re

import pytest

from meetings import reports
from meetings.models import Attendee, Meeting, MeetingGroup

pytestmark = pytest.mark.django_db


@pytest.fixture
def past(demo):
    return Meeting.objects.get(state=Meeting.State.SUMMARY)


def test_results_lead_and_attendance_is_a_summary(past):
    r = reports.meeting_report(past.pk)
    html = reports.render_meeting_report(r)
    order = [html.index(marker) for marker in ('id="surveys"', 'id="attendance"', 'id="roster"')]
    assert order == sorted(order)  # surveys, then the attendance figures, then the roster in the appendix
    summary = html[html.index('id="attendance"'):html.index("</section>", html.index('id="attendance"'))]
    voting = Attendee.objects.filter(meeting=past, voting=True)
    present = voting.filter(status=Attendee.Status.PRESENT).count()
    leave = voting.filter(status=Attendee.Status.LEAVE).count()
    left = voting.filter(status=Attendee.Status.LEFT).count()
    absent = voting.count() - present - leave - left  # the meeting is over: whoever did not sign in was absent
    assert ["应到", "实到", "请假", "缺席", "离场"] == re.findall(r"<th>([^<]+)</th>", summary)
    assert (f'<td class="text-end">{voting.count()}</td><td class="text-end">{present}</td>'
            f'<td class="text-end">{leave}</td><td class="text-end">{absent}</td>'
            f'<td class="text-end">{left}</td>') in summary
    assert "<tr><td>" not in summary.replace("<tr><td>表决成员</td>", "")  # no roster rows in the summary


def test_absentees_of_a_past_meeting_are_absent_not_expected(past):
    assert Attendee.objects.filter(meeting=past, status=Attendee.Status.EXPECTED).exists()  # the demo's data
    html = reports.render_meeting_report(reports.meeting_report(past.pk))
    roster = html[html.index('id="roster"'):]
    assert "<td>缺席</td>" in roster and "<td>应到</td>" not in roster


def test_the_group_column_only_when_groups_are_used(past):
    html = reports.render_meeting_report(reports.meeting_report(past.pk))
    assert "<th>小组</th>" not in html
    group = MeetingGroup.objects.create(meeting=past, name="第一组")
    first = Attendee.objects.filter(meeting=past, voting=True).order_by("pk").first()
    Attendee.objects.filter(pk=first.pk).update(group=group)
    html = reports.render_meeting_report(reports.meeting_report(past.pk))
    assert "<th>小组</th>" in html and "<td>第一组</td>" in html


def test_a_surveys_chart_stays_with_its_table(past):
    from pathlib import Path

    html = reports.render_meeting_report(reports.meeting_report(past.pk))
    block = html[html.index('<div class="survey-block">'):]
    assert block.index("<table") < block.index("<svg") < block.index("</div>", block.index("</svg>")) + 6
    css = (Path(__file__).resolve().parents[2] / "templates" / "print" / "print.css").read_text()
    assert re.search(r"\.survey-block\s*\{[^}]*break-inside:\s*avoid", css)


def test_the_pdf_renders_with_results_before_the_roster(past):
    pytest.importorskip("weasyprint")
    pdf = reports.pdf_from_html(reports.render_meeting_report(reports.meeting_report(past.pk)))
    assert pdf.startswith(b"%PDF")


def test_a_running_meeting_lists_who_has_not_signed_in_yet(demo):
    running = Meeting.objects.get(state=Meeting.State.CONVENING)
    r = reports.meeting_report(running.pk)
    html = reports.render_meeting_report(r)
    waiting = Attendee.objects.filter(meeting=running, status=Attendee.Status.EXPECTED).count()
    assert waiting and not r.past
    assert r.attendance[0].not_signed_in == waiting and "<th>未签到</th>" in html
    roster = html[html.index('id="roster"'):]
    assert roster.count("<td>未签到</td>") == waiting and "<td>应到</td>" not in roster
