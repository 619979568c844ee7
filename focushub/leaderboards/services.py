"""Writers of leaderboard scores. Called by the tracking and badge services inside
their transactions; the backend decides whether the write lands now (SQL) or after
commit (Redis). Every write rings the "board" doorbell after commit so spectators'
boards refresh (realtime.relay coalesces the rings)."""

from collections.abc import Mapping
from datetime import date

from django.db import transaction

from focushub.accounts.models import User
from focushub.leaderboards.backends import get_backend, sum_deltas
from focushub.leaderboards.boards import boards_touched
from realtime import doorbell


def _apply(user: User, metric: str, project_id: int | None, per_day: Mapping[date, int]) -> None:
    if not user.show_on_leaderboard:
        return
    deltas = sum_deltas(
        ((board.key, user.pk), delta)
        for day, delta in per_day.items()
        if delta
        for board in boards_touched(metric, day, project_id)
    )
    if deltas:
        get_backend().apply(deltas)
        transaction.on_commit(lambda: doorbell.ring("board"))


def scores_add_time(*, user: User, project_id: int, seconds_by_day: Mapping[date, int]) -> None:
    """Add (or, with negative values, take back) tracked seconds on every board they count on."""
    _apply(user, "time", project_id, seconds_by_day)


def scores_add_badge(*, user: User, day: date, count: int = 1) -> None:
    _apply(user, "badges", None, {day: count})
