"""Live updates (the hall screen and the chair's console): "this topic changed", published after commit.

Across processes through Redis pub/sub when REDIS_URL is set; always also to listeners in this process, which is
all there is on SQLite with Celery eager (`make run`). A message carries no content, only the topic and the time
it was sent; a listener reads the state again itself. Publishing never holds up or fails a write: it runs after
commit, with a short socket timeout, and after a failure Redis is left alone for a few seconds (the screens poll
meanwhile). See the README, "Deployment: the hall screen's push endpoint (ASGI)".
"""

from __future__ import annotations

import asyncio
import json
import threading
import time

from django.conf import settings
from django.db import transaction

PREFIX = "renda:push:"
REST_AFTER_FAILURE = 5.0
_state = {"down_until": 0.0, "client": None, "url": None}
_local: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Queue]]] = {}
_lock = threading.Lock()


class PushUnavailable(Exception):
    """The push channel (Redis) cannot be reached: the screen polls instead."""


def poll_topic(poll_id: int) -> str:
    return f"poll:{poll_id}"


def meeting_topic(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


def publish(topic: str) -> None:
    """Tell the listeners of `topic` that it changed, once the current transaction commits."""
    transaction.on_commit(lambda: send(topic))


def _redis():
    import redis  # used only with REDIS_URL set; in-process push (SQLite, `make run`) needs no Redis client

    if _state["client"] is None or _state["url"] != settings.REDIS_URL:  # settings may change (tests, bench)
        _state["client"] = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=0.5, socket_connect_timeout=0.5)
        _state["url"] = settings.REDIS_URL
    return _state["client"]


def send(topic: str) -> None:
    message = json.dumps({"topic": topic, "at": time.time()})
    with _lock:
        listeners = list(_local.get(topic, ()))
    for loop, queue in listeners:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, message)
        except RuntimeError:  # that listener's loop has closed
            continue
    if settings.REDIS_URL and time.monotonic() >= _state["down_until"]:
        try:
            _redis().publish(PREFIX + topic, message)
        except Exception:  # noqa: BLE001  # any Redis failure: the write stands, the screens poll for a while
            _state["down_until"] = time.monotonic() + REST_AFTER_FAILURE


def redis_down() -> bool:
    return bool(settings.REDIS_URL) and time.monotonic() < _state["down_until"]


class Listener:
    """An async listener of some topics: `await listener.wait(timeout)` gives the messages that came (or [])."""

    def __init__(self):
        self.queue: asyncio.Queue = asyncio.Queue()
        self.loop = asyncio.get_running_loop()
        self.topics: set[str] = set()
        self.pubsub = None
        self.client = None
        self.reader: asyncio.Task | None = None

    @classmethod
    async def start(cls, topics) -> Listener:
        listener = cls()
        if settings.REDIS_URL:
            import redis.asyncio as aioredis  # only with REDIS_URL set, as in _redis()

            listener.client = aioredis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=0.5)
            listener.pubsub = listener.client.pubsub()
            try:
                await listener.pubsub.ping()
            except Exception as exc:
                await listener.close()
                raise PushUnavailable from exc
            listener.reader = asyncio.create_task(listener._read())
        await listener.follow(set(topics))
        return listener

    async def follow(self, topics: set[str]) -> None:
        """Listen to exactly these topics from now on."""
        added, removed = topics - self.topics, self.topics - topics
        with _lock:
            for t in added:
                _local.setdefault(t, set()).add((self.loop, self.queue))
            for t in removed:
                _local.get(t, set()).discard((self.loop, self.queue))
        if self.pubsub is not None:
            if added:
                await self.pubsub.subscribe(*(PREFIX + t for t in added))
            if removed:
                await self.pubsub.unsubscribe(*(PREFIX + t for t in removed))
        self.topics = set(topics)

    async def _read(self) -> None:
        try:
            while True:
                if not self.pubsub.subscribed:
                    await asyncio.sleep(0.05)
                    continue
                message = await self.pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                if message is not None:
                    self.queue.put_nowait(message["data"].decode())
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001  # Redis went away: wake the stream so that it ends and the screen polls
            self.queue.put_nowait(None)

    async def wait(self, timeout: float) -> list[str]:
        """Messages that arrived within `timeout` seconds (all that are waiting once one came); raises
        PushUnavailable when Redis dropped the connection."""
        try:
            first = await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return []
        messages = [first]
        while not self.queue.empty():
            messages.append(self.queue.get_nowait())
        if None in messages:
            raise PushUnavailable
        return messages

    async def close(self) -> None:
        with _lock:
            for t in self.topics:
                _local.get(t, set()).discard((self.loop, self.queue))
        if self.reader is not None:
            self.reader.cancel()
        if self.pubsub is not None:
            try:
                await self.pubsub.aclose()
                await self.client.aclose()
            except Exception:  # noqa: BLE001,S110  # nosec B110  # closing a connection that is already gone
                pass
