"""Writers of leaderboard scores.

scores_add_time and scores_add_badge are called by the tracking, project and badge
services inside their transactions, under the user's row lock; the store decides whether
the write lands now (SQL) or after commit (Redis). scores_resync_user recomputes one
user from the database when their show_on_leaderboard setting changes. Every change
rings the "board" doorbell after commit so spectators' boards refresh (realtime relays
coalesce the rings).
"""

from collections import defaultdict
from collections.abc import Mapping
from datetime import date

from django.utils import timezone

from focushub.accounts.models import User
from focushub.announce import after_commit
from focushub.leaderboards.backends import get_backend
from focushub.leaderboards.boards import boards_of_scope, current_families
from focushub.leaderboards.sources import user_scores
from focushub.projects.locks import user_lock
from focushub.transactions import service


def _ring_after_commit() -> None:
    after_commit({"type": "board"})


def on_boards(user: User) -> bool:
    """Whether the user's scores count: shown by their own choice, active, and not taken
    off the boards by an admin. sources.SHOWN is the same rule for the database reads."""
    return user.show_on_leaderboard and user.is_active and not user.leaderboard_hidden


def _apply(user: User, metric: str, per_scope: Mapping[int | None, Mapping[date, int]]) -> None:
    # People off the boards are kept off at the source; scores_resync_user puts them
    # back from the database when they return.
    if not on_boards(user):
        return
    deltas: dict[tuple[str, int], int] = defaultdict(int)
    for scope, per_day in per_scope.items():
        for day, delta in per_day.items():
            if delta:
                for board in boards_of_scope(metric, day, scope):
                    deltas[(board.key, user.pk)] += delta
    if deltas:
        get_backend().apply(deltas)
        _ring_after_commit()


def scores_add_time(
    *, user: User, overall: Mapping[date, int], by_project: Mapping[int, Mapping[date, int]]
) -> None:
    """Move the time boards by what the user's credit moved (focushub.tracking.credit):
    `overall` on the global boards, `by_project` on each project's boards."""
    _apply(user, "time", {None: overall, **by_project})


def scores_add_badge(*, user: User, day: date, count: int = 1) -> None:
    """Count `count` new awards on the badge boards of `day` (UTC)."""
    _apply(user, "badges", {None: {day: count}})


@service
def scores_resync_user(*, user: User) -> None:
    """Take the user off every board and, if they are shown again, put back their
    current-period scores (day, week, month, all; global and per project; time and
    badges) as the database computes them.

    Call it after the change of show_on_leaderboard (or is_active) committed. The user's
    row lock orders it with their tracking and badge writes, which hold the same lock:
    none of them is half-way while we read.
    """
    fresh = user_lock(user.pk)
    scores: dict[str, int] = {}
    if fresh is not None and on_boards(fresh):
        scores = user_scores(current_families(timezone.now()), fresh.pk)
    get_backend().user_replace(user.pk, scores)
    _ring_after_commit()
