"""The cache degrades to "no cache" while Redis is down: no error reaches the page, and a dead server is not asked
again on every call (tested against a port where nothing listens)."""

import socket
import time

import pytest
from django.core.cache.backends.redis import RedisCache

from congress import cache as resilient


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: nothing listens there


@pytest.fixture
def dead_cache():
    url = f"redis://127.0.0.1:{closed_port()}/0"
    resilient._down_until.pop(url, None)
    params = {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}
    yield resilient.ResilientRedisCache(url, params), RedisCache(url, params)
    resilient._down_until.pop(url, None)


def test_every_call_answers_as_a_miss_while_redis_is_down(dead_cache):
    cache, plain = dead_cache
    with pytest.raises(Exception, match="(?i)connect"):  # the control: Django's own backend raises
        plain.get("k")
    assert cache.get("k", "fallback") == "fallback"
    assert cache.add("k", 1) is False
    assert cache.set("k", 1) is None
    assert cache.get_many(["a", "b"]) == {}
    assert cache.has_key("k") is False
    assert cache.delete("k") is False
    assert cache.set_many({"a": 1}) == ["a"]
    with pytest.raises(ValueError):  # what an absent key raises; django-ratelimit then fails open
        cache.incr("k")


def test_a_dead_server_is_left_alone_for_a_few_seconds(dead_cache, monkeypatch):
    cache, _ = dead_cache
    calls = []
    real = RedisCache.get

    def counting_get(self, *args, **kwargs):
        calls.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(RedisCache, "get", counting_get)
    for _ in range(20):
        cache.get("k")
    assert len(calls) == 1
    monkeypatch.setattr(resilient, "RETRY_AFTER_SECONDS", 0.0)
    resilient._down_until[",".join(cache._servers)] = time.monotonic() - 1
    cache.get("k")
    assert len(calls) == 2  # tried again once the pause is over
