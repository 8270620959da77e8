"""Outages of the real services under the real site (gunicorn, production settings): Redis stopped while deputies
vote and score and staff work, PostgreSQL crashed and restarted in the middle of a burst of ballots. After each,
the vote invariants (tests/integration/invariants.py) hold."""

import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext

from deputies import services as ds
from deputies.models import OpinionCategory, ResidentOpinion
from meetings import services as ms
from meetings.models import Report
from projects.models import Ballot
from tests import factories
from tests.ballot_box import SEAL
from tests.integration import invariants
from tests.integration.stack import ROOT, Browser, PostgresServer, RedisServer, Site, Worker, child_env, manage, timed
from tests.integration.util import database_url_of_tests, wait_for
from tests.meetings.conftest import Hall
from tests.projects.conftest import Election

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PASSWORD = "Fault-tolerant-2026"


def account(person, username):
    user, _ = ds.deputy_account_create(person=person, username=username, password=PASSWORD)
    return user


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return gettext(message)


@pytest.fixture
def redis_server():
    server = RedisServer().start()
    yield server
    server.close()


def test_redis_down_deputies_vote_and_score_staff_get_a_clear_message_and_retry(redis_server):
    # a ballot open to four deputies; a mid-year meeting in session with a satisfaction survey open
    e = Election(deputies=4, candidates=3, seats=2, max_choices=2).open()
    for i, p in enumerate(e.people):
        account(p, f"voter{i}")
    hall = Hall(deputies=3, fixed=0)
    hall.present(*hall.people)
    hall.convene()
    survey = ms.survey_open(survey=ms.survey_create(meeting=hall.meeting, subject="河长制工作"), **SEAL)
    account(hall.people[0], "scorer")
    staff = factories.staff(e.body.division.parent, username="office")
    staff.set_password(PASSWORD)
    staff.save()
    hall_staff = factories.staff(hall.body.division, username="halloffice")
    hall_staff.set_password(PASSWORD)
    hall_staff.save()
    category = OpinionCategory.objects.get_or_create(name="其他")[0]
    where = factories.community(parent=e.body.division)

    site = Site(database_url=database_url_of_tests(), redis_url=redis_server.url)
    worker = Worker(database_url=database_url_of_tests(), redis_url=redis_server.url)
    try:
        redis_server.stop()  # Redis is gone: the broker, the result backend and the cache

        # deputies sign in, vote and score as if nothing happened
        (status, location, _), seconds = timed(Browser(site).sign_in, "voter0", PASSWORD)
        assert status == 302 and seconds < 5, (status, seconds)
        receipts = []
        for i in range(3):
            b = Browser(site)
            assert b.sign_in(f"voter{i}", PASSWORD)[0] == 302
            status, _, page = b.post(f"/ballots/{e.ballot.pk}/vote/", {"approve": [e.candidates[i % 3].pk]})
            assert status == 200 and 'id="receipt"' in page, status
            receipts.append(page)
        b = Browser(site)
        assert b.sign_in("scorer", PASSWORD)[0] == 302
        status, _, page = b.post(f"/surveys/{survey.pk}/", {"value": "88"})
        assert status == 200 and 'id="receipt"' in page

        # a resident's opinion is taken even though the rate-limit counters (in the cache) cannot be kept
        resident = Browser(site)
        status, _, _ = resident.post("/opinions/new/", {"division": where.pk, "category": category.pk,
                                                        "text": "小区路灯坏了三个月", "consent": "on"})
        assert status in (200, 302) and ResidentOpinion.objects.filter(text="小区路灯坏了三个月").count() == 1

        # staff close the ballot and the scrutineers open the box: the count cannot be queued; said within
        # seconds, nothing lost
        office = Browser(site)
        assert office.sign_in("office", PASSWORD)[0] == 302
        status, _, _ = office.post(f"/staff/ballots/{e.ballot.pk}/close/",
                                   {"confirm": "on", "reason": factories.CLOSE_REASON},
                                   page=f"/staff/ballots/{e.ballot.pk}/close/")
        assert status == 302
        (status, location, _), close_seconds = timed(
            office.post, f"/staff/ballots/{e.ballot.pk}/unseal/", {"share_1": e.shares[0], "share_2": e.shares[1]},
            page=f"/staff/ballots/{e.ballot.pk}/unseal/")
        assert status == 302 and close_seconds < 10, (status, close_seconds)
        ballot = Ballot.objects.select_related("poll").get(pk=e.ballot.pk)
        assert ballot.poll.state == "closed" and ballot.poll.unsealed_at and ballot.tally_state == "failed"
        page = office.get(location)[2]
        assert zh("The box was opened, but the count could not be queued: the task queue is not reachable. "
                  "Count again once it is back.") in page
        # and a meeting report: the request is kept, marked failed, with the reason on the page
        hall_office = Browser(site)
        assert hall_office.sign_in("halloffice", PASSWORD)[0] == 302
        (status, location, _), report_seconds = timed(
            hall_office.post, f"/staff/meetings/{hall.meeting.pk}/report/", {}, page=f"/staff/meetings/{hall.meeting.pk}/")
        assert status == 302 and report_seconds < 10
        report = Report.objects.get(meeting=hall.meeting, kind="meeting")
        assert report.state == "failed" and report.error
        assert zh("Saved, but the background task could not be queued: the task queue is not reachable. "
                  "Use “Build again” once it is back.") in hall_office.get(location)[2]

        # Redis is back (empty: it keeps nothing): count again and build again; the worker does both
        redis_server.start()
        status, location, _ = office.post(f"/staff/ballots/{e.ballot.pk}/recount/", {}, page=f"/staff/ballots/{e.ballot.pk}/")
        assert status == 302
        assert wait_for(lambda: Ballot.objects.get(pk=e.ballot.pk).tally_state == "done", timeout=90), \
            Ballot.objects.get(pk=e.ballot.pk).tally_error
        ballot = Ballot.objects.select_related("result").get(pk=e.ballot.pk)
        assert sum(c["for"] for c in ballot.result.data["candidates"]) == 3
        print(f"\nRedis down: sign-in {seconds:.2f} s; box opening answered in {close_seconds:.2f} s, "  # noqa: T201
              f"report request in {report_seconds:.2f} s")
        assert hall_office.post(f"/staff/reports/{report.pk}/rebuild/", {}, page=f"/staff/meetings/{hall.meeting.pk}/")[0] == 302
        assert wait_for(lambda: Report.objects.get(pk=report.pk).state == "done", timeout=120)
    finally:
        worker.close()
        site.close()
    with connection.cursor() as c:
        assert invariants.violations(c) == {}


@pytest.fixture
def pg_server():
    server = PostgresServer().start()
    yield server
    server.close()


def test_postgres_crash_during_voting_fails_in_flight_requests_cleanly_and_voting_resumes(pg_server):
    voters = 200
    pg_server.create_database("renda_fault")
    url = pg_server.url("renda_fault")
    env = child_env(DATABASE_URL=url)
    manage("migrate", "--noinput", "-v0", env=env)
    out = subprocess.run([sys.executable, "-m", "tests.integration.scenario", "election", str(voters)],  # noqa: S603
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    world = json.loads(out.stdout)
    site = Site(database_url=url, workers=2, threads=4)
    try:
        path = f"/ballots/{world['ballot']}/vote/"
        browsers = []
        for key in world["sessions"]:
            b = Browser(site)
            b.cookies["sessionid"] = key
            browsers.append((b, b.csrf_token(path)))
        seen: list[int] = []
        unavailable_pages: list[str] = []
        down = threading.Event()  # set once the database has crashed

        def vote(item):
            index, (b, token) = item
            if index >= voters // 2:
                down.wait(90)  # the second half votes into the outage: the crash is bound to meet requests
            choice = world["candidates"][len(token) % 5: len(token) % 5 + 10]
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                status, _, page = b.request("POST", path, {"csrfmiddlewaretoken": token, "approve": choice})
                seen.append(status)
                if status in (200, 409):  # stored now, or stored by an attempt whose answer was lost
                    return status
                if status != 503:
                    return status
                unavailable_pages.append(page)
                time.sleep(0.3)
            return "gave up"

        def crash_when_voting_is_under_way():
            try:
                assert wait_for(lambda: len(seen) >= voters // 5, timeout=60)
                pg_server.crash()  # in-flight transactions are cut off
            finally:
                down.set()  # else the second half would wait out its 90 s each
            # the server stays down until deputies have been told to send again, then comes back (crash recovery)
            assert wait_for(lambda: seen.count(503) >= 5, timeout=60)
            pg_server.start()

        with ThreadPoolExecutor(9) as pool:
            crash = pool.submit(crash_when_voting_is_under_way)
            outcomes = list(pool.map(vote, enumerate(browsers)))
            crash.result()
    finally:
        site.close()

    # every request answered cleanly: a receipt, "already voted", or a 503 asking to send again; never a 500
    assert set(seen) <= {200, 409, 503}, sorted(set(seen))
    assert 503 in seen, "the crash hit no request: the test did not test anything"
    assert all('id="unavailable"' in page for page in unavailable_pages)
    assert set(outcomes) <= {200, 409}
    print(f"\nPostgreSQL crash: {len(seen)} answers, {seen.count(503)} of them 503, "  # noqa: T201
          f"{outcomes.count(409)} deputies told their first ballot stood")
    # voting resumed and nobody was counted twice or lost: one ballot per deputy, no half-written ballot
    conn = pg_server.connect("renda_fault")
    with conn.cursor() as c:
        c.execute("SELECT count(*) FROM congress_voterecord WHERE poll_id = %s", [world["poll"]])
        recorded = c.fetchone()[0]
        c.execute("SELECT count(*) FROM congress_sealedballot WHERE poll_id = %s", [world["poll"]])
        stored = c.fetchone()[0]
        assert recorded == stored == voters
        assert invariants.violations(c) == {}
    conn.close()
