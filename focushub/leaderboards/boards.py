"""Board identity: which metric, period and scope a score belongs to.

A board key reads `<metric>:<period>:<period_key>:<scope>`, e.g. `time:week:2026-W48:all`
or `time:all:all:p12`. Periods are UTC; weeks are ISO weeks starting Monday. The boards
of one metric and period instance (every scope) form a family sharing the key prefix
`<metric>:<period>:<period_key>:`, which is what the rebuild and the roll-over work on.
Badge boards are global only: a badge is earned by a person, not on a project.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

METRICS = ("time", "badges")
PERIODS = ("day", "week", "month", "all")
SCOPED_METRICS = ("time",)  # metrics that also have one board per project


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


def utc_day(now: datetime) -> date:
    return now.astimezone(UTC).date()


def scope_key(project_id: int | None) -> str:
    return "all" if project_id is None else f"p{project_id}"


@dataclass(frozen=True)
class Family:
    """Every board of one metric over one period instance: the global one and, for time,
    one per project."""

    metric: str
    period: str
    period_key: str
    first: date | None = None
    last: date | None = None

    @classmethod
    def of(cls, metric: str, period: str, day: date) -> "Family":
        first, last = period_range(period, day)
        return cls(metric, period, period_key(period, day), first, last)

    @property
    def prefix(self) -> str:
        return f"{self.metric}:{self.period}:{self.period_key}:"

    @property
    def scoped(self) -> bool:
        return self.metric in SCOPED_METRICS

    def board_key(self, project_id: int | None) -> str:
        return self.prefix + scope_key(project_id)

    def window(self) -> tuple[datetime | None, datetime | None]:
        """[start, end) of the period as UTC instants (None, None for all time)."""
        if self.first is None or self.last is None:
            return None, None
        start = datetime.combine(self.first, time(), tzinfo=UTC)
        return start, datetime.combine(self.last + timedelta(days=1), time(), tzinfo=UTC)


def current_families(now: datetime) -> list[Family]:
    """The families that GET /leaderboard reads at `now`."""
    day = utc_day(now)
    return [Family.of(metric, period, day) for metric in METRICS for period in PERIODS]


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
        return cls(metric, period, period_key(period, utc_day(now)), project_id)


def boards_of_scope(metric: str, day: date, project_id: int | None) -> list[Board]:
    """The boards of one scope (global, or one project's) that a score earned on `day`
    counts on: one per period."""
    return [Board(metric, period, period_key(period, day), project_id) for period in PERIODS]
