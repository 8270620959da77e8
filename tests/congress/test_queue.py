"""congress/queue.py: a task is sent after its transaction commits; a queue that is down reaches the view."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction

from congress.queue import QUEUE_ERRORS, QueueUnavailable, send_after_commit


class DownTask:
    def apply_async(self, args, **kw):
        raise QUEUE_ERRORS[-1]("broker unreachable")


class Task:
    sent: list

    def __init__(self):
        self.sent = []

    def apply_async(self, args, **kw):
        self.sent.append(args)


@pytest.mark.django_db(transaction=True)
def test_a_queue_that_is_down_is_raised_where_the_view_commits():
    failures = []
    with pytest.raises(QueueUnavailable), transaction.atomic():
        send_after_commit(DownTask(), 1, on_failure=failures.append)
    assert failures == ["broker unreachable"]
    task = Task()
    with transaction.atomic():
        send_after_commit(task, 2, on_failure=failures.append)
        assert task.sent == []  # nothing is sent before the commit
    assert task.sent == [(2,)]


def test_the_queue_refuses_a_request_wide_transaction(monkeypatch, settings):
    assert settings.DATABASES["default"]["ATOMIC_REQUESTS"] is False
    monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", True)
    with pytest.raises(ImproperlyConfigured):
        send_after_commit(Task(), 1, on_failure=print)
