"""handler500: a database that is briefly unreachable gets a 503 that asks to send again; anything else a 500."""

import pytest
from django.db import InterfaceError, OperationalError
from django.test import RequestFactory
from django.utils import translation

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
