"""Read replicas: the one place that decides which reads a PostgreSQL streaming replica
may serve (README.md, "Configuration": DATABASE_REPLICA_URL, DATABASE_REPLICA_MAX_LAG;
docs/deploy.md, "Read replicas").

A read goes to a replica only when all of these hold, and reads the primary otherwise:
1. it runs inside a function marked `@lag_tolerant`: a heavy read whose reader accepts
   being up to DATABASE_REPLICA_MAX_LAG seconds behind (the list is in docs/deploy.md).
   Unmarked reads need no exception to stay on the primary: the caller's own entries
   right after a change, the event log the relay and `since` replay read, everything;
2. no transaction is open on the primary: a service reads what it is changing;
3. it is not made under `primary_reads()`: a read that reacts to a commit it was told
   about must see that commit (the websocket lanes, realtime/lanes.py);
4. a replica is known to hold everything committed more than DATABASE_REPLICA_MAX_LAG
   seconds ago, is in recovery, and answers (`_Health` below).
A replica that fails a marked read is bypassed and the read runs again on the primary,
so a stopped replica costs its readers nothing but the time of the failed attempt.
"""

import contextlib
import functools
import logging
import os
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

CHECK_INTERVAL = 1.0  # seconds between two checks of the replicas, per process
CONNECT_TIMEOUT = 1  # seconds a check waits for a replica (or the primary) to answer

# The replica aliases the settings define (replica_1, replica_2, ...); none without
# DATABASE_REPLICA_URL, and then every function below is a plain call.
REPLICAS = tuple(alias for alias in settings.DATABASES if alias.startswith("replica_"))

# Where the reads of the current marked call go: a replica's alias, PRIMARY, or None
# outside any mark. A context variable, so it follows a request into sync_to_async's
# thread and never leaks into the next request a thread serves.
PRIMARY = DEFAULT_DB_ALIAS
_reading: ContextVar[str | None] = ContextVar("focushub_replica_reads", default=None)


class ReplicaRouter:
    """DATABASE_ROUTERS: reads to the replica chosen for the current marked call, while no
    transaction is open on the primary; everything else, writes and migrations to it."""

    def db_for_read(self, model, **hints) -> str:
        alias = _reading.get()
        if alias is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return alias

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # a replica holds the primary's rows

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS  # a replica replays the primary's schema


@contextlib.contextmanager
def _reads_from(alias: str) -> Iterator[None]:
    token = _reading.set(alias)
    try:
        yield
    finally:
        _reading.reset(token)


def primary_reads() -> contextlib.AbstractContextManager[None]:
    """Everything read inside reads the primary, marked or not: for readers that react to
    a commit they were told about, which a lagging replica may not hold yet."""
    return _reads_from(PRIMARY)


def lag_tolerant(func: Callable[P, R]) -> Callable[P, R]:
    """Mark a read that may be served by a healthy replica. The function must finish its
    reading before it returns (a QuerySet it returns unevaluated is read where it is
    evaluated, on the primary), and may run twice: once on a replica that fails, then on
    the primary. A mark inside a mark, or inside primary_reads(), changes nothing."""

    @functools.wraps(func)
    def read(*args: P.args, **kwargs: P.kwargs) -> R:
        if not REPLICAS or _reading.get() is not None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return func(*args, **kwargs)
        alias = health.choose()
        if alias is None:
            with primary_reads():
                return func(*args, **kwargs)
        replica = connections[alias]
        # Django flags the connection a database error came through; a closed one starts clean.
        flagged_before = replica.errors_occurred and replica.connection is not None
        try:
            with _reads_from(alias):
                return func(*args, **kwargs)
        except (OperationalError, InterfaceError) as exc:
            if flagged_before or not replica.errors_occurred:
                raise  # not the replica's failure: nothing to fall back from
            health.failed(alias, exc)
            with contextlib.suppress(DatabaseError):
                replica.close()  # a new connection next time, once it is back
        with primary_reads():
            return func(*args, **kwargs)

    return read


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


@dataclass
class _Replica:
    alias: str
    in_use: bool | None = None  # None: not checked yet in this process
    # time.monotonic() before which everything committed on the primary is on the replica
    holds_until: float = float("-inf")

    def serves(self, now: float) -> bool:
        return bool(self.in_use) and now - self.holds_until <= settings.DATABASE_REPLICA_MAX_LAG


class _Health:
    """Which replicas may serve reads now, per process, checked at most once a second by a
    thread of its own (so no request waits for a check).

    The lag is measured in time, from the primary's WAL position: each check samples
    (now, pg_current_wal_lsn()) on the primary, then reads the replica's
    pg_last_wal_replay_lsn(). The replica holds everything committed before the newest
    sample whose position it has replayed, so its staleness is at most now minus that
    sample's time. That bound keeps growing between checks, so a replica that stops
    replaying is bypassed once it passes DATABASE_REPLICA_MAX_LAG even if no check runs.
    A state change is logged once (WARNING when bypassed, INFO when used), never per read.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.replicas = {alias: _Replica(alias) for alias in REPLICAS}
        self.samples: deque[tuple[float, int]] = deque()  # (monotonic time, primary WAL position)
        self.pid: int | None = None

    def choose(self) -> str | None:
        """A replica that may serve a read now (chosen at random among them), or None."""
        self._keep_checking()
        now = time.monotonic()
        serving = [replica.alias for replica in self.replicas.values() if replica.serves(now)]
        return random.choice(serving) if serving else None

    def failed(self, alias: str, exc: Exception) -> None:
        self._set(alias, False, f"a read failed ({_first_line(exc)})")

    def _keep_checking(self) -> None:
        # Started on the first marked read of each process (django-q2 forks its workers,
        # and a thread does not survive a fork).
        if self.pid == os.getpid():
            return
        with self.lock:
            if self.pid != os.getpid():
                self.pid = os.getpid()
                threading.Thread(target=self._run, name="replica-health", daemon=True).start()

    def _run(self) -> None:
        while True:
            started = time.monotonic()
            try:
                self.check()
            except Exception:  # a bug here must not end the checks; the read path stays safe
                logger.exception("read replica check failed")
            time.sleep(max(0.0, CHECK_INTERVAL - (time.monotonic() - started)))

    def check(self) -> None:
        sampled_at = time.monotonic()  # before asking: what was committed by now is at or below the answer
        try:
            position = self._ask(DEFAULT_DB_ALIAS, "SELECT (pg_current_wal_lsn() - '0/0')::bigint")[0]
        except psycopg.Error:
            position = None  # the primary is away: no new sample, so the bounds only age
        if position is not None:
            self.samples.append((sampled_at, position))
        while self.samples and self.samples[0][0] < sampled_at - settings.DATABASE_REPLICA_MAX_LAG - CHECK_INTERVAL:
            self.samples.popleft()
        for alias, replica in self.replicas.items():
            try:
                recovering, replayed = self._ask(
                    alias, "SELECT pg_is_in_recovery(), (pg_last_wal_replay_lsn() - '0/0')::bigint"
                )
            except psycopg.Error as exc:
                self._set(alias, False, f"it cannot be reached ({_first_line(exc)})")
                continue
            if not recovering:
                self._set(alias, False, "it is not in recovery (not a streaming replica)")
                continue
            held = [at for at, lsn in self.samples if lsn <= replayed]
            if held:
                replica.holds_until = max(replica.holds_until, held[-1])
            behind = time.monotonic() - replica.holds_until
            if behind > settings.DATABASE_REPLICA_MAX_LAG:
                self._set(alias, False, f"it is more than {settings.DATABASE_REPLICA_MAX_LAG:g} s behind the primary "
                                        "(DATABASE_REPLICA_MAX_LAG)")
            else:
                self._set(alias, True, f"{behind:.1f} s behind the primary at most")

    @staticmethod
    def _ask(alias: str, sql: str) -> tuple:
        params = {**connections[alias].get_connection_params(), "connect_timeout": CONNECT_TIMEOUT, "autocommit": True}
        with psycopg.connect(**params) as conn:
            return conn.execute(sql).fetchone()

    def _set(self, alias: str, in_use: bool, reason: str) -> None:
        with self.lock:
            replica = self.replicas[alias]
            changed, replica.in_use = replica.in_use != in_use, in_use
        if changed and in_use:
            logger.info("read replica %s in use (%s)", alias, reason)
        elif changed:
            logger.warning("read replica %s bypassed, its reads go to the primary: %s", alias, reason)


health = _Health()
