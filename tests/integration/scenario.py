"""Builds the world of a fault test in a database of the test's own; run as a separate process, with
DATABASE_URL set, after `manage.py migrate`:

    python -m tests.integration.scenario election VOTERS

prints JSON: the open ballot, its candidates, and one signed-in session key per deputy."""

import json
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congress.settings")
    import django

    django.setup()
    from tests.bench import make_election, sessions_for

    kind, voters = sys.argv[1], int(sys.argv[2])
    assert kind == "election", kind
    ballot, people = make_election(voters)
    print(json.dumps({  # noqa: T201
        "ballot": ballot.pk, "poll": ballot.poll_id, "cards": ballot.cards,
        "candidates": list(ballot.candidates.values_list("pk", flat=True)),
        "sessions": sessions_for(people),
    }))


if __name__ == "__main__":
    main()
