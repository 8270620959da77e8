"""The cast pass (congress/castpass.py, congress/casting.py): a vote page's ballot comes in without loading the
session or the account, and the pass is worth no more than the session cookie it is bound to. Each attack below
stores nothing, or stores only the cookie holder's own ballot."""

import re
import time

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from congress import castpass
from congress.middleware import STAFF_SIGNED_IN_AT
from congress.models import VoteRecord
from tests.projects.conftest import Election
from tests.web import RECEIPT_ELEMENT_RE, deputy_client, html

PASS_RE = re.compile(r'name="cast_pass" value="([^"]+)"')


@pytest.fixture
def e(db):
    return Election(deputies=4, candidates=4, seats=2, max_choices=2, fixed=0).open()


def url(e):
    return f"/ballots/{e.ballot.pk}/vote/"


def pass_of(client, e) -> str:
    resp = client.get(url(e))
    assert resp.status_code == 200
    m = PASS_RE.search(html(resp))
    assert m, "no cast pass in the vote form"
    return m.group(1)


def cast(client, e, cast_pass, i=0):
    return client.post(url(e), {"cast_pass": cast_pass, "approve": [e.candidates[i].pk]})


def voted(e, person) -> bool:
    return VoteRecord.objects.filter(poll=e.ballot.poll, elector__person=person).exists()


def statements(client, e, cast_pass):
    with CaptureQueriesContext(connection) as ctx:
        resp = cast(client, e, cast_pass)
    return resp, [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]


def test_a_cast_with_the_pass_loads_neither_the_session_nor_the_account(e):
    client = deputy_client(e.people[0])
    cast_pass = pass_of(client, e)
    other = deputy_client(e.people[1])
    # the process keeps the ballot, and this connection the prepared cast statement, from the first cast on
    assert cast(other, e, pass_of(other, e)).status_code == 200
    resp, sql = statements(client, e, cast_pass)
    assert resp.status_code == 200 and RECEIPT_ELEMENT_RE.search(html(resp))
    assert not [q for q in sql if "session_data" in q], "the session was loaded"
    assert not [q for q in sql if 'FROM "congress_user"' in q and "sha256" not in q and "password" not in q]
    # PostgreSQL: the one statement that checks the session and stores the ballot; elsewhere the session row and
    # the account's password, then the elector and the two inserts
    assert len(sql) == (1 if connection.vendor == "postgresql" else 5), "\n".join(sql)
    assert voted(e, e.people[0])
    page = html(resp)  # the receipt page is drawn from the pass: the name and the deputy's menu
    assert 'id="signed-in-as"' in page and e.people[0].user.get_full_name() in page
    assert 'href="/ballots/"' in page


def test_a_second_ballot_with_the_pass_is_refused_and_the_first_stands(e):
    client = deputy_client(e.people[0])
    cast_pass = pass_of(client, e)
    assert cast(client, e, cast_pass).status_code == 200
    again = cast(client, e, cast_pass, i=1)
    assert again.status_code == 409 and 'id="already-voted"' in html(again)
    assert VoteRecord.objects.filter(poll=e.ballot.poll).count() == 1


def test_a_pass_after_signing_out_stores_nothing(e):
    """A copied cookie and pass, used after the deputy signed out: the session row is gone, so the cast statement
    stores nothing and the request is sent to sign in."""
    client = deputy_client(e.people[0])
    cast_pass, key = pass_of(client, e), client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = key
    resp = cast(thief, e, cast_pass)
    assert resp.status_code == 302 and "/login" in resp["Location"]
    assert not voted(e, e.people[0])


def change_password(user):
    user.set_password("a-New-secret-456")  # e.g. staff reset it: Django ends the holder's other sessions
    user.save(update_fields=["password"])


def disable(user):
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)


@pytest.mark.parametrize("change", [change_password, disable], ids=["password changed", "account disabled"])
def test_a_pass_after_the_account_changed_stores_nothing(e, change):
    client = deputy_client(e.people[0])
    cast_pass = pass_of(client, e)
    change(e.people[0].user)
    resp = cast(client, e, cast_pass)
    assert resp.status_code == 302 and "/login" in resp["Location"]
    assert not voted(e, e.people[0])


def test_a_pass_with_another_session_is_worth_nothing(e):
    """Deputy B sends deputy A's pass with B's own session: the pass is refused (bound to A's session), and the
    ordinary path casts B's own ballot: never A's."""
    a, b = deputy_client(e.people[0]), deputy_client(e.people[1])
    resp = cast(b, e, pass_of(a, e))
    assert resp.status_code == 200
    assert voted(e, e.people[1]) and not voted(e, e.people[0])


def test_a_forged_pass_is_worth_nothing(e):
    """A pass rewritten to name deputy A, signed with a guessed key, sent with B's session: B's own ballot."""
    import base64

    from django.utils.crypto import salted_hmac

    a, b = deputy_client(e.people[0]), deputy_client(e.people[1])
    key = b.cookies[settings.SESSION_COOKIE_NAME].value
    value = ".".join([str(e.ballot.poll_id), str(e.people[0].user_id), castpass.digest(key),
                      castpass.digest(e.people[0].user.password), "2", "0", str(int(time.time())),
                      base64.urlsafe_b64encode("甲".encode()).decode().rstrip("=")])
    forged = f"{value}.{salted_hmac(castpass.SALT, value, secret='guessed', algorithm='sha256').hexdigest()}"
    genuine = pass_of(b, e)
    assert genuine.rpartition(".")[0].split(".")[1] == str(e.people[1].user_id)  # the shape forged above
    pass_of(a, e)
    assert cast(b, e, forged).status_code == 200
    assert voted(e, e.people[1]) and not voted(e, e.people[0])


def test_a_pass_for_another_poll_is_not_used(e):
    other = Election(deputies=1, candidates=2, seats=1, max_choices=1, fixed=0).open()
    client = deputy_client(e.people[0])
    cast_pass = pass_of(client, e)
    resp = client.post(f"/ballots/{other.ballot.pk}/vote/", {"cast_pass": cast_pass,
                                                              "approve": [other.candidates[0].pk]})
    assert resp.status_code == 404  # the ordinary path: not on that poll's electorate
    assert not VoteRecord.objects.filter(poll=other.ballot.poll).exists()


def test_an_old_pass_takes_the_ordinary_path(e, settings):
    settings.CAST_PASS_SECONDS = 1
    client = deputy_client(e.people[0])
    cast_pass = pass_of(client, e)
    time.sleep(2.1)
    with CaptureQueriesContext(connection) as ctx:
        assert cast(client, e, cast_pass).status_code == 200
    assert [q for q in ctx.captured_queries if "session_data" in q["sql"]], "the old pass was taken"
    assert voted(e, e.people[0])


def test_the_staff_session_rule_holds_with_a_pass(e, settings):
    """A staff account that is also a deputy: past the staff-session hours its pass no longer lets it in, and the
    rule ends the session as it does on every staff page."""
    client = deputy_client(e.people[0])
    user = get_user_model().objects.get(pk=e.people[0].user_id)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    session = client.session
    session[STAFF_SIGNED_IN_AT] = int(time.time()) - 2 * 3600
    session.save()
    cast_pass = pass_of(client, e)
    settings.STAFF_SESSION_HOURS = 1
    resp = cast(client, e, cast_pass)
    assert resp.status_code == 302 and "/login" in resp["Location"]
    assert not voted(e, e.people[0])
    assert client.get(url(e)).status_code == 302  # signed out


def test_the_vote_page_applies_the_staff_session_rule_itself(e, settings):
    client = deputy_client(e.people[0])
    get_user_model().objects.filter(pk=e.people[0].user_id).update(is_staff=True)
    session = client.session
    session[STAFF_SIGNED_IN_AT] = int(time.time()) - 11 * 3600
    session.save()
    resp = client.get(url(e))
    assert resp.status_code == 302 and "/login" in resp["Location"]


def test_no_pass_where_sessions_are_not_rows(e, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    assert castpass.enabled() is False
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    settings.CAST_PASS_SECONDS = 0
    assert PASS_RE.search(html(deputy_client(e.people[0]).get(url(e)))) is None


def test_the_receipt_page_is_drawn_once_and_filled_in_escaped_in_the_deputys_language(e):
    """The receipt pages are drawn once per language and mode and then filled in: what differs (the title, the
    receipt, the name) is escaped, and an English page never comes from the Chinese frame."""
    from congress.polls import SecretPoll

    SecretPoll.objects.filter(pk=e.ballot.poll_id).update(title='<script>alert(1)</script>票决')
    e.ballot.poll.title = '<script>alert(1)</script>票决'
    from congress.polls import CastingCache

    CastingCache.clear_all()
    zh = deputy_client(e.people[0])
    first = cast(zh, e, pass_of(zh, e))
    en = deputy_client(e.people[1])
    en.cookies["django_language"] = "en"
    second = cast(en, e, pass_of(en, e))
    for resp in (first, second):
        page = html(resp)
        assert resp.status_code == 200 and "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "您的选票已记录。" in html(first) and 'lang="zh-hans"' in html(first)
    assert "Your ballot has been recorded." in html(second) and 'lang="en"' in html(second)
    assert RECEIPT_ELEMENT_RE.search(html(first)).group(1) != RECEIPT_ELEMENT_RE.search(html(second)).group(1)
    assert e.people[1].user.get_full_name() in html(second) and e.people[0].user.get_full_name() not in html(second)
