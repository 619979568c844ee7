"""Logging filters for what libraries log while Redis is away.

channels-redis' pub/sub layer logs every failed read of its subscription as an ERROR
with a traceback, once a second, while Redis is unreachable; django-q2's cluster logs a
failed pull from its Redis broker the same way. For FocusHub that is an expected outage
the relay and the cluster already ride out (the relay polls the log, realtime.subscriber
says so in one WARNING; the cluster pulls again), so the filter keeps one WARNING line,
without the traceback, per REPEAT_SECONDS and logger. `only_redis_errors` leaves every
other error of that logger as it is (django-q2 also logs tasks that fail)."""

import logging
import time

import redis

REPEAT_SECONDS = 30.0


class RedisOutage(logging.Filter):
    def __init__(self, only_redis_errors: bool = False) -> None:
        super().__init__()
        self._last = 0.0
        self._only_redis_errors = only_redis_errors

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR or record.exc_info is None:
            return True
        if self._only_redis_errors and not isinstance(record.exc_info[1], (redis.ConnectionError, redis.TimeoutError)):
            return True
        now = time.monotonic()
        if now - self._last < REPEAT_SECONDS:
            return False
        self._last = now
        error = record.exc_info[1]
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.msg, record.args = "Redis unreachable (%s: %s); retrying", (type(error).__name__, error)
        record.exc_info = record.exc_text = None
        return True
