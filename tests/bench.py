"""`make bench`: speed figures, printed as JSON lines.

* web ballots cast per second under concurrent load, through gunicorn on
  PostgreSQL, next to a bare Django view (/healthz) served by the same server
  in the same run;
* tally seconds for 10,000 and 100,000 ballots (counted in the database).

Needs PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/renda_bench,
created if missing). Sends traffic only to 127.0.0.1, bounded in count and time.
"""

from __future__ import annotations

import datetime
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

from tests import bench_hall  # it reads REDIS_URL now, before main() drops it for the other steps

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/renda_bench"
# The load: wrk (Debian's `wrk`, a C load generator, as the issue measured it) where installed, else Python threads,
# whose own CPU on the same 2 cores weighs on both endpoints alike and so pulls their ratio towards 1.
WRK = shutil.which("wrk") if os.environ.get("BENCH_WRK", "1") != "0" else None
WRK_SECONDS = int(os.environ.get("BENCH_WRK_SECONDS", "1"))
VOTERS = int(os.environ.get("BENCH_VOTERS", "6000" if WRK else "1000"))
SCORERS = int(os.environ.get("BENCH_SCORERS", "5000" if WRK else "500"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "32"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "4" if WRK else "5"))  # thin and real endpoints alternate this many times


def emit(**fields):
    print(json.dumps(fields, ensure_ascii=False), flush=True)


def ensure_database(url: str) -> None:
    import psycopg2

    u = urlparse(url)
    name = u.path.lstrip("/")
    conn = psycopg2.connect(host=u.hostname, port=u.port or 5432, user=u.username or "postgres",
                            password=u.password, dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as c:
        c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if c.fetchone():
            c.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def setup_django(env):
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def make_election(n_voters: int, n_candidates: int = 15):
    from django.utils import timezone

    from congress import services as cs
    from congress.models import Division
    from deputies.models import Mandate, Person
    from projects import services
    from projects.models import Category, Project

    city = cs.division_create(code="B500000", name="基准市", level=Division.Level.MUNICIPALITY)
    dist = cs.division_create(code="B500001", name="基准区", level=Division.Level.DISTRICT, parent=city)
    sub = cs.division_create(code="B500001001", name="基准街道", level=Division.Level.SUBDISTRICT, parent=dist)
    body = cs.body_create(name="基准区人民代表大会", kind="district_congress", division=dist, seats=n_voters)
    term = cs.term_create(body=body, number=1, start_date=datetime.date(2024, 1, 10))
    people = Person.objects.bulk_create([
        Person(name=f"代表{i}", gender="F", date_of_birth=datetime.date(1980, 1, 1), education="bachelor",
               sector="resident", affiliation="masses", area=sub, in_area_since=datetime.date(2010, 1, 1))
        for i in range(n_voters)
    ])
    Mandate.objects.bulk_create([Mandate(person=p, term=term, role="deputy", start_date=term.start_date) for p in people])
    cat = Category.objects.get_or_create(name="停车设施")[0]
    projects = []
    for i in range(n_candidates):
        p = services.project_propose(body=body, year=2027, title=f"项目{i}", category=cat, description="基准",
                                     source=Project.Source.STAFF)
        services.project_move(project=p, to="appraisal")
        projects.append(services.project_move(project=p, to="candidate"))
    now = timezone.now()
    ballot = services.ballot_create(body=body, title="基准票决", year=2027, seats=10, max_choices=10,
                                    opens_at=now - datetime.timedelta(minutes=5), closes_at=now + datetime.timedelta(hours=2))
    services.ballot_set_candidates(ballot=ballot, projects=projects)
    ballot = services.ballot_open(ballot=ballot, scrutineers=["监票人甲", "监票人乙", "监票人丙"], threshold=2)
    ballot.cards = [c.text for c in ballot.poll.share_cards]  # the scrutineers' cards, for the caller only
    return ballot, people


def sessions_for(people):
    """One signed-in session per deputy, made directly (sign-in speed is not what is measured)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore

    from congress.models import User
    from deputies.models import Person

    pw = make_password(None)
    users = User.objects.bulk_create([User(username=f"bench{p.pk}", password=pw) for p in people])
    for p, u in zip(people, users, strict=True):
        p.user = u
    Person.objects.bulk_update(people, ["user"])
    keys = []
    for u in users:
        s = SessionStore()
        s[SESSION_KEY] = str(u.pk)
        s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        s[HASH_SESSION_KEY] = u.get_session_auth_hash()
        s.create()
        keys.append(s.session_key)
    return keys


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, headers=None, body=None, timeout=30):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, resp.getheader("Set-Cookie") or "", data
    finally:
        conn.close()


def wait_for_server(port: int, seconds: float = 30) -> None:
    """Until the server on `port` answers /healthz (or `seconds` have passed)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if request(port, "GET", "/healthz")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)


def versus_thin(result: dict, thin_result: dict) -> dict:
    """The real endpoint's figures next to the thin one's: the rate ratio and the CPU ratio."""
    return {**result, "ratio_to_thin": round(result["per_second"] / thin_result["per_second"], 2),
            "cpu_ratio_to_thin": round(thin_result["server_cpu_ms_per_request"]
                                       / max(result["server_cpu_ms_per_request"], 0.01), 2)}


def percentile(values, p):
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def cpu_seconds(pids) -> float:
    """User and system CPU seconds used so far by these processes (Linux /proc; 0 where unreadable)."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


def cpu_ticks() -> tuple[int, int]:
    """The machine's CPU ticks so far, stolen and all (/proc/stat): the share stolen by the hypervisor for other
    guests is time this machine's processes wanted and did not get, so a run with much of it is a slow run."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError):
        return 0, 0
    return (fields[7] if len(fields) > 7 else 0), sum(fields[:8])


def steal_percent(since: tuple[int, int]) -> float | None:
    steal, total = cpu_ticks()
    return round(100 * (steal - since[0]) / (total - since[1]), 1) if total > since[1] else None


def server_pids(master: int) -> tuple[list[int], list[int]]:
    """The gunicorn workers, and the PostgreSQL backends serving the bench database (the server's connections)."""
    from django.db import connection

    try:
        workers = [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    except OSError:
        workers = []
    with connection.cursor() as c:
        c.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        backends = [r[0] for r in c.fetchall()]
    return workers, backends


def settle(master: int, quiet: float = 0.25, limit: float = 15.0) -> None:
    """Until gunicorn's workers have used no CPU for `quiet` seconds. When wrk's time is up it closes its
    connections, but the requests already sent are still served (a sync worker reads a whole request before it
    answers): without this, that work would count in the next round's time and CPU, which is the other endpoint's."""
    workers = server_pids(master)[0]
    last, since, end = cpu_seconds(workers), time.monotonic(), time.monotonic() + limit
    while time.monotonic() < end:
        time.sleep(0.05)
        now = cpu_seconds(workers)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return


class Load:
    """Requests sent from `concurrency` threads, in one or more rounds, and their figures. With `master` (gunicorn's
    pid), also the CPU milliseconds per request its workers and their database backends used: a figure that other
    jobs on the machine disturb less than the rate."""

    def __init__(self, fn, concurrency, master: int | None = None):
        self.fn, self.concurrency, self.master = fn, concurrency, master
        self.latencies, self.errors, self.seconds, self.cpu = [], 0, 0.0, [0.0, 0.0]

    def one(self, item):
        t = time.perf_counter()
        ok = self.fn(item)
        return ok, time.perf_counter() - t

    def run(self, items):
        pids = server_pids(self.master) if self.master else ([], [])
        cpu = [cpu_seconds(p) for p in pids]
        start = time.perf_counter()
        with ThreadPoolExecutor(self.concurrency) as pool:
            for ok, dt in pool.map(self.one, items):
                self.latencies.append(dt)
                self.errors += 0 if ok else 1
        self.seconds += time.perf_counter() - start
        if self.master:
            for k, now in enumerate(server_pids(self.master)):  # processes started meanwhile count from zero
                self.cpu[k] += cpu_seconds(set(pids[k]) | set(now)) - cpu[k]
        return self

    def figures(self) -> dict:
        n = len(self.latencies)
        extra = {}
        if self.master:
            web, db = (round(1000 * c / n, 2) for c in self.cpu)
            extra = {"server_cpu_ms_per_request": round(web + db, 2), "web_cpu_ms": web, "db_cpu_ms": db}
        return {
            "requests": n, "errors": self.errors, "seconds": round(self.seconds, 3),
            "per_second": round(n / self.seconds, 1), **extra,
            "p50_ms": round(1000 * statistics.median(self.latencies), 1),
            "p95_ms": round(1000 * percentile(self.latencies, 95), 1),
            "p99_ms": round(1000 * percentile(self.latencies, 99), 1),
        }


def load(fn, items, concurrency, master: int | None = None) -> dict:
    return Load(fn, concurrency, master).run(items).figures()


def side_by_side(first, second, items, concurrency, master, rounds: int = ROUNDS) -> tuple[dict, dict]:
    """`first` and `second` over the same items, in alternating rounds, so that a change in the machine's load
    during the run weighs on both alike."""
    a, b = Load(first, concurrency, master), Load(second, concurrency, master)
    size = max(concurrency, -(-len(items) // rounds))
    for i in range(0, len(items), size):
        a.run(items[i:i + size])
        b.run(items[i:i + size])
    return a.figures(), b.figures()


WRK_SCRIPT = r"""
-- Each wrk thread takes every n-th line of the request file (cookie TAB body) and posts each line once, in turn.
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
function init(args)
  local path, file, n = args[1], args[2], tonumber(args[3])
  reqs, i, k = {}, 0, 0
  for line in io.lines(file) do
    if k % n == id then
      local cookie, body = line:match("^(.-)\t(.*)$")
      reqs[#reqs + 1] = wrk.format("POST", path, {["Cookie"] = cookie,
        ["Content-Type"] = "application/x-www-form-urlencoded"}, body)
    end
    k = k + 1
  end
end
function request()
  i = i % #reqs + 1
  return reqs[i]
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests": %d, "us": %d, "non_2xx": %d, "socket_errors": %d, "p50": %d, "p99": %d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


class WrkLoad:
    """Like Load, with wrk sending the requests: `connections` connections over 2 threads for WRK_SECONDS a round,
    each request of a round's lines sent at most once (a second ballot would be a 409: counted as an error)."""

    def __init__(self, port, path, master, connections):
        self.port, self.path, self.master, self.connections = port, path, master, connections
        self.requests = self.errors = 0
        self.us, self.cpu, self.p50, self.p99 = 0, [0.0, 0.0], [], []
        self.dir = tempfile.mkdtemp(prefix="bench-wrk-")
        self.script = Path(self.dir, "post.lua")
        self.script.write_text(WRK_SCRIPT)

    def run(self, lines: list[str]):
        file = Path(self.dir, f"lines-{len(self.p50)}.txt")
        file.write_text("\n".join(lines) + "\n")
        settle(self.master)
        pids = server_pids(self.master)
        cpu = [cpu_seconds(p) for p in pids]
        out = subprocess.run([WRK, "-t2", f"-c{self.connections}", f"-d{WRK_SECONDS}s", "--timeout", "10s",
                              "-s", str(self.script), f"http://127.0.0.1:{self.port}{self.path}", "--",
                              self.path, str(file), "2"], capture_output=True, text=True)
        if out.returncode:
            raise SystemExit(f"bench: wrk failed ({out.returncode}): {out.stderr or out.stdout}")
        out = out.stdout
        for k, now in enumerate(server_pids(self.master)):
            self.cpu[k] += cpu_seconds(set(pids[k]) | set(now)) - cpu[k]
        figures = json.loads(out.strip().splitlines()[-1])
        self.requests += figures["requests"]
        self.errors += figures["non_2xx"] + figures["socket_errors"]
        self.us += figures["us"]
        self.p50.append(figures["p50"] / 1000)
        self.p99.append(figures["p99"] / 1000)
        return self

    def figures(self) -> dict:
        n = max(self.requests, 1)
        web, db = (round(1000 * c / n, 2) for c in self.cpu)
        # the rate counts answered requests only: a round that ran out of deputies would add cheap 409s (errors)
        return {"load": "wrk", "requests": self.requests, "errors": self.errors, "seconds": round(self.us / 1e6, 3),
                "per_second": round((self.requests - self.errors) / (self.us / 1e6), 1), "server_cpu_ms_per_request": round(web + db, 2),
                "web_cpu_ms": web, "db_cpu_ms": db, "p50_ms": round(statistics.median(self.p50), 1),
                "p99_ms": round(max(self.p99), 1)}


def wrk_side_by_side(port, thin_path, real_path, lines_thin, lines_real, master, rounds: int = ROUNDS):
    """The thin and the real endpoint under wrk in alternating rounds; each round of the real one gets lines (deputies)
    of its own, so that no deputy casts twice."""
    thin, real = WrkLoad(port, thin_path, master, CONCURRENCY), WrkLoad(port, real_path, master, CONCURRENCY)
    size = len(lines_real) // rounds
    for r in range(rounds):
        thin.run(lines_thin[r * size:(r + 1) * size])
        real.run(lines_real[r * size:(r + 1) * size])
    return thin.figures(), real.figures()


def wrk_line(key, token, csrf, body) -> str:
    return f"sessionid={key}; csrftoken={csrf}\tcsrfmiddlewaretoken={token}&{body}"


SEAL = {"scrutineers": ["监票人甲", "监票人乙", "监票人丙"], "threshold": 2}


def close_and_unseal(poll, cards, close, unseal) -> dict:
    """Close voting early (with the reason that needs), then two scrutineers open the box with their cards: the
    figures of the opening, and whether every ballot stored came out into the counting table."""
    from congress.models import BallotSlot, SealedBallot, SecretPoll, VoteRecord

    sealed = SealedBallot.objects.filter(poll=poll).count()
    close("基准测试：提前结束投票")
    t = time.perf_counter()
    unseal(cards[:2])
    seconds = time.perf_counter() - t
    poll = SecretPoll.objects.get(pk=poll.pk)
    return {"sealed": sealed, "opened": BallotSlot.objects.filter(poll=poll).count(),
            "trackers": len(poll.trackers), "voters": VoteRecord.objects.filter(poll=poll).count(),
            "left_sealed": SealedBallot.objects.filter(poll=poll).count(), "unseal_seconds": round(seconds, 3)}


def vote_page_form(port, path, key) -> tuple[str, str, str, str]:
    """The session key, the form's CSRF token, the CSRF cookie and the cast pass of a deputy's vote page."""
    status, cookie, body = request(port, "GET", path, {"Cookie": f"sessionid={key}"})
    m = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    c = re.search(r"csrftoken=([^;]+)", cookie)
    p = re.search(rb'name="cast_pass" value="([^"]+)"', body)
    if status != 200 or not m or not c or not p:
        raise SystemExit(f"bench: {path} answered {status} (or without its form's tokens)")
    return key, m.group(1).decode(), c.group(1), p.group(1).decode()


def bench_web(env):
    from django.utils import timezone

    from congress.models import SealedBallot, VoteRecord
    from meetings import services as ms
    from meetings.models import Attendee
    from projects import services as ps

    ballot, people = make_election(VOTERS)
    keys = sessions_for(people)
    cand_ids = list(ballot.candidates.values_list("pk", flat=True))
    port = free_port()
    from django.db import connection

    from tests.bench_thin import TABLES

    with connection.cursor() as c:
        c.execute(TABLES)
    server_env = {**os.environ, **env, "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0",
                  "CSRF_COOKIE_SECURE": "0", "SECURE_HSTS_SECONDS": "0", "AXES_ENABLED": "0",
                  "BENCH_THIN_ENDPOINT": "1",
                  # the workers keep their database connections through the bench: a backend that ends (after
                  # CONN_MAX_AGE, 60 s by default) takes its CPU seconds with it, and the database's share came out
                  # negative
                  "CONN_MAX_AGE": "3600"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "congress.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(WORKERS), "--log-level", "warning"], cwd=ROOT, env=server_env,
    )
    ticks = cpu_ticks()
    try:
        wait_for_server(port)
        # CSRF tokens and cast passes: one GET of the vote page per deputy (not timed), as a deputy's phone does
        path = f"/ballots/{ballot.pk}/vote/"
        forms = [vote_page_form(port, path, key) for key in keys]

        def bare(_i):
            return request(port, "GET", "/healthz")[0] == 200

        def cast(item):
            key, token, csrf, cast_pass = item
            chosen = random.sample(cand_ids, 10)
            body = "&".join([f"csrfmiddlewaretoken={token}", f"cast_pass={cast_pass}"] + [f"approve={c}" for c in chosen])
            status, _c, data = request(port, "POST", path, {
                "Cookie": f"sessionid={key}; csrftoken={csrf}", "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{port}{path}"}, body.encode())
            return status == 200 and b'id="receipt"' in data

        def thin(item):
            key, token, csrf, _pass = item
            chosen = random.sample(cand_ids, 10)
            body = "&".join([f"csrfmiddlewaretoken={token}"] + [f"approve={c}" for c in chosen])
            status, _c, data = request(port, "POST", "/bench/thin/", {
                "Cookie": f"sessionid={key}; csrftoken={csrf}", "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{port}/bench/thin/"}, body.encode())
            return status == 200 and b'id="receipt"' in data

        common = {"concurrency": CONCURRENCY, "workers": WORKERS}
        emit(bench="bare_view", **common, **load(bare, range(len(forms)), CONCURRENCY, proc.pid))
        if WRK:
            choices = [random.sample(cand_ids, 10) for _ in forms]
            lines = [wrk_line(key, token, csrf, f"cast_pass={cast_pass}&" + "&".join(f"approve={c}" for c in chosen))
                     for (key, token, csrf, cast_pass), chosen in zip(forms, choices, strict=True)]
            thin_result, result = wrk_side_by_side(port, "/bench/thin/", path, lines, lines, proc.pid)
        else:
            thin_result, result = side_by_side(thin, cast, forms, CONCURRENCY, proc.pid)
        settle(proc.pid)  # the last round's requests served: all of them are counted, then voting closes
        emit(bench="thin_ballot_endpoint", **common, rounds=ROUNDS, **thin_result)
        emit(bench="web_ballots", **common, rounds=ROUNDS, **versus_thin(result, thin_result),
             ballots_stored=SealedBallot.objects.filter(poll=ballot.poll).count(),
             voters_recorded=VoteRecord.objects.filter(poll=ballot.poll).count())
        emit(bench="ballot_unsealed", **close_and_unseal(ballot.poll, ballot.cards, lambda reason: ps.ballot_close(
            ballot=ballot, reason=reason), lambda shares: ps.ballot_unseal(ballot=ballot, shares=shares)))

        # 500 deputies present score a satisfaction survey at once; then it closes and the scrutineers open its box
        meeting = ms.meeting_create(body=ballot.poll.body, kind="midyear_session", title="基准年中会",
                                    date=timezone.localdate(), place="会议中心")
        meeting = ms.meeting_transition(meeting=meeting, to="convening")
        present = people[:max(SCORERS, VOTERS // 2 + 1)]  # quorum: more than half present; SCORERS of them score
        Attendee.objects.filter(meeting=meeting, person__in=present).update(status="present")
        survey = ms.survey_open(survey=ms.survey_create(meeting=meeting, subject="基准专项工作"), **SEAL)
        survey_cards = [c.text for c in survey.poll.share_cards]
        spath = f"/surveys/{survey.pk}/"
        sforms = [vote_page_form(port, spath, key) for key in keys[:SCORERS]]

        def score(item):
            key, token, csrf, cast_pass = item
            status, _c, data = request(port, "POST", spath, {
                "Cookie": f"sessionid={key}; csrftoken={csrf}", "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{port}{spath}"},
                f"csrfmiddlewaretoken={token}&cast_pass={cast_pass}&value={random.randint(50, 100)}".encode())
            return status == 200 and b'id="receipt"' in data

        if WRK:
            lines = [wrk_line(key, token, csrf, f"cast_pass={cast_pass}&value={random.randint(50, 100)}")
                     for key, token, csrf, cast_pass in sforms]
            thin_lines = [wrk_line(key, token, csrf, "&".join(f"approve={c}" for c in random.sample(cand_ids, 10)))
                          for key, token, csrf, _pass in sforms]
            thin_result, result = wrk_side_by_side(port, "/bench/thin/", spath, thin_lines, lines, proc.pid)
        else:
            thin_result, result = side_by_side(thin, score, sforms, CONCURRENCY, proc.pid)
        settle(proc.pid)
        emit(bench="thin_ballot_endpoint", **common, rounds=ROUNDS, **thin_result)
        emit(bench="web_survey_scores", **common, rounds=ROUNDS, **versus_thin(result, thin_result),
             responses_stored=SealedBallot.objects.filter(poll=survey.poll).count(),
             scorers_recorded=VoteRecord.objects.filter(poll=survey.poll).count())
        emit(bench="survey_unsealed", **close_and_unseal(
            survey.poll, survey_cards, lambda reason: ms.survey_close(survey=survey, reason=reason),
            lambda shares: ms.survey_unseal(survey=survey, shares=shares)))
        # the host: with a few per cent of the CPU stolen by other guests, rates of this run and another differ
        emit(bench="host", cpu_steal_percent=steal_percent(ticks), cores=os.cpu_count())
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)


def bench_tally(n: int, n_candidates: int = 15):
    from congress.models import BallotSlot, SecretPoll
    from projects import services
    from projects.models import Ballot, BallotCandidate, Category, Project

    body = Ballot.objects.first().poll.body
    cat = Category.objects.first()
    poll = SecretPoll.objects.create(body=body, purpose="project_ballot", title=f"tally {n}", state="closed",
                                     electorate_size=n, seated_count=n)
    ballot = Ballot.objects.create(poll=poll, year=2027, seats=10, max_choices=10)
    projects = Project.objects.bulk_create([
        Project(body=body, year=2027, title=f"T{n}-{i}", category=cat, description="x", source="staff", state="on_ballot")
        for i in range(n_candidates)
    ])
    BallotCandidate.objects.bulk_create([BallotCandidate(ballot=ballot, project=p, position=i) for i, p in enumerate(projects)])
    rng = random.Random(n)
    batch = []
    for _ in range(n):
        mask = 0
        for pos in rng.sample(range(n_candidates), rng.randint(0, 10)):
            mask |= 1 << pos
        batch.append(BallotSlot(id=uuid.UUID(int=rng.getrandbits(128), version=4), poll=poll,
                                status="valid" if mask else "blank", approvals=mask))
    BallotSlot.objects.bulk_create(batch, batch_size=5000)
    t = time.perf_counter()
    result = services.ballot_tally(ballot_id=ballot.pk)
    seconds = time.perf_counter() - t
    t = time.perf_counter()
    again = services.ballot_tally(ballot_id=ballot.pk)
    emit(bench="tally", ballots=n, candidates=n_candidates, seconds=round(seconds, 3),
         recount_seconds=round(time.perf_counter() - t, 3), same_checksum=again.checksum == result.checksum)


def bench_meeting_report(n_deputies: int = 500, n_candidates: int = 15, n_surveys: int = 5):
    """Build the printed meeting report of a body with 500 deputies, 15 candidates and 5 surveys."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from congress import polls
    from congress import services as cs
    from congress.models import BallotSlot, Division, Elector, SecretPoll, VoteRecord
    from deputies.models import Mandate, Person
    from meetings import reports
    from meetings import services as ms
    from meetings.models import Attendee
    from projects import services as ps
    from projects.models import Category

    city = Division.objects.get(code="B500000")
    dist = cs.division_create(code="B500002", name="报告区", level=Division.Level.DISTRICT, parent=city)
    sub = cs.division_create(code="B500002001", name="报告街道", level=Division.Level.SUBDISTRICT, parent=dist)
    body = cs.body_create(name="报告区人民代表大会", kind="district_congress", division=dist, seats=n_deputies)
    term = cs.term_create(body=body, number=1, start_date=datetime.date(2024, 1, 10))
    people = Person.objects.bulk_create([
        Person(name=f"报告代表{i}", gender="M" if i % 3 else "F", date_of_birth=datetime.date(1975, 1, 1),
               education="bachelor", sector="resident", affiliation="masses", area=sub,
               in_area_since=datetime.date(2010, 1, 1)) for i in range(n_deputies)
    ])
    Mandate.objects.bulk_create([Mandate(person=p, term=term, role="deputy", start_date=term.start_date) for p in people])
    cat = Category.objects.get_or_create(name="停车设施")[0]
    projects = []
    for i in range(n_candidates):
        p = ps.project_propose(body=body, year=2027, title=f"报告项目{i}", category=cat, description="基准", source="staff")
        ps.project_move(project=p, to="appraisal")
        projects.append(ps.project_move(project=p, to="candidate"))
    ballot = ps.ballot_create(body=body, title="报告区民生实事项目票决", year=2027, seats=10, max_choices=10)
    ps.ballot_set_candidates(ballot=ballot, projects=projects)
    meeting = ms.meeting_create(body=body, kind="annual", title="报告区人民代表大会第三次会议",
                                date=datetime.date(2026, 1, 7), place="会议中心")
    ms.agenda_add(meeting=meeting, kind="work_report", title="政府工作报告", reporter="区长")
    item = ms.agenda_add(meeting=meeting, kind="project_ballot", title="票决民生实事项目", ballot=ballot)
    meeting = ms.meeting_transition(meeting=meeting, to="convening")
    Attendee.objects.filter(meeting=meeting).update(status="present")
    ms.meeting_open_ballot(item=item, **SEAL)
    rng = random.Random(7)

    def fill(poll, make):
        """Every elector voted; their ballots already opened into the counting table (written in bulk here)."""
        electors = list(Elector.objects.filter(poll=poll))
        VoteRecord.objects.bulk_create([VoteRecord(elector=e, poll=poll, channel="web") for e in electors])
        slots = [BallotSlot(poll=poll, status="valid") for _ in electors]
        for slot in slots:
            make(slot)
        BallotSlot.objects.bulk_create(slots, batch_size=1000)
        SecretPoll.objects.filter(pk=poll.pk).update(
            unsealed_at=timezone.now(), trackers=sorted(secrets.token_hex(10).upper() for _ in electors))

    def ballot_contents(slot):
        for pos in rng.sample(range(n_candidates), 10):
            slot.approvals |= 1 << pos

    with transaction.atomic():
        fill(ballot.poll, ballot_contents)
    ps.ballot_close(ballot=ballot, reason="基准：提前结束")
    ps.ballot_tally(ballot_id=ballot.pk)
    for k in range(n_surveys):
        survey = ms.survey_open(survey=ms.survey_create(meeting=meeting, subject=f"专项工作评议{k}"), **SEAL)

        def score(slot):
            slot.score = rng.randint(55, 100)

        with transaction.atomic():
            fill(survey.poll, score)
        ms.survey_close(survey=survey, reason="基准测试：提前结束评议")
        polls.poll_mark_tallied(SecretPoll.objects.get(pk=survey.poll_id))
    t = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        html = reports.render_meeting_report(reports.meeting_report(meeting.pk))
    data_seconds = time.perf_counter() - t
    pdf = reports.pdf_from_html(html)
    total = time.perf_counter() - t
    emit(bench="meeting_report", deputies=n_deputies, candidates=n_candidates, surveys=n_surveys,
         queries=len(ctx.captured_queries), data_and_html_seconds=round(data_seconds, 3),
         total_seconds_with_pdf=round(total, 3), pdf_bytes=len(pdf))


def bench_dashboard():
    """The city dashboard at Chongqing's scale (seed_city)."""
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from congress.models import Division, User
    from overview import selectors

    t = time.perf_counter()
    call_command("seed_city", verbosity=0)
    seed_seconds = time.perf_counter() - t
    staff = User.objects.create(username="bench-city", is_staff=True, division=Division.objects.get(code="C50"))
    timings = []
    for _ in range(5):
        t = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            d = selectors.city_dashboard(staff)
        timings.append(time.perf_counter() - t)
    emit(bench="dashboard", districts=d.districts, deliberation_deputies=d.deliberation_deputies,
         towns_voting=d.towns_voting, queries=len(ctx.captured_queries), seconds_median=round(statistics.median(timings), 3),
         seed_city_seconds=round(seed_seconds, 2))


def main():
    url = os.environ.get("DATABASE_URL") or DEFAULT_DB
    if not url.startswith("postgres"):
        raise SystemExit("make bench needs PostgreSQL: set DATABASE_URL=postgres://...")
    ensure_database(url)
    env = {"DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(50), "DEBUG": "0",
           "DJANGO_SETTINGS_MODULE": "congress.settings"}
    env.pop("REDIS_URL", None)
    os.environ.pop("REDIS_URL", None)
    setup_django(env)
    bench_web(env)
    if "web" in sys.argv[1:]:  # `python -m tests.bench web`: the web figures only
        return
    for n in (10_000, 100_000):
        bench_tally(n)
    bench_meeting_report()
    bench_dashboard()
    bench_hall.bench_hall(env)  # the hall screen's push latency (uvicorn + Redis); tests/bench_hall.py


if __name__ == "__main__":
    main()
