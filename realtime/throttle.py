"""Per-connection flood control for client messages (docs/realtime.md, "Limits")."""

import time
from collections.abc import Callable


class TokenBucket:
    """`rate` messages a second on average, bursts up to `burst`. Refilled lazily on each
    take, so an idle socket costs nothing."""

    __slots__ = ("burst", "clock", "rate", "stamp", "tokens")

    def __init__(self, *, rate: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.tokens = float(burst)
        self.stamp = clock()

    def take(self) -> bool:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False
