import datetime
import os
from zoneinfo import ZoneInfo

import pytest

from tests import factories


def pytest_collection_modifyitems(config, items):
    """Integration tests need the real services; say so plainly when they are absent."""
    if os.environ.get("REDIS_URL") and os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    skip = pytest.mark.skip(reason="integration: set DATABASE_URL (PostgreSQL) and REDIS_URL, as .ci/run does")
    for item in items:
        if "integration" in item.keywords:
            item.add_marker(skip)


# Django's advice for test speed: a fast hasher (the site keeps Django's default, PBKDF2 with a million rounds,
# which made every account a test creates cost a third of a second).
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _test_settings(settings, request):
    settings.AXES_ENABLED = False
    settings.LANGUAGE_CODE = "zh-hans"
    if "integration" not in request.keywords:  # there the site runs in processes of its own, with the real hasher
        settings.PASSWORD_HASHERS = FAST_HASHER


@pytest.fixture(autouse=True)
def _forget_kept_polls():
    """The web processes' kept copies of open ballots and surveys (congress.polls.CastingCache) start empty."""
    from congress.polls import CastingCache

    CastingCache.clear_all()


@pytest.fixture(autouse=True)
def _fresh_default_cache():
    """Each test starts with an empty default cache: it keys flags by user id, and ids come round again once a
    test's rows are rolled back."""
    from django.core.cache import caches

    caches["default"].clear()


@pytest.fixture
def sub_body(db):
    """A sub-district deliberation congress with one term, in a district of its own."""
    body = factories.BodyFactory(seats=80)
    term = factories.TermFactory(body=body)
    return body, term


@pytest.fixture
def on_date():
    return datetime.date(2024, 3, 1)


@pytest.fixture
def beijing_early_morning(on_date):
    """The clock at 07:30 in Beijing on `on_date`, on a server whose own zone is UTC (23:30 the day before):
    code that asks the server for its date (`datetime.date.today()`) sees the day before; Beijing sees `on_date`."""
    import time_machine

    utc_server_clock = datetime.datetime.combine(on_date, datetime.time(7, 30), tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(utc_server_clock.astimezone(ZoneInfo("UTC")), tick=False):
        assert datetime.date.today() == on_date - datetime.timedelta(days=1)
        yield on_date


@pytest.fixture(autouse=True)
def _celery_mode(request):
    """Unit tests run tasks eagerly; integration tests send them through Redis to a real worker."""
    from congress.celery import app

    eager = "integration" not in request.keywords
    old = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = old


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real `celery worker` process on the test database and the REDIS_URL broker."""
    import secrets
    import subprocess
    import sys
    import time
    from pathlib import Path

    from congress.celery import app
    from tests.integration.util import database_url_of_tests

    url = database_url_of_tests()
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"}
    env.update({"DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(50), "DEBUG": "0"})
    app.control.purge()
    hostname = f"test-{secrets.token_hex(4)}@%h"
    log = open(Path(__file__).resolve().parent.parent / "var" / "celery-test-worker.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "congress", "worker", "--pool=prefork", "--concurrency=2",
         "--loglevel=INFO", "-n", hostname, "--without-gossip", "--without-mingle"],
        cwd=Path(__file__).resolve().parent.parent, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("celery worker exited; see var/celery-test-worker.log")
        if app.control.ping(timeout=1.0):
            break
    else:
        proc.kill()
        raise RuntimeError("celery worker did not answer within 60 s")
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()
