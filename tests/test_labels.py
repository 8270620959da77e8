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
