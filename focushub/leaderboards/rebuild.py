"""Healing and expiring boards (docs/leaderboards.md). The workers schedule both functions:
boards_rebuild_current every 10 minutes, boards_roll_over daily.

The rebuild recomputes every current board (each metric x period, globally and for every
project with time in the period) from the database with GROUP BY (focushub.leaderboards
.sources) and makes the store agree, without ever losing or double-counting a change that
commits while it runs. How depends on the store (docs/leaderboards.md):

- SQL: writers change rollups and board rows in one transaction, so one FULL OUTER JOIN
  of the aggregates against the stored rows finds exactly the drifted users. Only they
  are rewritten, each under the same user-row lock the writers take. A healthy board
  costs one read and no write.
- Redis: increments land after commit, so a snapshot read can neither see nor exclude
  them by locking. The rebuild claims a marker (writers then journal their increments with
  their transaction id), reads all aggregates in ONE repeatable-read snapshot, builds each
  board under a temporary key and swaps it in with a Lua script that replays the journaled
  increments the snapshot did not include. Increments that arrive after the swap are
  skipped if the snapshot already counted them.
"""

import logging
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby, islice
from operator import itemgetter

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from focushub.accounts.models import User
from focushub.announce import announce
from focushub.leaderboards.backends import Backend, get_backend
from focushub.leaderboards.boards import Family, current_families
from focushub.leaderboards.redis_store import RedisBoards
from focushub.leaderboards.services import scores_resync_user
from focushub.leaderboards.sources import family_scores
from focushub.leaderboards.sql_store import SqlBoards
from focushub.projects.locks import users_lock
from focushub.transactions import service

logger = logging.getLogger(__name__)

FIX_BATCH = 500  # users locked and rewritten per transaction when SQL boards drifted
READ_CHUNK = 10_000


@dataclass(frozen=True)
class RebuildResult:
    store: str
    boards: int  # boards replaced (Redis) or checked (SQL)
    users_fixed: int  # users whose stored rows were corrected (SQL)
    skipped: bool = False  # another process was already rebuilding (Redis)


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _scopes(family: Family) -> tuple[bool, ...]:
    """False: the global board; True: every project board (time only)."""
    return (False, True) if family.scoped else (False,)


# ---- SQL ----


@service
def _sql_fix(backend: SqlBoards, family: Family, user_ids: list[int]) -> None:
    # The writers' lock (the user's row, lock order: focushub/projects/locks.py), so we
    # wait for a writer half-way and never deadlock with one.
    users_lock(user_ids)
    scores: dict[tuple[str, int], int] = {}
    for projects in _scopes(family):
        for board, user_id, score in family_scores(family, projects=projects, user_ids=user_ids):
            scores[(board, user_id)] = int(score)
    backend.family_set(family.prefix, user_ids, scores)


def _rebuild_sql(backend: SqlBoards, families: list[Family]) -> RebuildResult:
    boards = fixed = 0
    for family in families:
        for projects in _scopes(family):
            stored = Q(board__startswith=family.prefix + "p") if projects else Q(board=family.board_key(None))
            fresh = family_scores(family, projects=projects).order_by().query.sql_with_params()
            drifted = sorted(backend.drifted_users(stored, fresh))
            for batch in _chunks(drifted, FIX_BATCH):
                _sql_fix(backend, family, batch)
            boards += 1
            fixed += len(drifted)
    if fixed:
        logger.warning("leaderboard rebuild corrected %d drifted user score(s)", fixed)
    return RebuildResult(backend.name, boards, fixed)


# ---- Redis ----


def _snapshot_id() -> str:
    """Pin this (outermost) transaction to one snapshot and name it, so the swap knows
    which writers it already counted. SQLite has no transaction ids: '' makes the swap
    replay every journaled increment, which double-counts only one that committed in the
    instant between the marker and the first read (until the next rebuild), in the
    unusual SQLite-with-Redis setup."""
    if connection.vendor != "postgresql":
        return ""
    with connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT pg_current_snapshot()::text")
        return cursor.fetchone()[0]


def _rebuild_redis(backend: RedisBoards, families: list[Family]) -> RebuildResult:
    token = backend.rebuild_begin()
    if token is None:
        logger.info("leaderboard rebuild skipped: another process is rebuilding")
        return RebuildResult(backend.name, 0, 0, skipped=True)
    boards = 0
    # The marker exists before the snapshot is taken, so every increment the snapshot
    # misses is journaled. A nested call cannot pin a snapshot and falls back to ''.
    nested = connection.in_atomic_block
    try:
        with transaction.atomic() if connection.vendor == "postgresql" and not nested else nullcontext():
            snapshot = "" if nested else _snapshot_id()
            for family in families:
                built: set[str] = set()
                for projects in _scopes(family):
                    rows = family_scores(family, projects=projects).iterator(chunk_size=READ_CHUNK)
                    for board, group in groupby(rows, key=itemgetter(0)):
                        scores = ((user_id, int(score)) for _, user_id, score in group)
                        backend.rebuild_board(board, scores, snapshot=snapshot, token=token)
                        built.add(board)
                # Boards nobody scores on any more (or that only drift put there) empty out.
                for board in backend.boards_under(family.prefix) - built:
                    backend.rebuild_board(board, (), snapshot=snapshot, token=token)
                    built.add(board)
                boards += len(built)
    finally:
        dirty = backend.rebuild_finish(token)
    backend.mark_complete()
    for user in User.objects.filter(pk__in=dirty):
        scores_resync_user(user=user)
    return RebuildResult(backend.name, boards, 0)


def boards_rebuild_current(now: datetime | None = None, *, backend: Backend | None = None) -> RebuildResult:
    """Make every current board agree with the database; safe beside live writers and
    beside another rebuild. Run it outside a transaction."""
    backend = backend or get_backend()
    families = current_families(now or timezone.now())
    rebuild = _rebuild_redis if isinstance(backend, RedisBoards) else _rebuild_sql
    result = rebuild(backend, families)
    if result.boards:
        announce({"type": "board"})
    return result


def boards_roll_over(now: datetime | None = None, *, backend: Backend | None = None) -> int:
    """Delete the boards of past days, weeks and months; all-time boards stay. Returns how
    many boards (Redis) or rows (SQL) were dropped."""
    keep = tuple(family.prefix for family in current_families(now or timezone.now()))
    return (backend or get_backend()).drop_boards(keep)
