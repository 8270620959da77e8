"""The demo district (`seed_demo`), laid once per module: the pages are tested on the data people use."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """seed_demo inside a transaction rolled back after the module (each test runs in a savepoint of it).

    Yields the scrutineers' cards that seed_demo prints once, as {"ballot": [...], "survey": [...]}."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            out = io.StringIO()
            call_command("seed_demo", stdout=out)
            yield demo_cards(out.getvalue())
            transaction.set_rollback(True)


def demo_cards(output: str) -> dict[str, list[str]]:
    cards, what = {}, None
    for line in output.splitlines():
        heading = re.match(r"Scrutineers' cards of the demo (\w+)", line)
        if heading:
            what = heading.group(1)
            cards[what] = []
        elif what and line.startswith("  ") and re.search(r"[A-Z2-7]{4}-", line):
            cards[what].append(line.split()[-1])
        else:
            what = None
    return cards


@pytest.fixture
def login(demo, client, db):
    def _login(username):
        client.force_login(get_user_model().objects.get(username=username))
        return client
    return _login
