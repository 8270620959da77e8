"""The hall screen's push under uvicorn (ASGI) on PostgreSQL and a Redis of the test's own: a ballot cast in
another process reaches the screen within a second; with Redis gone the stream ends and the endpoint answers
snapshots saying push is off (the screen polls and says so); with Redis back, push resumes."""

import http.client
import json
import subprocess
import sys
import threading
import time

import pytest
from django.test import override_settings
from django.utils import timezone

from meetings import hall
from meetings import services as ms
from meetings.models import AgendaItem
from projects import services as ps
from tests.ballot_box import SEAL
from tests.bench import free_port
from tests.integration.stack import ROOT, RedisServer, child_env, static_root
from tests.integration.util import database_url_of_tests, wait_for
from tests.meetings.conftest import Hall
from tests.meetings.test_views import draft_ballot

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


class Stream(threading.Thread):
    """A screen's event stream: each state with the time it arrived, until the server ends the stream."""

    def __init__(self, port, path):
        super().__init__(daemon=True)
        self.port, self.path, self.events, self.ended = port, path, [], False

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request("GET", self.path)
            resp = conn.getresponse()
            while line := resp.fp.readline():
                if line.startswith(b"data: "):
                    self.events.append((time.time(), json.loads(line[6:])))
        except OSError:
            pass
        self.ended = True


@pytest.fixture
def redis_server():
    server = RedisServer().start()
    yield server
    server.close()


def test_push_reaches_the_screen_and_falls_back_while_redis_is_down(redis_server):
    h = Hall(deputies=4, fixed=0, date=timezone.localdate())
    h.present(*h.people)
    h.convene()
    ballot, _ = draft_ballot(h)
    ms.agenda_add(meeting=h.meeting, kind=AgendaItem.Kind.PROJECT_BALLOT, title="票决", ballot=ballot)
    token = hall.screen_link_new(meeting=h.meeting).screen_token
    hall.hall_start_vote(meeting=h.meeting, poll_id=ballot.poll_id, minutes=3, **SEAL)
    ballot.refresh_from_db()
    port = free_port()
    env = child_env(DATABASE_URL=database_url_of_tests(), REDIS_URL=redis_server.url, STATIC_ROOT=str(static_root()))
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "congress.asgi:application", "--host", "127.0.0.1",
                             "--port", str(port), "--log-level", "warning", "--timeout-graceful-shutdown", "1"],
                            cwd=ROOT, env=env)
    path = f"/hall/{token}/events"

    def up():
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            return conn.getresponse().status == 200
        except OSError:
            return False

    try:
        assert wait_for(up, timeout=30), "uvicorn did not start"
        screen = Stream(port, path)
        screen.start()
        assert wait_for(lambda: screen.events, timeout=10)
        assert screen.events[0][1]["push"] is True and screen.events[0][1]["poll"]["received"] == 0
        first = ballot.candidates.order_by("position").first()
        with override_settings(REDIS_URL=redis_server.url):
            ps.ballot_vote(ballot=ballot, person=h.people[0], choices={"approve": [first.pk]})
        committed = time.time()
        assert wait_for(lambda: screen.events[-1][1]["poll"]["received"] == 1, timeout=5)
        assert screen.events[-1][0] - committed < 1.0

        redis_server.stop()  # the stream ends: the browser reconnects
        assert wait_for(lambda: screen.ended, timeout=10)
        fallback = Stream(port, path)
        fallback.start()
        assert wait_for(lambda: fallback.ended, timeout=10)
        assert fallback.events and fallback.events[0][1]["push"] is False  # one snapshot: "refreshing every second"

        redis_server.start()
        again = Stream(port, path)
        again.start()
        assert wait_for(lambda: again.events, timeout=10)
        assert again.events[0][1]["push"] is True and not again.ended
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
