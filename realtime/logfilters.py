"""Logging filters for what libraries under the realtime door log.

channels-redis' pub/sub layer logs every failed read of its subscription as an ERROR
with a traceback, once a second, while Redis is unreachable. For FocusHub that is an
expected outage the relay already handles (it polls the log; realtime.subscriber says so
in one WARNING), so the filter keeps one WARNING line, without the traceback, per
REPEAT_SECONDS."""

import logging
import time

REPEAT_SECONDS = 30.0


class RedisOutage(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self._last = 0.0

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR or record.exc_info is None:
            return True
        now = time.monotonic()
        if now - self._last < REPEAT_SECONDS:
            return False
        self._last = now
        error = record.exc_info[1]
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.msg, record.args = "channel layer: Redis unreachable (%s: %s); retrying", (type(error).__name__, error)
        record.exc_info = record.exc_text = None
        return True
