"""Which store holds board scores: Redis sorted sets when REDIS_URL is set
(focushub.leaderboards.redis_store), BoardScore rows otherwise
(focushub.leaderboards.sql_store). Both answer the same calls: apply, read, rank,
user_replace, drop_boards; the rebuild knows how each one is rebuilt safely."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

from focushub.leaderboards.redis_store import RedisBoards
from focushub.leaderboards.sql_store import SqlBoards

Backend = SqlBoards | RedisBoards
_backend: Backend | None = None


def get_backend() -> Backend:
    global _backend
    if _backend is None:
        _backend = RedisBoards() if settings.REDIS_URL else SqlBoards()
    return _backend


@contextmanager
def backend_override(backend: Backend) -> Iterator[Backend]:
    """Use `backend` in this process for the duration (the benchmark compares both stores
    on one database; tests check the SQL store on PostgreSQL too)."""
    global _backend
    previous, _backend = _backend, backend
    try:
        yield backend
    finally:
        _backend = previous
