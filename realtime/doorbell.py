"""The doorbell: what one process must tell the relays of all processes once something
is committed (docs/realtime.md, "Delivery").

The domain announces commits through focushub.announce; RealtimeConfig.ready registers
`ring` as its listener in every process (daphne, django-q2 workers, manage.py). A ring:
- wakes this process's relay directly (in-process listeners, no I/O);
- when the channel layer spans processes (channels-redis' RedisPubSubChannelLayer in the
  scaled mode), is sent to the RELAYS group on it: one Redis PUBLISH that every daphne
  process's relay receives on its own channel (realtime.subscriber). The in-memory layer
  of the embedded default reaches only its own process, which the direct wake covers.

A ring is a hint for "events" and "board" (relays also poll the log, so a lost ring
costs latency, never data) and an order for "access" (close or narrow one user's
sockets), which the sockets' own token expiry backs up.
"""

import asyncio
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from channels.layers import get_channel_layer
from django.conf import settings

logger = logging.getLogger(__name__)

RELAYS = "focushub.relays"  # the channel-layer group every relay's channel joins
SEND_TIMEOUT = 0.5  # a commit never waits longer than this for Redis
QUIET_AFTER_FAILURE = 1.0  # after a failed send, skip sending briefly instead of stalling

Message = dict[str, Any]
_listeners: list[Callable[[Message], None]] = []
_quiet_until = 0.0


def add_listener(callback: Callable[[Message], None]) -> None:
    """Register an in-process wake-up (thread-safe callable); used by the relay."""
    _listeners.append(callback)


def remove_listener(callback: Callable[[Message], None]) -> None:
    if callback in _listeners:
        _listeners.remove(callback)


def spans_processes() -> bool:
    return "redis" in settings.CHANNEL_LAYERS["default"]["BACKEND"].lower()


class _SenderLoop:
    """One event loop per process, in a daemon thread, that sends rings on the channel
    layer for synchronous callers (request threads, django-q2 workers, manage.py): the
    layer keeps one Redis connection per loop, so every ring of the process reuses it
    instead of opening a loop and a connection per commit. Recreated after a fork (a
    django-q2 worker inherits the loop object but not its thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid = 0

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._pid != os.getpid():
                self._loop, self._pid = asyncio.new_event_loop(), os.getpid()
                threading.Thread(target=self._loop.run_forever, name="doorbell", daemon=True).start()
            return self._loop

    def send(self, message: Message) -> None:
        future = asyncio.run_coroutine_threadsafe(_send(message), self._running_loop())
        future.result(SEND_TIMEOUT + 0.1)


async def _send(message: Message) -> None:
    async with asyncio.timeout(SEND_TIMEOUT):
        await get_channel_layer().group_send(RELAYS, {"type": "relay.ring", "ring": message})


_sender = _SenderLoop()


def ring(message: Message) -> None:
    """Called after commit, in the committing thread; never raises into it."""
    global _quiet_until
    for listener in list(_listeners):
        listener(message)
    if not spans_processes() or time.monotonic() < _quiet_until:
        return
    try:
        _sender.send(message)
    except Exception as exc:  # Redis down or slow: the relays' polling covers events and boards
        _quiet_until = time.monotonic() + QUIET_AFTER_FAILURE
        logger.warning("doorbell: channel layer send failed (%s: %s); relays catch up by polling",
                       type(exc).__name__, exc)
