"""The cross-process half of the doorbell: this process's relay listens on a channel of
its own in the RELAYS group of the channel layer (channels-redis' pub/sub layer: a Redis
SUBSCRIBE), so a commit in any process (another daphne, a django-q2 worker, manage.py)
wakes it. When Redis is down the relay keeps polling the log, and this task joins the
group again with backoff (docs/realtime.md, "Delivery")."""

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from channels.layers import get_channel_layer

from realtime.doorbell import RELAYS, spans_processes

logger = logging.getLogger(__name__)

BACKOFF_FIRST, BACKOFF_MAX = 0.5, 5.0
JOIN_TIMEOUT = 2.0


class DoorbellSubscriber:
    def __init__(self, on_ring: Callable[[dict[str, Any]], None]):
        self.on_ring = on_ring
        self.enabled = spans_processes()
        self._backoff = BACKOFF_FIRST

    async def run(self) -> None:
        """One membership's life: join the group, receive until it breaks, back off."""
        layer = get_channel_layer()
        channel = None
        try:
            async with asyncio.timeout(JOIN_TIMEOUT):
                channel = await layer.new_channel("relay.")
                await layer.group_add(RELAYS, channel)
            logger.info("doorbell: %s joined %s", channel, RELAYS)
            self._backoff = BACKOFF_FIRST
            # Rings sent while we were not listening are lost: look at the log now.
            self.on_ring({"type": "events"})
            self.on_ring({"type": "board"})
            while True:
                message = await layer.receive(channel)
                ring = message.get("ring")
                if isinstance(ring, dict):
                    self.on_ring(ring)
        except (OSError, TimeoutError, ConnectionError) as exc:
            logger.warning("doorbell: channel layer unreachable (%s); retrying in %.1f s", exc, self._backoff)
        except Exception as exc:  # redis.RedisError and its kin, raised through the layer
            logger.warning("doorbell: channel layer failed (%s: %s); retrying in %.1f s",
                           type(exc).__name__, exc, self._backoff)
        finally:
            if channel is not None:
                await _quietly(layer.group_discard(RELAYS, channel))
        await asyncio.sleep(self._backoff)
        self._backoff = min(self._backoff * 2, BACKOFF_MAX)


async def _quietly(step) -> None:
    try:
        async with asyncio.timeout(JOIN_TIMEOUT):
            await step
    except Exception:
        logger.debug("doorbell: error while leaving the group", exc_info=True)
