"""Board identity: which metric, period and scope a score belongs to.

A board key reads `<metric>:<period>:<period_key>:<scope>`, e.g. `time:week:2026-W48:all`
or `badges:all:all:p12`. Periods are UTC; weeks are ISO weeks starting Monday.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

METRICS = ("time", "badges")
PERIODS = ("day", "week", "month", "all")


def period_key(period: str, day: date) -> str:
    if period == "day":
        return day.isoformat()
    if period == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if period == "month":
        return f"{day.year}-{day.month:02d}"
    return "all"


def period_range(period: str, day: date) -> tuple[date | None, date | None]:
    """[first, last] UTC dates of the period containing `day` (None, None for all time)."""
    if period == "day":
        return day, day
    if period == "week":
        first = day - timedelta(days=day.weekday())
        return first, first + timedelta(days=6)
    if period == "month":
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return first, following - timedelta(days=1)
    return None, None


def scope_key(project_id: int | None) -> str:
    return "all" if project_id is None else f"p{project_id}"


@dataclass(frozen=True)
class Board:
    metric: str
    period: str
    period_key: str
    project_id: int | None = None

    @property
    def key(self) -> str:
        return f"{self.metric}:{self.period}:{self.period_key}:{scope_key(self.project_id)}"

    @classmethod
    def current(cls, metric: str, period: str, project_id: int | None, now: datetime) -> "Board":
        return cls(metric, period, period_key(period, now.date()), project_id)


def boards_touched(metric: str, day: date, project_id: int | None) -> list[Board]:
    """Every board a score earned on `day` counts on: each period, globally and for the project."""
    scopes = [None] if project_id is None else [None, project_id]
    return [Board(metric, period, period_key(period, day), scope) for period in PERIODS for scope in scopes]
