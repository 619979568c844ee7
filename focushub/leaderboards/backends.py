"""Two stores for board scores with one interface:

- RedisBoards: a sorted set per board key; used when REDIS_URL is set.
- SqlBoards: BoardScore rows with a (board, -score) index; the embedded default.

Both answer a page in O(log N + page) and a rank as "1 + how many score higher"
(competition ranking: ties share a rank, 1, 2, 2, 4).
"""

import logging
from collections import defaultdict
from dataclasses import dataclass

import redis
from django.conf import settings
from django.db import transaction
from django.db.models import F

from focushub.leaderboards.models import BoardScore

logger = logging.getLogger(__name__)

KEY_PREFIX = "fh:lb:"
KEYS_SET = "fh:lb:keys"  # every board key written, so a user can be removed from all of them
# Period boards outlive their period long enough for "last week" views and late edits.
PERIOD_TTL_SECONDS = {"day": 3 * 86400, "week": 15 * 86400, "month": 63 * 86400}


@dataclass(frozen=True)
class Row:
    rank: int
    user_id: int
    score: int


def _ttl_for(board_key: str) -> int | None:
    return PERIOD_TTL_SECONDS.get(board_key.split(":")[1])


def _ranked(rows: list[tuple[int, int]], first_rank_of, offset: int) -> list[Row]:
    out: list[Row] = []
    for index, (user_id, score) in enumerate(rows):
        if out and out[-1].score == score:
            rank = out[-1].rank
        elif index == 0:
            rank = first_rank_of(score)
        else:
            rank = offset + index + 1
        out.append(Row(rank, user_id, score))
    return out


class SqlBoards:
    name = "sql"

    def apply(self, deltas: dict[tuple[str, int], int]) -> None:
        """Add deltas in the caller's transaction (the caller holds the user's row lock)."""
        for (board, user_id), delta in deltas.items():
            if delta == 0:
                continue
            updated = BoardScore.objects.filter(board=board, user_id=user_id).update(score=F("score") + delta)
            if not updated and delta > 0:
                BoardScore.objects.create(board=board, user_id=user_id, score=delta)
        BoardScore.objects.filter(board__in={b for b, _ in deltas}, score__lte=0).delete()

    def page(self, board: str, offset: int, limit: int) -> list[Row]:
        rows = list(
            BoardScore.objects.filter(board=board)
            .order_by("-score", "user_id")
            .values_list("user_id", "score")[offset : offset + limit]
        )
        return _ranked(rows, lambda s: self._rank_of_score(board, s), offset)

    def _rank_of_score(self, board: str, score: int) -> int:
        return BoardScore.objects.filter(board=board, score__gt=score).count() + 1

    def rank(self, board: str, user_id: int) -> Row | None:
        score = BoardScore.objects.filter(board=board, user_id=user_id).values_list("score", flat=True).first()
        if score is None:
            return None
        return Row(self._rank_of_score(board, score), user_id, score)

    def count(self, board: str) -> int:
        return BoardScore.objects.filter(board=board).count()

    def replace(self, board: str, scores: dict[int, int]) -> None:
        with transaction.atomic():
            BoardScore.objects.filter(board=board).delete()
            BoardScore.objects.bulk_create(
                [BoardScore(board=board, user_id=u, score=s) for u, s in scores.items() if s > 0],
                batch_size=5000,
            )

    def remove_user(self, user_id: int) -> None:
        BoardScore.objects.filter(user_id=user_id).delete()

    def drop_expired(self, live_keys: set[str]) -> int:
        """Delete period boards that are not current (`all` boards never expire)."""
        stale = (
            BoardScore.objects.exclude(board__in=live_keys)
            .exclude(board__regex=r"^[a-z]+:all:")
        )
        deleted, _ = stale.delete()
        return deleted


class RedisBoards:
    name = "redis"

    def __init__(self, url: str):
        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def apply(self, deltas: dict[tuple[str, int], int]) -> None:
        """Increment after commit; if Redis is unreachable the scheduled rebuild heals it."""
        pending = {k: v for k, v in deltas.items() if v}
        if not pending:
            return

        def push():
            try:
                pipe = self.client.pipeline(transaction=False)
                keys = set()
                for (board, user_id), delta in pending.items():
                    key = KEY_PREFIX + board
                    keys.add(key)
                    pipe.zincrby(key, delta, user_id)
                for key in keys:
                    pipe.zremrangebyscore(key, "-inf", 0)
                    ttl = _ttl_for(key[len(KEY_PREFIX):])
                    if ttl:
                        pipe.expire(key, ttl)
                pipe.sadd(KEYS_SET, *keys)
                pipe.execute()
            except redis.RedisError as exc:
                logger.warning("leaderboard increment lost (%s); the next rebuild heals it", exc)

        transaction.on_commit(push)

    def page(self, board: str, offset: int, limit: int) -> list[Row]:
        key = KEY_PREFIX + board
        raw = self.client.zrevrange(key, offset, offset + limit - 1, withscores=True)
        rows = [(int(member), int(score)) for member, score in raw]
        return _ranked(rows, lambda s: self.client.zcount(key, f"({s}", "+inf") + 1, offset)

    def rank(self, board: str, user_id: int) -> Row | None:
        key = KEY_PREFIX + board
        score = self.client.zscore(key, user_id)
        if score is None:
            return None
        return Row(self.client.zcount(key, f"({int(score)}", "+inf") + 1, user_id, int(score))

    def count(self, board: str) -> int:
        return self.client.zcard(KEY_PREFIX + board)

    def replace(self, board: str, scores: dict[int, int]) -> None:
        """Build under a temporary key and RENAME over the live one: readers never see a
        half-built board."""
        key = KEY_PREFIX + board
        tmp = f"{key}:rebuild"
        pipe = self.client.pipeline(transaction=False)
        pipe.delete(tmp)
        items = [(u, s) for u, s in scores.items() if s > 0]
        for start in range(0, len(items), 10000):
            pipe.zadd(tmp, dict(items[start : start + 10000]))
        if items:
            pipe.rename(tmp, key)
            ttl = _ttl_for(board)
            if ttl:
                pipe.expire(key, ttl)
            pipe.sadd(KEYS_SET, key)
        else:
            pipe.delete(key)
        pipe.execute()

    def remove_user(self, user_id: int) -> None:
        keys = list(self.client.smembers(KEYS_SET))
        if keys:
            pipe = self.client.pipeline(transaction=False)
            for key in keys:
                pipe.zrem(key, user_id)
            pipe.execute()

    def drop_expired(self, live_keys: set[str]) -> int:
        removed = 0
        for raw in self.client.smembers(KEYS_SET):
            key = raw.decode()
            if not self.client.exists(key):
                self.client.srem(KEYS_SET, key)
                removed += 1
        return removed


_backend: SqlBoards | RedisBoards | None = None


def get_backend() -> SqlBoards | RedisBoards:
    global _backend
    if _backend is None:
        _backend = RedisBoards(settings.REDIS_URL) if settings.REDIS_URL else SqlBoards()
    return _backend


def sum_deltas(items) -> dict[tuple[str, int], int]:
    total: dict[tuple[str, int], int] = defaultdict(int)
    for key, delta in items:
        total[key] += delta
    return total
