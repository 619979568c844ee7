"""Reading boards (GET /leaderboard, /ws/leaderboard): one page of rows plus the caller's
own row, O(log N + page) on Redis; a fixed number of queries whatever the board's size."""

from django.db.models import Max
from django.utils import timezone

from focushub.accounts.models import User
from focushub.accounts.selectors import user_by_username
from focushub.errors import NotFound, ValidationFailed
from focushub.ids import MAX_ID, parse_int
from focushub.leaderboards.backends import get_backend
from focushub.leaderboards.boards import METRICS, PERIODS, SCOPED_METRICS, Board, Family, utc_day
from focushub.leaderboards.ranking import Row
from focushub.leaderboards.services import on_boards
from focushub.presenters import iso, user_brief
from focushub.projects.selectors import project_visible
from focushub.replicas import lag_tolerant
from focushub.timeline.models import Event
from focushub.tracking.models import TimeEntry

# The default board: shown when a query names no metric or period, and the one whose
# changes /ws/me reports as `leaderboard.rank` (docs/realtime.md).
DEFAULT_METRIC, DEFAULT_PERIOD = "time", "week"
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_OFFSET = 10**9


def _integer(raw, low: int, high: int) -> tuple[int | None, str | None]:
    value = parse_int(raw)
    if value is None:
        return None, "Must be an integer."
    if not low <= value <= high:
        return None, f"Must be between {low} and {high}."
    return value, None


def parse_board_query(*, metric=None, period=None, project=None, limit=None, offset=None) -> dict:
    """Validate the query shared by GET /leaderboard and /ws/leaderboard; every problem
    is reported under the name of the parameter that caused it."""
    errors: dict[str, list[str]] = {}
    metric = metric or DEFAULT_METRIC
    period = period or DEFAULT_PERIOD
    if metric not in METRICS:
        errors["metric"] = [f"Must be one of: {', '.join(METRICS)}."]
    if period not in PERIODS:
        errors["period"] = [f"Must be one of: {', '.join(PERIODS)}."]
    parsed = {"metric": metric, "period": period, "project_id": None, "limit": DEFAULT_LIMIT, "offset": 0}
    for name, raw, low, high in (("limit", limit, 1, MAX_LIMIT), ("offset", offset, 0, MAX_OFFSET)):
        if raw in (None, ""):
            continue
        parsed[name], problem = _integer(raw, low, high)
        if problem:
            errors[name] = [problem]
    if project not in (None, ""):
        parsed["project_id"], problem = _integer(project, 1, MAX_ID)
        if problem:
            errors["project"] = ["Must be a project id."]
        elif metric in METRICS and metric not in SCOPED_METRICS:
            errors["project"] = [f"Only {', '.join(SCOPED_METRICS)} boards have a project scope."]
    if errors:
        raise ValidationFailed(errors)
    return parsed


def board_version() -> int:
    """Every change that can move a board writes a timeline event in its transaction, so
    the newest event id is a version that never goes back (one index lookup)."""
    return Event.objects.aggregate(v=Max("id"))["v"] or 0


def _present(rows: list[Row], project_id: int | None) -> dict[int, dict]:
    """user id -> wire row. Two queries for any page. A user hidden since the board was
    last written (opted out, deactivated) is dropped here too, so no page shows them."""
    ids = {row.user_id for row in rows}
    users = User.objects.filter(show_on_leaderboard=True, is_active=True).in_bulk(ids)
    running = TimeEntry.objects.filter(user_id__in=list(users), end_time__isnull=True)
    if project_id is not None:  # a project board ticks only for timers on that project
        running = running.filter(project_id=project_id)
    started = dict(running.values_list("user_id", "start_time"))
    return {
        row.user_id: {
            "rank": row.rank,
            "user": user_brief(users[row.user_id]),
            "score": row.score,
            "running_since": iso(started.get(row.user_id)),
        }
        for row in rows
        if row.user_id in users
    }


def leaderboard_read(
    *, metric: str, period: str, project_id: int | None, limit: int, offset: int, viewer_id: int | None
) -> dict:
    """A page of the current board. A private project's board is NotFound for anyone
    but its members (project_visible), decided on the primary.

    On the SQL store the whole page (scores, names, running timers, version) may come from
    a read replica, one snapshot at most DATABASE_REPLICA_MAX_LAG behind; on Redis the
    scores are live, so the rows beside them are read where they are as new: the primary
    (focushub/replicas.py)."""
    if project_id is not None:
        project_visible(user_id=viewer_id, project_id=project_id)
    page = lag_tolerant(_board_page) if get_backend().name == "sql" else _board_page
    return page(metric=metric, period=period, project_id=project_id, limit=limit, offset=offset, viewer_id=viewer_id)


def _board_page(
    *, metric: str, period: str, project_id: int | None, limit: int, offset: int, viewer_id: int | None
) -> dict:
    now = timezone.now()
    board = Board.current(metric, period, project_id, now)
    rows, mine = get_backend().read(board.key, offset=offset, limit=limit, user_id=viewer_id)
    presented = _present(rows + ([mine] if mine is not None else []), project_id)
    start, end = Family.of(metric, period, utc_day(now)).window()
    return {
        "metric": metric,
        "period": period,
        "project": project_id,
        "period_key": board.period_key,
        "period_start": iso(start),
        "period_end": iso(end),
        "limit": limit,
        "offset": offset,
        "rows": [presented[row.user_id] for row in rows if row.user_id in presented],
        "me": {"rank": mine.rank, "score": mine.score} if mine is not None and mine.user_id in presented else None,
        "version": board_version(),
    }


def board_me(*, metric: str, period: str, project_id: int | None, viewer: User) -> dict | None:
    """The viewer's own {rank, score} on a board now, as leaderboard_read gives it as `me`:
    None when they are not on it or are off the boards (an opt-out shows nowhere). For a
    page kept for every reader (focushub/leaderboards/pages.py) that does not show them."""
    if not on_boards(viewer):
        return None
    row = get_backend().rank(Board.current(metric, period, project_id, timezone.now()).key, viewer.pk)
    return {"rank": row.rank, "score": row.score} if row is not None else None


def ranks_on_default_board(user_ids: list[int]) -> dict[int, tuple[int, int] | None]:
    """(rank, score) of each user on the global default board now, or None if not on it."""
    board = Board.current(DEFAULT_METRIC, DEFAULT_PERIOD, None, timezone.now())
    backend = get_backend()
    ranks: dict[int, tuple[int, int] | None] = {}
    for user_id in user_ids:
        row = backend.rank(board.key, user_id)
        ranks[user_id] = (row.rank, row.score) if row is not None else None
    return ranks


def user_board_score(*, username: str, metric: str, period: str) -> int:
    """A person's score on a global board now, for their README badge (0 before they score).
    Someone off the boards (opted out, deactivated, hidden by an admin) is NotFound, as an
    unknown name is: a badge would otherwise show what the boards keep quiet."""
    parse_board_query(metric=metric, period=period)
    user = user_by_username(username)
    if user is None or not on_boards(user):
        raise NotFound("No such user.")
    row = get_backend().rank(Board.current(metric, period, None, timezone.now()).key, user.pk)
    return row.score if row is not None else 0
