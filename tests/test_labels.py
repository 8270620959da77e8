"""Words a visitor reads: a staff word on a resident's button, or a language named in another language, misleads."""

import re

import pytest

pytestmark = pytest.mark.django_db


def _submit_button(html):
    form = html[html.index('id="opinion-form"'):]
    return re.search(r'<button type="submit"[^>]*>([^<]*)</button>', form).group(1).strip()


def test_the_residents_submit_button_says_submit_not_refer(client):
    page = client.get("/opinions/new/").content.decode()
    assert _submit_button(page) == "提交"
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert _submit_button(client.get("/opinions/new/").content.decode()) == "Send"


def test_the_staff_refer_button_keeps_its_own_word():
    from pathlib import Path

    from django.utils.translation import override, pgettext

    with override("zh-hans"):
        assert pgettext("refer an opinion to a responsible unit", "Send") == "交办"
        assert pgettext("resident submits a form", "Send") == "提交"
    template = (Path(__file__).resolve().parent.parent / "meetings" / "templates" / "meetings" / "meeting_detail.html")
    assert 'translate "Send" context "refer an opinion to a responsible unit"' in template.read_text()


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_each_language_is_offered_in_its_own_name(client, lang):
    client.post("/i18n/setlang/", {"language": lang, "next": "/"})
    switch = client.get("/").content.decode()
    switch = switch[switch.index('id="language-switcher"'):]
    switch = switch[:switch.index("</form>")]
    assert re.search(r'lang="en"[^>]*>English<', switch)
    assert re.search(r'lang="zh-hans"[^>]*>简体中文<', switch)
    assert "英语" not in switch and "Simplified Chinese" not in switch


# One English word, two meanings: each use has its own context and its own Chinese word (the walk of the demo found
# a duty report's button saying 进展情况 "progress report", staff approving a duty report with 赞成 "vote for", a duty
# record's sheet of totals named 会后总结 "post-meeting summary", the deputies of a duty activity named 进站代表
# "deputies of a liaison station", an agenda item named 项目 "project", a meeting report named 进展情况).
@pytest.mark.parametrize(("context", "msgid", "word", "plain"), [
    ("submit a duty activity", "Report", "申报", "进展情况"),
    ("decide a duty report", "Approve", "通过", "赞成"),
    ("decide a request", "Approve", "同意", "赞成"),
    ("sheet of totals", "Summary", "汇总", "会后总结"),
    ("took part", "deputies", "参加代表", "进站代表"),
    ("agenda", "Item", "议程事项", "项目"),
    ("meeting report", "report", "会议报告", "进展情况"),
])
def test_a_word_with_two_meanings_has_a_chinese_word_for_each(context, msgid, word, plain):
    from django.utils.translation import gettext, override, pgettext

    with override("zh-hans"):
        assert pgettext(context, msgid) == word
        assert gettext(msgid) == plain  # the other meaning keeps its word


def test_the_uses_ask_for_their_meaning():
    from pathlib import Path

    from deputies.models import DutyActivity
    from meetings.models import Report

    root = Path(__file__).resolve().parent.parent
    uses = {
        "deputies/templates/deputies/my_reports.html": 'translate "Report" context "submit a duty activity"',
        "deputies/templates/deputies/reports_review.html": 'translate "Approve" context "decide a duty report"',
        "deputies/templates/deputies/suggestion_detail.html": 'translate "Approve" context "decide a request"',
        "meetings/templates/meetings/hall/console.html": 'translate "Item" context "agenda"',
        "meetings/templates/meetings/print/meeting_report.html": 'translate "Item" context "agenda"',
    }
    for path, use in uses.items():
        assert use in (root / path).read_text(), path
    from django.utils.translation import override

    with override("zh-hans"):
        assert str(DutyActivity._meta.get_field("participants").verbose_name) == "参加代表"
        assert str(Report._meta.verbose_name) == "会议报告"  # the duty record's sheet: tests/overview/test_duty.py
