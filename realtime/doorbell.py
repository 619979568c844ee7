"""The doorbell: a few bytes saying "something was committed", rung after commit.

The database is the log (focushub.timeline.models.Event); the doorbell only shortens the
wait of each process's relay (realtime.relay), which also polls, so a lost ring costs
latency and never data. Topics: "events" (new timeline rows) and "board" (a leaderboard
changed). Within a process the relay is woken directly; across processes and machines the
ring is one Redis PUBLISH when REDIS_URL is set. See docs/realtime.md.
"""

import logging
import threading
import time
from collections.abc import Callable

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

CHANNEL = "focushub:doorbell"
_listeners: list[Callable[[str], None]] = []
_client: redis.Redis | None = None
_client_lock = threading.Lock()
_quiet_until = 0.0  # after a Redis failure, skip publishing briefly instead of stalling requests


def add_listener(callback: Callable[[str], None]) -> None:
    """Register an in-process wake-up (thread-safe callable); used by the relay."""
    _listeners.append(callback)


def remove_listener(callback: Callable[[str], None]) -> None:
    if callback in _listeners:
        _listeners.remove(callback)


def _redis() -> redis.Redis:
    global _client
    with _client_lock:
        if _client is None:
            _client = redis.Redis.from_url(
                settings.REDIS_URL, socket_timeout=0.5, socket_connect_timeout=0.5
            )
        return _client


def ring(topic: str) -> None:
    global _quiet_until
    for listener in list(_listeners):
        listener(topic)
    if not settings.REDIS_URL or time.monotonic() < _quiet_until:
        return
    try:
        _redis().publish(CHANNEL, topic)
    except redis.RedisError as exc:
        _quiet_until = time.monotonic() + 1.0
        logger.warning("doorbell: Redis publish failed (%s); relays will catch up by polling", exc)
