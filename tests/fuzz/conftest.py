import pytest
from django.core.cache import cache, caches
from django.db import transaction
from django.test import Client, override_settings

from tests.fuzz.world import World

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="package")
def world(django_db_setup, django_db_blocker):
    """Built once for the package (about 1.5 s), inside a transaction rolled back at the end; each test runs in a
    savepoint inside it and each hypothesis example in a savepoint inside that."""
    from congress.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True  # built before the per-test Celery mode applies; with REDIS_URL it is off
    try:
        with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER), transaction.atomic():
            yield World()
            transaction.set_rollback(True)
    finally:
        app.conf.task_always_eager = eager


@pytest.fixture(autouse=True)
def _fuzz_settings(settings):
    # sign-in attempts hash a password each time: the default hasher would make each example take a second
    settings.PASSWORD_HASHERS = FAST_HASHER
    cache.clear()  # rate limits
    caches["ratelimit"].clear()
    yield
    cache.clear()


@pytest.fixture
def clients(world, db):
    """A client per kind of visitor: anonymous, the home body's deputy, the home district's staff member."""
    deputy, staff, unit = Client(), Client(), Client()
    deputy.force_login(world.home.deputy)
    staff.force_login(world.home.staff)
    unit.force_login(world.home.unit_user)
    return {"anonymous": Client(), "deputy": deputy, "staff": staff, "unit": unit}
