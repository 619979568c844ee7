"""Database lanes: one worker thread, and so one database connection, per relay task.

Consumers' ORM calls share channels' single thread-sensitive executor. The relay's tasks
must not queue behind them (a burst of connects would delay every event), nor behind
each other (a board read stalled on a dead Redis must not hold up the event log), so
each task reads through a lane of its own.

Everything a lane reads reacts to a commit it was told about (an event to deliver, a
board to re-read), so it reads the primary, even through a selector a read replica may
serve (focushub/replicas.py): a replica a moment behind would not hold that commit yet.
"""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from channels.db import database_sync_to_async

from focushub.replicas import primary_reads

T = TypeVar("T")


class DbLane:
    def __init__(self, name: str):
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"realtime-{name}")

    async def __call__(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        run = database_sync_to_async(_on_primary, thread_sensitive=False, executor=self.executor)
        return await run(func, *args, **kwargs)


def _on_primary(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    with primary_reads():
        return func(*args, **kwargs)
