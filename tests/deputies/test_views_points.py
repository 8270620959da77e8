"""deputies/views_points.py: a deputy's duty-activity page, as the phone shows it."""

import re

import pytest

from deputies import services as ds
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("lang", "button"), [("zh-hans", "申报"), ("en", "Report")])
def test_the_report_button_says_report_in_each_language(client, lang, button):
    """"Report" the verb, not the progress report of a project (the same English word: 进展情况 was shown)."""
    term = factories.TermFactory()
    me = factories.seated_deputy(term)
    user, _pw = ds.deputy_account_create(person=me)
    client.force_login(user)
    client.cookies["django_language"] = lang
    html = client.get("/me/points/").content.decode()
    form = re.search(r'<form [^>]*id="report-form".*?</form>', html, re.S).group(0)
    assert re.findall(r"<button[^>]*>([^<]*)</button>", form) == [button]
    assert f'<option value="{term.body.pk}" selected>' in form  # the deputy's one congress, chosen for them
