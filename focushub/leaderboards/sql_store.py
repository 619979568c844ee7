"""Board scores in the database (BoardScore rows): the embedded default, and the store
whenever REDIS_URL is unset.

Reads walk the (board, -score, user) index: a page at offset K costs O(log N + K + page)
(a B-tree keeps no order statistics, so OFFSET and "how many score higher" count index
entries; both are index-only scans). Redis answers the same in O(log N + page) at any
depth, which is why scaled deployments use it. Writes are upserts in the writer's
transaction, under the writer's user-row lock (tracking and badge services take it).
"""

from collections.abc import Collection, Iterable

from django.db import connection
from django.db.models import Count, OuterRef, Q, Subquery

from focushub.leaderboards.models import BoardScore
from focushub.leaderboards.ranking import Row, rank_page

UPSERT_BATCH = 1000  # rows per statement: 3 parameters each, well under SQLite's and PostgreSQL's limits


def _upsert(rows: list[tuple[str, int, int]], *, add: bool) -> None:
    """INSERT ... ON CONFLICT (board, user), a statement per batch (PostgreSQL and SQLite both
    speak it): `add` increments, otherwise the score is set. Rows go in key order so two
    writers touching the same rows lock them in the same order."""
    quote = connection.ops.quote_name
    table = quote(BoardScore._meta.db_table)
    score = quote("score")
    new_value = f"{table}.{score} + EXCLUDED.{score}" if add else f"EXCLUDED.{score}"
    ordered = sorted(rows)
    with connection.cursor() as cursor:
        for start in range(0, len(ordered), UPSERT_BATCH):
            batch = ordered[start : start + UPSERT_BATCH]
            cursor.execute(
                f"INSERT INTO {table} ({quote('board')}, {quote('user_id')}, {score}) "
                f"VALUES {', '.join(['(%s, %s, %s)'] * len(batch))} "
                f"ON CONFLICT ({quote('board')}, {quote('user_id')}) DO UPDATE SET {score} = {new_value}",
                [value for row in batch for value in row],
            )


class SqlBoards:
    name = "sql"

    # ---- writes (inside the caller's transaction) ----

    def apply(self, deltas: dict[tuple[str, int], int]) -> None:
        """Add deltas now, in the caller's transaction; a score that reaches zero leaves the board."""
        rows = [(board, user_id, delta) for (board, user_id), delta in deltas.items() if delta]
        if not rows:
            return
        _upsert(rows, add=True)
        BoardScore.objects.filter(
            board__in={board for board, _, _ in rows}, user_id__in={user_id for _, user_id, _ in rows}, score__lte=0
        ).delete()

    def user_replace(self, user_id: int, scores: dict[str, int]) -> None:
        """Take the user off every board, then set `scores` (board -> score)."""
        BoardScore.objects.filter(user_id=user_id).delete()
        _upsert([(board, user_id, score) for board, score in scores.items() if score > 0], add=False)

    def family_set(self, prefix: str, user_ids: Collection[int], scores: dict[tuple[str, int], int]) -> None:
        """Make the boards under `prefix` hold exactly `scores` for `user_ids` (the caller
        holds those users' row locks, so no writer of theirs runs meanwhile)."""
        BoardScore.objects.filter(board__startswith=prefix, user_id__in=list(user_ids)).delete()
        _upsert([(board, user_id, score) for (board, user_id), score in scores.items() if score > 0], add=False)

    # ---- reads ----

    def read(self, board: str, *, offset: int, limit: int, user_id: int | None = None) -> tuple[list[Row], Row | None]:
        """One page and, for `user_id`, their own row (None when not on the board)."""
        on_board = BoardScore.objects.filter(board=board)
        # One row before the page tells whether the first row ties with the previous page;
        # only then does its rank need a count.
        start = max(offset - 1, 0)
        window = list(on_board.order_by("-score", "user_id").values_list("user_id", "score")[start : offset + limit])
        rows = rank_page(window, offset, lambda score: on_board.filter(score__gt=score).count() + 1)
        return rows, (self.rank(board, user_id) if user_id is not None else None)

    def rank(self, board: str, user_id: int) -> Row | None:
        higher = (
            BoardScore.objects.filter(board=board, score__gt=OuterRef("score"))
            .order_by()
            .values("board")
            .annotate(n=Count("*"))
            .values("n")
        )
        mine = (
            BoardScore.objects.filter(board=board, user_id=user_id)
            .annotate(higher=Subquery(higher))
            .values_list("score", "higher")
            .first()
        )
        if mine is None:
            return None
        score, above = mine
        return Row(int(above or 0) + 1, user_id, int(score))

    def members(self, board: str) -> dict[int, int]:
        """The whole board (user -> score): for checks and small boards, not for pages."""
        return dict(BoardScore.objects.filter(board=board).values_list("user_id", "score"))

    # ---- maintenance ----

    def drifted_users(self, stored_boards: Q, fresh_sql: tuple[str, Iterable]) -> set[int]:
        """Users whose stored rows (boards matching `stored_boards`) differ from the fresh
        aggregate (`fresh_sql`: SQL selecting board, user_id, score), found by the database
        in one FULL OUTER JOIN. A writer commits its rollups and its board rows together,
        so a board that is right shows no difference even while people track."""
        fresh, fresh_params = fresh_sql
        stored, stored_params = (
            BoardScore.objects.filter(stored_boards).values("board", "user_id", "score").query.sql_with_params()
        )
        sql = (
            f"SELECT DISTINCT COALESCE(f.user_id, s.user_id) FROM ({fresh}) f "
            f"FULL OUTER JOIN ({stored}) s ON f.board = s.board AND f.user_id = s.user_id "
            "WHERE f.score IS NULL OR s.score IS NULL OR f.score <> s.score"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*fresh_params, *stored_params])
            return {user_id for (user_id,) in cursor.fetchall()}

    def drop_boards(self, keep_prefixes: tuple[str, ...]) -> int:
        """Delete every row whose board key starts with none of `keep_prefixes`."""
        keep = Q()
        for prefix in keep_prefixes:
            keep |= Q(board__startswith=prefix)
        deleted, _ = BoardScore.objects.exclude(keep).delete()
        return deleted
