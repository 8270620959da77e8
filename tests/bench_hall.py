"""`make bench`, the hall step: push latency from a ballot's commit to the hall screen's update.

350 deputies (HALL_BENCH_DEPUTIES) vote within two minutes (HALL_BENCH_SECONDS), at random moments, while
HALL_BENCH_SCREENS screens listen to the meeting's push endpoint (server-sent events) served by uvicorn (ASGI),
fed through Redis pub/sub. Each ballot is committed here, through the same service as the vote page
(`ballot_vote`), so its commit time is known exactly; a screen's update is the first event whose "ballots
received" count includes it. Prints one JSON line: p50, p95 and max delay in ms; the goal is p95 < 1000 ms.

Needs Redis: REDIS_URL as it was when `make bench` started (tests/bench.py runs the rest without Redis), else
redis://127.0.0.1:6379/0. Without Redis it prints a line saying it was skipped.
"""

from __future__ import annotations

import datetime
import http.client
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import threading
import time

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"  # read at import, before bench.py drops it
DEPUTIES = int(os.environ.get("HALL_BENCH_DEPUTIES", "350"))
SECONDS = float(os.environ.get("HALL_BENCH_SECONDS", "120"))
SCREENS = int(os.environ.get("HALL_BENCH_SCREENS", "3"))
CASTERS = 8


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001
        return False


def _meeting(n: int):
    from django.utils import timezone

    from congress import services as cs
    from congress.models import Division
    from deputies.models import Mandate, Person
    from meetings import hall, services
    from meetings.models import AgendaItem, Attendee
    from projects import services as ps
    from projects.models import Category, Project

    city = Division.objects.filter(code="H500000").first() or cs.division_create(
        code="H500000", name="大屏市", level=Division.Level.MUNICIPALITY)
    dist = cs.division_create(code=f"H{random.randint(10**6, 10**7 - 1)}", name="大屏区",
                              level=Division.Level.DISTRICT, parent=city)
    body = cs.body_create(name="大屏区人民代表大会", kind="district_congress", division=dist, seats=n)
    term = cs.term_create(body=body, number=1, start_date=datetime.date(2024, 1, 10))
    sub = cs.division_create(code=f"{dist.code}001", name="大屏街道", level=Division.Level.SUBDISTRICT, parent=dist)
    people = Person.objects.bulk_create([
        Person(name=f"到会代表{i}", gender="M", date_of_birth=datetime.date(1975, 1, 1), education="bachelor",
               sector="resident", affiliation="masses", area=sub, in_area_since=datetime.date(2010, 1, 1))
        for i in range(n)])
    Mandate.objects.bulk_create([Mandate(person=p, term=term, role="deputy", start_date=term.start_date)
                                 for p in people])
    meeting = services.meeting_create(body=body, kind="annual", title="大屏基准会议", date=timezone.localdate(),
                                      place="会议中心")
    Attendee.objects.filter(meeting=meeting).update(status=Attendee.Status.PRESENT)
    services.meeting_transition(meeting=meeting, to="convening")
    cat = Category.objects.get_or_create(name="停车设施")[0]
    projects = []
    for i in range(15):
        p = ps.project_propose(body=body, year=2027, title=f"实事{i}", category=cat, description="基准",
                               source=Project.Source.STAFF)
        ps.project_move(project=p, to="appraisal")
        projects.append(ps.project_move(project=p, to="candidate"))
    ballot = ps.ballot_create(body=body, title="大屏基准票决", year=2027, seats=10, max_choices=10)
    ps.ballot_set_candidates(ballot=ballot, projects=projects)
    services.agenda_add(meeting=meeting, kind=AgendaItem.Kind.PROJECT_BALLOT, title="票决", ballot=ballot)
    hall.hall_rules_set(meeting=meeting, poll_id=ballot.poll_id, present_only=True, hall_result="counted")
    meeting = hall.screen_link_new(meeting=meeting)
    minutes = int(SECONDS // 60) + 2
    hall.hall_start_vote(meeting=meeting, poll_id=ballot.poll_id, minutes=minutes,
                         scrutineers=["监票人甲", "监票人乙"], threshold=2)
    ballot.refresh_from_db()
    return meeting, ballot, people


class Screen(threading.Thread):
    """One hall screen: reads the event stream and notes when each "ballots received" count first arrived."""

    def __init__(self, port: int, path: str):
        super().__init__(daemon=True)
        self.port, self.path = port, path
        self.seen: dict[int, float] = {}  # count -> first time it was shown
        self.pushed = None
        self.ready = threading.Event()

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=SECONDS + 60)
        conn.request("GET", self.path, headers={"Accept": "text/event-stream"})
        resp = conn.getresponse()
        while True:
            line = resp.fp.readline()
            if not line:
                return
            if line.startswith(b"data: "):
                now = time.time()
                state = json.loads(line[6:])
                self.pushed = state.get("push")
                self.ready.set()
                poll = state.get("poll") or {}
                self.seen.setdefault(poll.get("received", 0), now)


def bench_hall(env: dict) -> None:
    from django.test import override_settings

    from projects import services as ps
    from tests.bench import emit, free_port, percentile, wait_for_server

    if not _redis_up():
        emit(bench="hall_push", skipped=f"no Redis at {REDIS_URL}: the push channel needs it")
        return
    meeting, ballot, people = _meeting(DEPUTIES)
    from congress.models import Elector

    electors = dict(Elector.objects.filter(poll=ballot.poll).values_list("person_id", "pk"))
    candidates = list(ballot.candidates.values_list("pk", flat=True))
    port = free_port()
    server_env = {**os.environ, **env, "REDIS_URL": REDIS_URL, "SECURE_SSL_REDIRECT": "0", "AXES_ENABLED": "0"}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "congress.asgi:application", "--host", "127.0.0.1",
                             "--port", str(port), "--log-level", "warning", "--workers", "1",
                             "--timeout-graceful-shutdown", "2"], env=server_env)
    try:
        wait_for_server(port)
        path = f"/hall/{meeting.screen_token}/events"
        screens = [Screen(port, path) for _ in range(SCREENS)]
        for s in screens:
            s.start()
            s.ready.wait(10)
        if not all(s.pushed for s in screens):
            emit(bench="hall_push", error="the push endpoint answered without push")
            return
        moments = sorted(random.uniform(0, SECONDS) for _ in people)
        commits: list[float] = []
        lock = threading.Lock()
        start = time.monotonic()

        def cast(job):
            person, at = job
            time.sleep(max(0.0, start + at - time.monotonic()))
            ps.ballot_vote(ballot=ballot, elector_id=electors[person.pk],
                           choices={"approve": random.sample(candidates, 10)})
            done = time.time()  # the service has returned: its transaction has committed
            with lock:
                commits.append(done)
            from django.db import connection

            connection.close()

        from concurrent.futures import ThreadPoolExecutor

        with override_settings(REDIS_URL=REDIS_URL), ThreadPoolExecutor(CASTERS) as pool:
            list(pool.map(cast, zip(people, moments, strict=True)))
        time.sleep(3)
        commits.sort()
        delays = []
        for s in screens:
            for k, committed in enumerate(commits, start=1):
                shown = min((t for count, t in s.seen.items() if count >= k), default=None)
                if shown is not None:
                    delays.append(max(0.0, shown - committed))
        missing = len(commits) * len(screens) - len(delays)
        emit(bench="hall_push", deputies=len(commits), seconds=SECONDS, screens=SCREENS, server="uvicorn+redis",
             p50_ms=round(1000 * statistics.median(delays), 1), p95_ms=round(1000 * percentile(delays, 95), 1),
             max_ms=round(1000 * max(delays), 1), never_shown=missing,
             goal_p95_under_1s=percentile(delays, 95) < 1.0)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


if __name__ == "__main__":  # `python -m tests.bench_hall`: this step alone (needs DATABASE_URL and Redis)
    from tests import bench

    url = os.environ.get("DATABASE_URL") or bench.DEFAULT_DB
    bench.ensure_database(url)
    env = {"DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(50), "DEBUG": "0",
           "DJANGO_SETTINGS_MODULE": "congress.settings"}
    os.environ.pop("REDIS_URL", None)
    bench.setup_django(env)
    bench_hall(env)
