"""The printed result record of a ballot: "应到 X 人，实到 Y 人，符合法定人数", the lines the chief scrutineer,
the scrutineers and the counters sign, and Chinese punctuation in the Chinese text of printed reports and results."""

import re

import pytest
from django.utils import translation

from meetings import reports
from meetings import services as meeting_services
from meetings.models import AgendaItem
from projects import services
from tests import factories
from tests.meetings.test_reports import build_meeting
from tests.projects.conftest import Election

pytestmark = pytest.mark.django_db

CJK = "\u3400-\u9fff\uff08\uff09\u3001\uff0c\u3002\uff1a\uff1b"
# ASCII punctuation touching Chinese text (spaces aside). A placeholder's "%(" never reaches the page.
MIXED = re.compile(rf"[{CJK}]\s*[:;,.()]|[:;,()]\s*[{CJK}]")


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", "\n", html)
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def mixed_punctuation(text: str) -> list[str]:
    return [text[max(0, m.start() - 12):m.end() + 12] for m in MIXED.finditer(text)]


def certified(turnout: int, deputies: int = 4) -> Election:
    e = Election(deputies=deputies, candidates=3).open()
    for p in e.people[:turnout]:
        e.approve(p, 0)
    e.close_and_count()
    services.ballot_certify(ballot=e.ballot, **factories.certifying(e.body))
    e.ballot.refresh_from_db()
    return e


def test_the_printed_record_states_quorum_and_has_signature_lines(client):
    e = certified(turnout=3)
    rec = e.ballot.result.data["reconciliation"]
    html = client.get(f"/ballots/{e.ballot.pk}/result/print/").content.decode()
    text = visible_text(html)
    assert f"应到 {rec['electorate']} 人，实到 3 人，符合法定人数。" in text
    for line in ("总监票人（签名）", "监票人（签名）", "计票人（签名）"):
        assert line in text, line
    signatures = re.search(r'<table class="signatures".*?</table>', html, flags=re.S).group(0)
    for name in factories.SCRUTINEERS:  # the scrutineers recorded at certification sign by their names
        assert name in signatures
    assert signatures.count('class="sign-line"') >= 5
    # the result page says it too
    assert "符合法定人数" in visible_text(client.get(f"/ballots/{e.ballot.pk}/result/").content.decode())


def test_a_thin_turnout_is_printed_as_no_quorum(client):
    e = certified(turnout=2)  # 2 of 4: not more than half
    text = visible_text(client.get(f"/ballots/{e.ballot.pk}/result/print/").content.decode())
    assert "实到 2 人，不符合法定人数。" in text


def test_the_meeting_report_ballot_section_has_the_record_and_the_signatures():
    h, ballot = build_meeting()
    with translation.override("zh-hans"):
        html = reports.render_meeting_report(reports.meeting_report(h.meeting.pk))
    text = visible_text(html)
    ballot.refresh_from_db()
    rec = ballot.result.data["reconciliation"]
    assert f"应到 {rec['electorate']} 人，实到 {rec['web_voters'] + rec['paper_returned']} 人，" in text
    assert "总监票人（签名）" in text and "计票人（签名）" in text


def test_chinese_punctuation_in_the_printed_result_and_report(client):
    e = certified(turnout=3)
    pages = {"result print": client.get(f"/ballots/{e.ballot.pk}/result/print/").content.decode(),
             "result": client.get(f"/ballots/{e.ballot.pk}/result/").content.decode()}
    h, _ballot = build_meeting()
    # the report's parentheticals: a reporting unit, a leave reason
    meeting_services.agenda_add(meeting=h.meeting, kind=AgendaItem.Kind.WORK_REPORT, title="区法院工作报告",
                                reporter="院长", reporting_unit="区人民法院")
    absent = h.meeting.attendees.exclude(status="present").filter(voting=True).first()
    meeting_services.attendee_set_status(attendee=absent, status="leave", reason="外出学习")
    with translation.override("zh-hans"):
        pages["meeting report"] = reports.render_meeting_report(reports.meeting_report(h.meeting.pk))
    found = {name: mixed_punctuation(visible_text(html)) for name, html in pages.items()}
    report = visible_text(pages["meeting report"])
    assert "院长（区人民法院）" in report  # no space before a full-width parenthesis
    assert re.search(r"实到\d+人。已达法定人数", report)  # nor between two Chinese sentences
    assert found == {name: [] for name in pages}
