"""The beat schedule: every entry names a task the worker knows, and no two tasks share a name (two tasks once
were both `flag_overdue_opinions`, one for residents' opinions and one for a meeting's deliberation opinions)."""

from collections import Counter

from django.conf import settings

from congress.celery import app
from congress.layers import LAYERS


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    entries = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert entries - set(app.tasks) == set()
    assert {"deputies.tasks.flag_overdue_resident_opinions", "meetings.tasks.flag_overdue_deliberation_opinions",
            "deputies.tasks.flag_overdue_suggestions"} <= entries


def test_no_two_tasks_share_a_name():
    app.loader.import_default_modules()
    ours = [name for name in app.tasks if name.split(".")[0] in LAYERS]
    assert ours, "the apps' tasks are registered"
    shared = {short for short, n in Counter(name.rsplit(".", 1)[1] for name in ours).items() if n > 1}
    assert shared == set()
