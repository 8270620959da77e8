"""Queueing a task after commit, and saying so plainly when the queue is down.

A task is sent only once the transaction that made its work has committed
(`transaction.on_commit`), so a worker never sees uncommitted rows. If the
broker cannot be reached, the send fails fast (see the broker timeouts in
settings); `on_failure` records that on the object (a report marked failed, a
count marked failed) so that nothing is left waiting for ever, and
`QueueUnavailable` tells the view to say so. The staff member retries with the
page's "build again" / "count again" button once the queue is back.

Tasks are sent with `ignore_result=True`: the site reads a task's outcome from
the object it wrote (a stored count, a built report), never from Celery's
result store. With the Redis result backend a sent task otherwise subscribes
to its result channel first, and with Redis down that subscription retries for
about 20 seconds and then leaves the process unable to send anything until it
is restarted (found by tests/integration/test_outages.py).
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

try:  # the errors a broker outage raises, whichever transport is in use
    from kombu.exceptions import OperationalError as KombuOperationalError
except ImportError:  # pragma: no cover
    KombuOperationalError = OSError
try:
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError
except ImportError:  # pragma: no cover
    RedisConnectionError = RedisTimeoutError = OSError

QUEUE_ERRORS = (KombuOperationalError, RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)


class QueueUnavailable(Exception):
    """The work was saved, but its background task could not be queued."""


def require_own_transactions() -> None:
    """Refuse to run with ATOMIC_REQUESTS on: each service must be its own transaction, committed inside the view.

    `QueueUnavailable` reaches the view only because a request is not one transaction: the view's own
    `transaction.atomic()` block (`congress.responses.act`) commits, the send runs, and the view says the queue is
    down. With ATOMIC_REQUESTS the send would run after the view has answered, and the error would be a 500; and a
    refused action would roll back only with the whole request.
    """
    if transaction.get_connection().settings_dict.get("ATOMIC_REQUESTS"):
        raise ImproperlyConfigured("congress needs ATOMIC_REQUESTS = False (see congress/settings.py).")


def send_after_commit(task, *args, on_failure) -> None:
    """Send `task(*args)` once the current transaction commits; `on_failure(error)` if the queue is unreachable
    (then `QueueUnavailable` is raised where that transaction commits: see `require_own_transactions`)."""
    require_own_transactions()

    def run():
        try:
            task.apply_async(args, ignore_result=True)
        except QUEUE_ERRORS as exc:
            on_failure(str(exc) or exc.__class__.__name__)
            raise QueueUnavailable(str(exc)) from exc

    transaction.on_commit(run)
