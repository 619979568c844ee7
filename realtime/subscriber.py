"""The cross-process half of the doorbell: a Redis SUBSCRIBE on "focushub:doorbell" that
wakes this process's relay when any process (another daphne, a django-q2 worker,
manage.py) commits. A ring is only a hint; when Redis is down the relay keeps polling the
log, and this task reconnects with backoff (docs/realtime.md, "Delivery")."""

import asyncio
import logging
from collections.abc import Callable

import redis
import redis.asyncio as aioredis
from django.conf import settings

from realtime.doorbell import CHANNEL

logger = logging.getLogger(__name__)

BACKOFF_FIRST, BACKOFF_MAX = 0.5, 5.0
# redis-py's asyncio pool defaults to 100 connections; this task needs one (the
# subscription) and a spare for reconnects. A bounded, blocking pool waits instead of
# opening connections without limit.
POOL_SIZE = 2


class DoorbellSubscriber:
    def __init__(self, on_ring: Callable[[str], None]):
        self.on_ring = on_ring
        self.enabled = bool(settings.REDIS_URL)
        self._backoff = BACKOFF_FIRST

    async def run(self) -> None:
        """One subscription's life: connect, listen until it breaks, back off."""
        pool = aioredis.BlockingConnectionPool.from_url(
            settings.REDIS_URL, max_connections=POOL_SIZE, timeout=5,
            socket_connect_timeout=2, socket_keepalive=True, health_check_interval=15,
        )
        client = aioredis.Redis(connection_pool=pool)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(CHANNEL)
            logger.info("doorbell: subscribed to %s", CHANNEL)
            self._backoff = BACKOFF_FIRST
            # Rings sent while we were not subscribed are lost: look at the log now.
            self.on_ring("events")
            self.on_ring("board")
            while True:
                message = await pubsub.get_message(timeout=1.0)
                if message is not None and message.get("type") == "message":
                    data = message["data"]
                    self.on_ring(data.decode() if isinstance(data, bytes) else str(data))
        except (redis.RedisError, OSError) as exc:
            logger.warning("doorbell: Redis subscription lost (%s); retrying in %.1f s", exc, self._backoff)
        finally:
            await _quietly(pubsub.aclose())
            await _quietly(client.aclose())
            await _quietly(pool.disconnect())
        await asyncio.sleep(self._backoff)
        self._backoff = min(self._backoff * 2, BACKOFF_MAX)


async def _quietly(closing) -> None:
    try:
        await closing
    except (redis.RedisError, OSError):
        logger.debug("doorbell: error while closing a broken connection", exc_info=True)
