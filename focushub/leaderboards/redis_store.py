"""Board scores in Redis sorted sets: the store when REDIS_URL is set.

Reads are one Lua call: ZREVRANGE plus ZCOUNTs, O(log N + page) at any depth. Increments
are sent after the writer's commit (a rolled-back change never reaches Redis) with the
writer's transaction id, so a rebuild racing them neither loses nor double-counts one:
see focushub.leaderboards.redis_lua and docs/leaderboards.md. If Redis is unreachable an
increment is logged and dropped; the scheduled rebuild puts it back.
"""

import logging
import threading
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import islice

import redis
from django.db import connection, transaction

from focushub.errors import ApplicationError
from focushub.leaderboards import redis_lua
from focushub.leaderboards.ranking import Row, rank_page
from focushub.redis_pool import redis_client

logger = logging.getLogger(__name__)

KEY_PREFIX = "fh:lb:"
BUILDING = "fh:lb-rebuilding"  # held (SET NX) by the one running rebuild; writers journal while it exists
DIRTY_USERS = "fh:lb-resync"  # users re-synced during a rebuild: re-synced again once it ends
SNAP_PREFIX = "fh:lb-snap:"
JOURNAL_PREFIX = "fh:lb-journal:"
TMP_PREFIX = "fh:lb-tmp:"
# A period board outlives its period a little (roll-over deletes it first); the TTL is the
# safety net should the daily job not run.
PERIOD_TTL_SECONDS = {"day": 3 * 86400, "week": 15 * 86400, "month": 63 * 86400}
BUILDING_TTL = 900  # refreshed after every board, so only a crashed rebuild lets it lapse
SIDE_KEY_TTL = 3600  # journals, snapshots and half-built boards clean themselves up
CHUNK = 10_000
# Set when a full rebuild has finished, never expires. A Redis that lost its data (a
# restart without persistence, a flush) lacks it: the first read notices and queues a
# rebuild at once instead of serving incomplete boards until the scheduled one.
COMPLETE = "fh:lb-complete"
HEAL_QUEUED = "fh:lb-heal-queued"  # SET NX: one rebuild per minute at most, across processes


def live_key(board: str) -> str:
    return KEY_PREFIX + board


def _pattern(prefix: str) -> str:
    """A SCAN pattern for the boards whose key starts with `prefix` (glob characters escaped)."""
    return KEY_PREFIX + "".join(f"\\{c}" if c in "*?[]\\" else c for c in prefix) + "*"


def _ttl(board: str) -> int:
    return PERIOD_TTL_SECONDS.get(board.split(":")[1], 0)


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _rebuild_now() -> None:
    # Imported here: the rebuild is built on this store (a module-level import would be a cycle).
    from focushub.leaderboards.rebuild import boards_rebuild_current

    try:
        boards_rebuild_current()
    except redis.RedisError as exc:  # Redis went away again: an outage, not a bug
        logger.warning("leaderboards: the rebuild after Redis lost its data failed (%s: %s); the scheduled one "
                       "retries", type(exc).__name__, exc)
    except Exception:
        logger.exception("leaderboards: the rebuild after Redis lost its data failed; the scheduled one retries")
    finally:
        connection.close()


def _current_xid() -> str:
    """The writer's transaction id, which tells a rebuild whether it already counted us."""
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return ""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()::text")
        return cursor.fetchone()[0]


def unavailable(exc: Exception) -> ApplicationError:
    logger.warning("leaderboard store unreachable: %s", exc)
    return ApplicationError("leaderboard_unavailable", "Leaderboards are unavailable, try again shortly.", status=503)


class RedisBoards:
    name = "redis"

    def __init__(self) -> None:
        self.client = redis_client()
        self._increment = self.client.register_script(redis_lua.INCREMENT)
        self._swap = self.client.register_script(redis_lua.SWAP)
        self._finish = self.client.register_script(redis_lua.FINISH)
        self._read = self.client.register_script(redis_lua.READ)

    # ---- writes ----

    def apply(self, deltas: dict[tuple[str, int], int]) -> None:
        """Send the deltas once the caller's transaction commits."""
        by_user: dict[int, dict[str, int]] = defaultdict(dict)
        for (board, user_id), delta in deltas.items():
            if delta:
                by_user[user_id][board] = by_user[user_id].get(board, 0) + delta
        if not by_user:
            return
        xid = _current_xid()

        def push() -> None:
            try:
                pipe = self.client.pipeline(transaction=False)
                for user_id, boards in by_user.items():
                    keys, args = [BUILDING], [xid, user_id, SIDE_KEY_TTL]
                    for board, delta in boards.items():
                        keys += [live_key(board), SNAP_PREFIX + board, JOURNAL_PREFIX + board]
                        args += [delta, _ttl(board)]
                    self._increment(keys=keys, args=args, client=pipe)
                pipe.execute()
            except redis.RedisError as exc:
                logger.warning("leaderboard increment lost (%s); the next rebuild restores it", exc)

        transaction.on_commit(push)

    def user_replace(self, user_id: int, scores: dict[str, int]) -> None:
        """Take the user off every board, then set `scores` (board -> score). Runs now (the
        caller holds the user's row lock). A rebuild running meanwhile could write back
        what it read before; the user is then queued and re-synced when it ends."""
        try:
            if self.client.exists(BUILDING):
                self.client.sadd(DIRTY_USERS, user_id)
            pipe = self.client.pipeline(transaction=True)
            for key in self.client.scan_iter(_pattern(""), count=1000):
                pipe.zrem(key, user_id)
            for board, score in scores.items():
                if score > 0:
                    pipe.zadd(live_key(board), {user_id: score})
                    if _ttl(board):
                        pipe.expire(live_key(board), _ttl(board))
            pipe.execute()
        except redis.RedisError as exc:
            logger.warning("leaderboard resync of user %s lost (%s); the next rebuild restores it", user_id, exc)

    # ---- reads ----

    def read(self, board: str, *, offset: int, limit: int, user_id: int | None = None) -> tuple[list[Row], Row | None]:
        """One page and, for `user_id`, their own row, read atomically in one round trip."""
        # ZREVRANGE's stop is inclusive and -1 means "to the end": an empty page asks 1..0.
        start, stop = (max(offset - 1, 0), offset + limit - 1) if limit > 0 else (1, 0)
        try:
            window, first_above, mine, mine_above, complete = self._read(
                keys=[live_key(board), COMPLETE], args=[start, stop, offset, user_id or ""]
            )
            if not complete:
                self._heal()
        except redis.RedisError as exc:
            raise unavailable(exc) from exc
        pairs = [(int(window[i]), int(float(window[i + 1]))) for i in range(0, len(window), 2)]
        rows = rank_page(pairs, offset, lambda _score: int(first_above) + 1)
        me = Row(int(mine_above) + 1, user_id, int(float(mine))) if user_id is not None and mine else None
        return rows, me

    def rank(self, board: str, user_id: int) -> Row | None:
        return self.read(board, offset=0, limit=0, user_id=user_id)[1]

    def members(self, board: str) -> dict[int, int]:
        """The whole board (user -> score): for checks and small boards, not for pages."""
        return {int(m): int(s) for m, s in self.client.zrange(live_key(board), 0, -1, withscores=True)}

    # ---- maintenance ----

    def rebuild_begin(self) -> str | None:
        """Claim the rebuild; None if another process is rebuilding right now."""
        token = uuid.uuid4().hex
        return token if self.client.set(BUILDING, token, nx=True, ex=BUILDING_TTL) else None

    def rebuild_board(self, board: str, scores: Iterable[tuple[int, int]], *, snapshot: str, token: str) -> None:
        """Build the board under a temporary key, then in one atomic step replay the
        increments the snapshot missed and RENAME it over the live board: readers never
        see a half-built board and no concurrent increment is lost or counted twice."""
        tmp = TMP_PREFIX + board
        self.client.delete(tmp)
        for chunk in _chunks(scores, CHUNK):
            pipe = self.client.pipeline(transaction=False)
            pipe.zadd(tmp, dict(chunk))
            pipe.expire(tmp, SIDE_KEY_TTL)
            pipe.execute()
        self._swap(
            keys=[tmp, live_key(board), JOURNAL_PREFIX + board, SNAP_PREFIX + board, BUILDING],
            args=[snapshot, _ttl(board), SIDE_KEY_TTL, token, BUILDING_TTL],
        )

    def _heal(self) -> None:
        """The boards are not known to be complete (Redis lost its data): rebuild them now,
        once for all readers of all processes, in a thread of the process that noticed.
        Not through the task queue: it lives in the same Redis, and django-q2's pusher
        takes several seconds to come back after Redis did."""
        if self.client.set(HEAL_QUEUED, 1, nx=True, ex=60):
            logger.warning("leaderboards: Redis has no complete boards (restarted empty?); rebuilding now")
            threading.Thread(target=_rebuild_now, name="boards-heal", daemon=True).start()

    def mark_complete(self) -> None:
        """Every current board was just rebuilt from the database."""
        self.client.set(COMPLETE, 1)
        self.client.delete(HEAL_QUEUED)

    def rebuild_finish(self, token: str) -> list[int]:
        """Release the rebuild; returns the users to re-sync (see user_replace)."""
        return [int(user_id) for user_id in self._finish(keys=[BUILDING, DIRTY_USERS], args=[token])]

    def boards_under(self, prefix: str) -> set[str]:
        """Every board key starting with `prefix`, found by SCAN, so a board is found even
        if it got there some other way than through this store."""
        return {raw.decode()[len(KEY_PREFIX) :] for raw in self.client.scan_iter(_pattern(prefix), count=1000)}

    def drop_boards(self, keep_prefixes: tuple[str, ...]) -> int:
        """Delete the boards whose key starts with none of `keep_prefixes`."""
        stale = [live_key(board) for board in self.boards_under("") if not board.startswith(keep_prefixes)]
        for chunk in _chunks(stale, CHUNK):
            self.client.delete(*chunk)
        return len(stale)
