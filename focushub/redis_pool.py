"""The process's one Redis connection pool, and the client every FocusHub reader uses.

The cache (and with it the login and signup throttles), the leaderboard store, presence
and the readiness check all talk to REDIS_URL from whatever thread they run in: daphne's
request threads, the relay's lanes, a django-q2 worker. They share one blocking pool
per process, sized for those threads (REDIS_POOL_SIZE in focushub/settings.py), with one
pair of timeouts: a Redis that stops answering costs a caller at most REDIS_TIMEOUT, and
a pool that is momentarily all in use makes the next caller wait as long for a
connection, instead of opening one more. Anything that fails here is a redis.RedisError,
which each caller already treats as "Redis unreachable". redis-py re-creates the pool's
connections in a forked child (a django-q2 worker), so the pool is per process as well.

The channel layer (channels-redis, asyncio) and django-q2's broker keep their own
connections: they are libraries that open their own clients from REDIS_URL.
"""

import threading

import redis
from django.conf import settings

_lock = threading.Lock()
_pool: redis.BlockingConnectionPool | None = None
_client: redis.Redis | None = None


def shared_pool() -> redis.BlockingConnectionPool:
    global _pool
    with _lock:
        if _pool is None:
            _pool = redis.BlockingConnectionPool.from_url(
                settings.REDIS_URL,
                max_connections=settings.REDIS_POOL_SIZE,
                timeout=settings.REDIS_TIMEOUT,
                socket_timeout=settings.REDIS_TIMEOUT,
                socket_connect_timeout=settings.REDIS_TIMEOUT,
            )
        return _pool


def redis_client() -> redis.Redis:
    """The process's client on the shared pool. One for every caller: redis-py's client is
    thread-safe (each command borrows a pool connection), and building one copies its
    table of ~170 reply parsers, which cost a board page read more than the GET it made."""
    global _client
    pool = shared_pool()
    with _lock:
        if _client is None:
            _client = redis.Redis(connection_pool=pool)
        return _client


class CachePool:
    """Django's RedisCache asks its OPTIONS["pool_class"] for a pool with from_url();
    this hands it the shared one, so the cache is not a second pool with other limits."""

    @staticmethod
    def from_url(url: str, **_cache_options: object) -> redis.BlockingConnectionPool:
        return shared_pool()
