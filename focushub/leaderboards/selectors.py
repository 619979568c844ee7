"""Reading boards: one page of rows plus the caller's own rank, O(log N + page)."""

from django.db.models import Max
from django.utils import timezone

from focushub.accounts.models import User
from focushub.errors import ValidationFailed
from focushub.leaderboards.backends import Row, get_backend
from focushub.leaderboards.boards import METRICS, PERIODS, Board
from focushub.presenters import iso, user_brief
from focushub.projects.selectors import project_visible
from focushub.timeline.models import Event
from focushub.tracking.models import TimeEntry

MAX_LIMIT = 100


def parse_board_query(*, metric=None, period=None, project=None, limit=None, offset=None) -> dict:
    """Validate query parameters shared by GET /leaderboard and /ws/leaderboard."""
    errors: dict[str, list[str]] = {}
    metric = metric or "time"
    period = period or "week"
    if metric not in METRICS:
        errors["metric"] = [f"Must be one of: {', '.join(METRICS)}."]
    if period not in PERIODS:
        errors["period"] = [f"Must be one of: {', '.join(PERIODS)}."]
    parsed = {"metric": metric, "period": period, "project_id": None, "limit": 20, "offset": 0}
    for name, raw, low, high in (("limit", limit, 1, MAX_LIMIT), ("offset", offset, 0, 10**9)):
        if raw in (None, ""):
            continue
        try:
            value = int(raw)
        except (TypeError, ValueError):
            errors[name] = ["Must be an integer."]
            continue
        if not low <= value <= high:
            errors[name] = [f"Must be between {low} and {high}."]
        parsed[name] = value
    if project not in (None, ""):
        try:
            parsed["project_id"] = int(project)
        except (TypeError, ValueError):
            errors["project"] = ["Must be a project id."]
    if errors:
        raise ValidationFailed(errors)
    return parsed


def board_version() -> int:
    """Every change that can move a board writes a timeline event, so the newest event id
    is a monotonic version clients can compare."""
    return Event.objects.aggregate(v=Max("id"))["v"] or 0


def _present(rows: list[Row]) -> list[dict]:
    ids = [row.user_id for row in rows]
    users = User.objects.in_bulk(ids)
    running = dict(
        TimeEntry.objects.filter(user_id__in=ids, end_time__isnull=True).values_list("user_id", "start_time")
    )
    return [
        {"rank": row.rank, "user": user_brief(users[row.user_id]), "score": row.score,
         "running_since": iso(running.get(row.user_id))}
        for row in rows
        if row.user_id in users
    ]


def leaderboard_read(
    *, metric: str, period: str, project_id: int | None, limit: int, offset: int, viewer_id: int | None
) -> dict:
    if project_id is not None:
        project_visible(user_id=viewer_id, project_id=project_id)
    board = Board.current(metric, period, project_id, timezone.now())
    backend = get_backend()
    me = None
    if viewer_id is not None:
        mine = backend.rank(board.key, viewer_id)
        if mine is not None:
            me = {"rank": mine.rank, "score": mine.score}
    return {
        "metric": metric,
        "period": period,
        "project": project_id,
        "period_key": board.period_key,
        "rows": _present(backend.page(board.key, offset, limit)),
        "me": me,
        "version": board_version(),
    }
