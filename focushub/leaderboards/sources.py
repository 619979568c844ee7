"""What every board should hold, computed by the database (GROUP BY, never a loop over
entries): time from the credited seconds (the union of each person's counting entries,
focushub.tracking.credit) — DailyCredit for global boards, DailyRollup.credited for
project boards — and badges from the awards. The rebuild, the per-user resync and the
SQL drift check all read these, so "the truth" is written once. People who opted out,
were deactivated or were taken off the boards by an admin are left out
(leaderboards.services.on_boards is the same rule for incremental writes).
"""

from collections.abc import Collection

from django.db.models import CharField, Count, QuerySet, Sum, Value
from django.db.models.functions import Cast, Concat

from focushub.badges.models import UserBadge
from focushub.leaderboards.boards import Family
from focushub.tracking.models import DailyCredit, DailyRollup

SHOWN = {"user__show_on_leaderboard": True, "user__is_active": True, "user__leaderboard_hidden": False}


def family_scores(family: Family, *, projects: bool, user_ids: Collection[int] | None = None) -> QuerySet:
    """Rows (board, user_id, score) with score > 0: the family's global board, or with
    `projects` every project board of the family (time only), ordered by board and user."""
    if family.metric == "time":
        rows = (DailyRollup if projects else DailyCredit).objects.filter(**SHOWN)
        if family.first is not None:
            rows = rows.filter(date__range=(family.first, family.last))
        score = Sum("credited" if projects else "seconds")
    else:
        if projects:
            raise ValueError("badge boards have no project scope")
        rows = UserBadge.objects.filter(**SHOWN)
        start, end = family.window()
        if start is not None:
            rows = rows.filter(awarded_at__gte=start, awarded_at__lt=end)
        score = Count("id")
    if user_ids is not None:
        rows = rows.filter(user_id__in=list(user_ids))
    if projects:
        grouped = rows.values("project_id", "user_id")
        board = Concat(Value(family.prefix + "p"), Cast("project_id", CharField()), output_field=CharField())
    else:
        grouped = rows.values("user_id")
        board = Value(family.board_key(None), output_field=CharField())
    return (
        grouped.annotate(score=score)
        .filter(score__gt=0)
        .annotate(board=board)
        .values_list("board", "user_id", "score")
        .order_by("board", "user_id")
    )


def user_scores(families: list[Family], user_id: int) -> dict[str, int]:
    """Every score one user should have on the given families' boards: board key -> score."""
    scores: dict[str, int] = {}
    for family in families:
        for projects in (False, True) if family.scoped else (False,):
            for board, _, score in family_scores(family, projects=projects, user_ids=[user_id]):
                scores[board] = int(score)
    return scores
