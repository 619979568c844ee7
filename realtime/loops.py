"""The shape every relay task shares: a guarded step run forever, a wait that ends on a
wake-up or a timeout, and one encoded frame written to many sockets."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import redis
from django.db import DatabaseError

from focushub.errors import ApplicationError

logger = logging.getLogger("realtime.relay")


async def wait_for_wake(event: asyncio.Event, timeout: float) -> None:
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(timeout):
            await event.wait()
    event.clear()


async def run_forever(name: str, step: Callable[[], Awaitable[None]]) -> None:
    """Run one task's step in a loop that survives anything but cancellation: the relay
    must never die, whatever the database, Redis or a socket does."""
    while True:
        try:
            await step()
        except asyncio.CancelledError:
            raise
        except (redis.RedisError, DatabaseError, ApplicationError) as exc:
            # An outage (a store unreachable, answered as the domain's 503), not a bug:
            # one line, no traceback; the next iteration retries.
            logger.warning("realtime %s: %s: %s; retrying in 1 s", name, type(exc).__name__, exc)
            await asyncio.sleep(1)
        except Exception:
            logger.exception("realtime %s: iteration failed; retrying in 1 s", name)
            await asyncio.sleep(1)


YIELD_EVERY = 256


async def send_all(consumers: Iterable[Any], seq: int | None, frame: str) -> None:
    """Write one encoded frame to many sockets; one broken socket never stops the rest.

    Yields to the event loop every few hundred sockets: Twisted only puts buffered
    writes on the wire when the loop runs, so the first spectators receive while the
    rest are still being written, and nothing else waits for a whole 10 k fan-out.
    (Callers take their recipient list and advance their cursor first, so a socket that
    attaches meanwhile is never skipped nor served twice.)"""
    for count, consumer in enumerate(consumers, 1):
        try:
            await consumer.deliver(seq, frame)
        except Exception:
            logger.debug("realtime: a write to a closing socket failed", exc_info=True)
        if count % YIELD_EVERY == 0:
            await asyncio.sleep(0)
