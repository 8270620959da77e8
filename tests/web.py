"""Web helpers that the view tests share: a page's text, signed-in clients, the messages and the receipt on a page.
(The ballot box's own helpers, cards and sealed polls, are in tests/ballot_box.py.)"""

import re

from django.test import Client

from deputies.services import deputy_account_create
from tests import factories
from tests.ballot_box import TRACKER

PASSWORD = "x-Secret-123"
RECEIPT_ELEMENT_RE = re.compile(r'id="receipt">\s*(' + TRACKER + r')\s*<')


def html(resp) -> str:
    return resp.content.decode()


def signed_in(user, lang: str | None = None) -> Client:
    c = Client()
    if lang:
        c.cookies["django_language"] = lang
    c.force_login(user)
    return c


def staff_client(division):
    user = factories.staff(division)
    return signed_in(user), user


def login_deputy(client, person, username=None):
    user, _password = deputy_account_create(person=person, username=username or f"dep{person.pk}", password=PASSWORD)
    client.force_login(user)
    return user


def deputy_client(person):
    """A signed-in client for a deputy, giving them an account if they have none yet."""
    c = Client()
    person.refresh_from_db()
    if person.user_id:
        c.force_login(person.user)
    else:
        login_deputy(c, person)
    return c


def error_messages(resp):
    return [m for m in resp.context["messages"] if m.level_tag == "error"]


def success_messages(resp):
    return [m for m in resp.context["messages"] if m.level_tag == "success"]


def receipt_in(resp) -> str:
    m = RECEIPT_ELEMENT_RE.search(html(resp))
    assert m, "no receipt element on the page"
    return m.group(1)
