"""The one way a service opens its transaction (lock order: focushub/projects/locks.py;
reasons: docs/concurrency.md).

`@service` replaces `@transaction.atomic` on every service that writes. As the outermost
transaction it:
1. runs foreign-key checks immediately (`SET CONSTRAINTS ALL IMMEDIATE`, PostgreSQL):
   Django declares its foreign keys DEFERRABLE INITIALLY DEFERRED, so without this the
   KEY SHARE locks those checks take would all be taken at COMMIT, after every other lock
   of the transaction, out of the lock order;
2. starts the transaction's lock ledger, which the lock functions consult to refuse a
   lock taken out of order (a programming error, raised as LockOrderError);
3. retries the whole transaction when the database aborts it as a deadlock victim or
   for a serialization failure (or SQLite reports the database locked): bounded, logged
   as a WARNING and counted, so a user never sees one as a 500. The lock order makes
   deadlocks impossible among our own services; the retry is the last line for anything
   outside them (an operator's manual transaction, the admin, a future bug).
Nested inside another service it is a plain savepoint: only the outermost one retries.
"""

import functools
import logging
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ParamSpec, TypeVar

from django.db import OperationalError, transaction

logger = logging.getLogger(__name__)

ATTEMPTS = 4
BACKOFF = 0.02  # seconds, doubled per attempt, with jitter
TRANSIENT_SQLSTATES = {"40P01", "40001"}  # deadlock_detected, serialization_failure

P = ParamSpec("P")
R = TypeVar("R")

retries: Counter[str] = Counter()  # service name -> transactions retried in this process


class LockOrderError(RuntimeError):
    """A service asked for a lock out of the documented order."""


@dataclass
class LockLedger:
    """What the current service transaction has locked so far."""

    users: set[int] = field(default_factory=set)
    beyond_users: bool = False  # a project (or any later) lock was taken


def current_ledger() -> LockLedger:
    ledger = getattr(transaction.get_connection(), "focushub_ledger", None)
    if ledger is None:
        raise LockOrderError("row locks are taken only inside a @service transaction")
    return ledger


def transient(exc: OperationalError) -> bool:
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) in TRANSIENT_SQLSTATES:
        return True
    return "database is locked" in str(exc)


def service(func: Callable[P, R]) -> Callable[P, R]:
    name = f"{func.__module__}.{func.__qualname__}"

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        connection = transaction.get_connection()
        if connection.in_atomic_block:
            # Inside a service: a savepoint sharing its ledger. Inside some other
            # transaction (a test, a shell): this service starts the ledger.
            owner = getattr(connection, "focushub_ledger", None) is None
            if owner:
                connection.focushub_ledger = LockLedger()
            try:
                with transaction.atomic():
                    return func(*args, **kwargs)
            finally:
                if owner:
                    connection.focushub_ledger = None
        attempt = 0
        while True:
            attempt += 1
            try:
                with transaction.atomic():
                    connection.focushub_ledger = LockLedger()
                    if connection.vendor == "postgresql":
                        with connection.cursor() as cursor:
                            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    return func(*args, **kwargs)
            except OperationalError as exc:
                if not transient(exc) or attempt == ATTEMPTS:
                    raise
                retries[name] += 1
                delay = BACKOFF * 2 ** (attempt - 1) * (0.5 + random.random())
                logger.warning("%s: transaction aborted (%s); retry %d in %.0f ms",
                               name, str(exc).splitlines()[0], attempt, delay * 1000)
                time.sleep(delay)
            finally:
                connection.focushub_ledger = None

    return run
