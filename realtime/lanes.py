"""Database lanes: one worker thread, and so one database connection, per relay task.

Consumers' ORM calls share channels' single thread-sensitive executor. The relay's tasks
must not queue behind them (a burst of connects would delay every event), nor behind
each other (a board read stalled on a dead Redis must not hold up the event log), so
each task reads through a lane of its own.
"""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from channels.db import database_sync_to_async

T = TypeVar("T")


class DbLane:
    def __init__(self, name: str):
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"realtime-{name}")

    async def __call__(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        run = database_sync_to_async(func, thread_sensitive=False, executor=self.executor)
        return await run(*args, **kwargs)
