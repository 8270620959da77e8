"""handler500: a database that is briefly unreachable gets a 503 that asks to send again; anything else a 500."""

import pytest
from django.db import InterfaceError, OperationalError
from django.test import RequestFactory
from django.utils import translation

from congress.layers import LAYERS
from congress.views import server_error


@pytest.mark.parametrize("exc", [OperationalError("the database system is starting up"),
                                 InterfaceError("connection already closed")])
def test_database_unavailable_is_a_503_with_retry_after_in_the_users_language(exc):
    request = RequestFactory().post("/ballots/1/vote/")
    with translation.override("zh-hans"):
        try:
            raise exc
        except type(exc):
            resp = server_error(request)
    assert resp.status_code == 503 and resp["Retry-After"] == "5"
    body = resp.content.decode()
    assert 'id="unavailable"' in body and "请" in body and 'lang="zh-hans"' in body


def test_any_other_error_stays_a_500():
    request = RequestFactory().get("/")
    try:
        raise ValueError("a bug")
    except ValueError:
        resp = server_error(request)
    assert resp.status_code == 500


def test_no_refusal_drops_its_later_messages():
    """`exc.messages[0]` shows the first reason of a refusal and drops the rest: every site shows them all."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    sites = [f"{p.relative_to(root)}:{n}" for app in LAYERS
             for p in (root / app).rglob("*.py") if "migrations" not in p.parts
             for n, line in enumerate(p.read_text().splitlines(), 1) if "messages[0]" in line]
    assert sites == []
