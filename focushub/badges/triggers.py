"""Queue a badge check once a change is committed (docs/gamification.md: evaluated by a
django-q2 task after each time-entry change). The change is already saved, so a queue that cannot be
reached (Redis down) is one WARNING rather than a 500 for a request that succeeded; the
scheduled sweep (focushub.badges.services.badges_sweep) makes the lost check up."""

import functools
import logging

from django.db import transaction
from django_q.brokers import Broker, get_broker
from django_q.tasks import async_task

logger = logging.getLogger(__name__)


@functools.cache
def _broker() -> Broker:
    """The process's one broker. Given none, django-q2 builds one per task, and its Redis
    broker is a new client with a pool of its own each time: a TCP connect, a HELLO and a
    read of the library's version from disk on every start, stop and manual entry, ~15 %
    of their CPU (bench/README.md, "Profile of the hot paths"). One is safe to share:
    redis-py's client is thread-safe and reconnects after a fork or a Redis restart, and
    the ORM broker takes the calling thread's connection at each enqueue."""
    return get_broker()


def _enqueue(user_id: int, entry_id: int | None) -> None:
    try:
        async_task("workers.tasks.badges_evaluate", user_id, entry_id, broker=_broker())
    except Exception as exc:  # the broker's own errors (redis, database) have no common base
        logger.warning("badge check for user %s not queued (%s: %s); the next sweep makes it up",
                       user_id, type(exc).__name__, exc)


def badges_check_after_commit(user_id: int, entry_id: int | None = None) -> None:
    transaction.on_commit(lambda: _enqueue(user_id, entry_id))
