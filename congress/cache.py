"""The caches: Redis, degrading to "no cache" while Redis is down; without Redis, rate-limit counters in the database.

Nothing this site keeps in the cache is needed to serve a request: sessions,
sign-in lockouts (django-axes) and ballots are in the database. The cache
holds only the public forms' rate-limit counters and, for a few minutes, whether an
account signs in for a handling unit (the nav's link; deputies.predicates.shows_unit_queue). So a Redis outage must cost
at most the cache, never a resident's opinion or a deputy's vote: every call
that cannot reach Redis answers as a miss (or a failed `add`/`incr`), logs one
warning, and Redis is left alone for a few seconds before it is tried again,
so a dead or unreachable server costs one short timeout, not one per call.
"""

import logging
import time

from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import connections, models, router, transaction
from django.utils.timezone import now as tz_now
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)
RETRY_AFTER_SECONDS = 5.0
_down_until: dict[str, float] = {}  # per server location, shared by the threads of a process


class ResilientRedisCache(RedisCache):
    def _guarded(self, default, name, *args, **kwargs):
        key = ",".join(self._servers)
        if time.monotonic() < _down_until.get(key, 0.0):
            return default() if callable(default) else default
        try:
            return getattr(super(), name)(*args, **kwargs)
        except REDIS_DOWN as exc:
            _down_until[key] = time.monotonic() + RETRY_AFTER_SECONDS
            logger.warning("cache unreachable (%s: %s); going on without it", exc.__class__.__name__, exc)
            return default() if callable(default) else default

    def get(self, key, default=None, version=None):
        return self._guarded(default, "get", key, default, version)

    def get_many(self, keys, version=None):
        return self._guarded(dict, "get_many", keys, version)

    def has_key(self, key, version=None):
        return self._guarded(False, "has_key", key, version)

    def add(self, key, value, timeout=None, version=None):
        return self._guarded(False, "add", key, value, timeout, version)

    def set(self, key, value, timeout=None, version=None):
        return self._guarded(None, "set", key, value, timeout, version)

    def set_many(self, data, timeout=None, version=None):
        return self._guarded(lambda: list(data), "set_many", data, timeout, version)

    def touch(self, key, timeout=None, version=None):
        return self._guarded(False, "touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._guarded(False, "delete", key, version)

    def delete_many(self, keys, version=None):
        return self._guarded(None, "delete_many", keys, version)

    def clear(self):
        return self._guarded(False, "clear")

    def incr(self, key, delta=1, version=None):
        def missing():  # what Django's caches raise for an absent key; rate limiting then lets the request through
            raise ValueError(f"Key '{key}' not found (cache unreachable)")

        return self._guarded(missing, "incr", key, delta, version)


# --- Rate-limit counters without Redis ------------------------------------------------------------------------------

RATELIMIT_TABLE = "congress_ratelimit_cache"  # made by migration congress 0004; `createcachetable` makes it too


class SharedCounterCache(DatabaseCache):
    """Rate-limit counters in the database, shared by every web process, for a site without Redis.

    Django's DatabaseCache increments by get-then-set, which loses concurrent increments and, worse, resets the
    entry's expiry to the default timeout: a counter for an hour's window would vanish five minutes after its last
    hit. Here an increment holds the row (SELECT … FOR UPDATE on PostgreSQL; the write lock SQLite takes at BEGIN
    IMMEDIATE, which the settings ask for) and keeps its expiry.
    """

    def incr(self, key, delta=1, version=None):
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        qn = connection.ops.quote_name
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        made = self.make_and_validate_key(key, version=version)
        with transaction.atomic(using=db):
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {qn('expires')} FROM {qn(self._table)} WHERE {qn('cache_key')} = %s{lock}",  # nosec B608  # noqa: S608 -- quoted names; the key is a parameter
                    [made])
                row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            expires = row[0]
            expression = models.Expression(output_field=models.DateTimeField())
            for converter in connection.ops.get_db_converters(expression) + expression.get_db_converters(connection):
                expires = converter(expires, expression, connection)
            remaining = (expires - tz_now()).total_seconds()
            value = self.get(key, self._missing_key, version=version)
            if value is self._missing_key or remaining <= 0:
                raise ValueError(f"Key '{key}' not found")
            value += delta
            self.set(key, value, timeout=max(1, int(remaining + 0.999)), version=version)
        return value
