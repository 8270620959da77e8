"""The demo district (`seed_demo`), laid once per module: the pages are tested on the data people use."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """seed_demo inside a transaction rolled back after the module (each test runs in a savepoint of it)."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
            yield
            transaction.set_rollback(True)


@pytest.fixture
def login(demo, client, db):
    def _login(username):
        client.force_login(get_user_model().objects.get(username=username))
        return client
    return _login
