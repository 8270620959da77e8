"""The PostgreSQL backend (congress/db/base.py): a reused connection is checked by its socket, with no round trip,
and a connection the server ended is replaced before the request's first query."""

import time

import pytest
from django.db import connections

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def db_connection():
    """A connection of its own, with the site's settings (the default one is the test's)."""
    conn = connections.create_connection("default")
    conn.ensure_connection()
    yield conn
    conn.close()


def backend_pid(conn) -> int:
    with conn.cursor() as c:
        c.execute("SELECT pg_backend_pid()")
        return c.fetchone()[0]


def next_request(conn) -> None:
    """What a new request does before its first query (request_started, then the first cursor)."""
    conn.health_check_done = False
    conn.close_if_health_check_failed()


def test_the_site_uses_this_backend_with_tcp_keepalives(db_connection):
    assert type(db_connection).__module__ == "congress.db.base"
    assert db_connection.health_check_enabled
    dsn = db_connection.connection.get_dsn_parameters()
    assert (dsn["keepalives"], dsn["keepalives_idle"], dsn["keepalives_count"]) == ("1", "30", "3")


def test_a_sound_connection_is_kept_without_a_round_trip(db_connection, monkeypatch):
    pid = backend_pid(db_connection)

    def select_1():
        raise AssertionError("the health check sent SELECT 1")

    monkeypatch.setattr(db_connection, "is_usable", select_1)
    for _ in range(3):
        next_request(db_connection)
        assert db_connection.connection is not None
        assert backend_pid(db_connection) == pid


def test_a_connection_the_server_ended_is_replaced_before_the_first_query(db_connection):
    pid = backend_pid(db_connection)
    with connections["default"].cursor() as c:
        c.execute("SELECT pg_terminate_backend(%s)", [pid])
    for _ in range(50):  # the backend says FATAL and closes the socket as it exits
        if not db_connection.socket_is_quiet():
            break
        time.sleep(0.02)
    next_request(db_connection)
    assert backend_pid(db_connection) != pid  # no OperationalError: a new connection, opened for this request


def test_a_closed_connection_is_not_quiet(db_connection):
    db_connection.connection.close()
    assert not db_connection.socket_is_quiet()
    next_request(db_connection)
    assert backend_pid(db_connection)  # opened again
