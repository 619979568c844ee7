"""Credited time: what boards and time badges count (docs/leaderboards.md, "Fair play").

A person's credited time on a UTC day is the union of the intervals of their entries
that count, clipped to that day: overlapping entries count once, so nobody is credited
more than 24 h a day. Per project, the same union over that project's entries. Raw,
per-entry durations stay what timesheets, exports and the overview's lists show.

An entry counts when it is stopped, its `source` is one the operator trusts
(BOARD_SOURCES) and, unless it is a live `timer` entry, its start lies no further back
than BOARD_BACKDATE_DAYS before the moment a person placed it there (`placed_at`).

Stored per (user, UTC day) in DailyCredit and per (user, project, UTC day) in
DailyRollup.credited. Every change of an entry refreshes only the days the entry touched
before and after the change (credit_refresh, a bounded read of that user's entries on
those days); the scheduled aggregation rebuilds whole days (credit_rebuild_day).
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db.models import F, Q

from focushub.tracking.models import CreditRules, DailyCredit, DailyRollup, TimeEntry
from focushub.tracking.rollups import split_by_day, split_by_utc_day

Interval = tuple[datetime, datetime]
MAX_ENTRY = timedelta(hours=24)  # services refuse longer entries: bounds every day read
DEFAULT_FINGERPRINT = "sources=edited,manual,timer;days=7"  # what migration 0002 computed


def counts_q(*, running: bool = False) -> Q:
    """The entries that count, as a filter the database applies; with `running`, a
    running timer that would count once stopped too (streaks count it up to now)."""
    window = timedelta(days=settings.BOARD_BACKDATE_DAYS)
    recent_enough = Q(source=TimeEntry.Source.TIMER) | Q(start_time__gte=F("placed_at") - window)
    trusted = Q(source__in=settings.BOARD_SOURCES) & recent_enough
    return trusted if running else trusted & Q(end_time__isnull=False)


def merged(ordered: Iterable[Interval]) -> Iterator[Interval]:
    """The union of intervals given in start order, as disjoint intervals, one at a time
    (so a streamed read is merged without holding it)."""
    span: Interval | None = None
    for start, end in ordered:
        if span is not None and start <= span[1]:
            span = (span[0], max(span[1], end))
            continue
        if span is not None:
            yield span
        span = (start, end)
    if span is not None:
        yield span


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """The union of the intervals as disjoint, sorted intervals."""
    return list(merged(sorted(intervals)))


def union_by_day(intervals: Iterable[Interval]) -> dict[date, int]:
    """Seconds of the union of the intervals, per UTC day."""
    out: dict[date, int] = defaultdict(int)
    for start, end in merge(intervals):
        for day, seconds in split_by_utc_day(start, end).items():
            out[day] += seconds
    return dict(out)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _intervals_on(user_id: int, days: set[date]) -> list[tuple[int, datetime, datetime]]:
    """(project, start, end) of the user's counting entries that touch any of the days.
    Entries last at most 24 h, so the read is bounded by the start_time index."""
    touching = Q()
    for day in days:
        lo, hi = _midnight(day), _midnight(day + timedelta(days=1))
        touching |= Q(start_time__gte=lo - MAX_ENTRY, start_time__lt=hi, end_time__gt=lo)
    rows = TimeEntry.objects.filter(touching, counts_q(), user_id=user_id)
    return list(rows.values_list("project_id", "start_time", "end_time"))


def credit_refresh(
    *, user_id: int, days: set[date], project_ids: set[int]
) -> tuple[dict[date, int], dict[int, dict[date, int]]]:
    """Recompute the user's credit on `days` (overall, and for `project_ids`) from their
    entries, store it, and return what changed: (overall delta per day, per project
    delta per day). The caller holds the user's row lock (every entry change does), and
    has already written the raw rollups, so each DailyRollup row that can hold credit
    exists."""
    if not days:
        return {}, {}
    rows = _intervals_on(user_id, days)
    overall = union_by_day((start, end) for _, start, end in rows)
    total_delta: dict[date, int] = {}
    stored = dict(DailyCredit.objects.filter(user_id=user_id, date__in=days).values_list("date", "seconds"))
    for day in days:
        new, old = overall.get(day, 0), stored.get(day, 0)
        if new == old:
            continue
        total_delta[day] = new - old
        if new == 0:
            DailyCredit.objects.filter(user_id=user_id, date=day).delete()
        elif day in stored:
            DailyCredit.objects.filter(user_id=user_id, date=day).update(seconds=new)
        else:
            DailyCredit.objects.create(user_id=user_id, date=day, seconds=new)
    project_delta: dict[int, dict[date, int]] = {}
    for project_id in project_ids:
        fresh = union_by_day((start, end) for pid, start, end in rows if pid == project_id)
        held = dict(
            DailyRollup.objects.filter(user_id=user_id, project_id=project_id, date__in=days).values_list(
                "date", "credited"
            )
        )
        for day in days:
            new, old = fresh.get(day, 0), held.get(day, 0)
            if new != old:
                project_delta.setdefault(project_id, {})[day] = new - old
                DailyRollup.objects.filter(user_id=user_id, project_id=project_id, date=day).update(credited=new)
    return total_delta, project_delta


def credit_rows_for_day(day: date, user_ids: set[int]) -> tuple[list[DailyCredit], dict[tuple[int, int], int]]:
    """From scratch, for the scheduled rebuild: every user's credit on one UTC day
    (DailyCredit rows) and per (user, project), streamed in start order."""
    lo, hi = _midnight(day), _midnight(day + timedelta(days=1))
    rows = (
        TimeEntry.objects.filter(counts_q(), user_id__in=user_ids, start_time__gte=lo - MAX_ENTRY,
                                 start_time__lt=hi, end_time__gt=lo)
        .order_by("user_id", "start_time")
        .values_list("user_id", "project_id", "start_time", "end_time")
    )
    by_user: dict[int, list[Interval]] = defaultdict(list)
    by_project: dict[tuple[int, int], list[Interval]] = defaultdict(list)
    for user_id, project_id, start, end in rows.iterator(chunk_size=5000):
        clipped = (max(start, lo), min(end, hi))
        by_user[user_id].append(clipped)
        by_project[(user_id, project_id)].append(clipped)
    credits = [
        DailyCredit(user_id=user_id, date=day, seconds=seconds)
        for user_id, intervals in by_user.items()
        if (seconds := union_by_day(intervals).get(day, 0))
    ]
    per_project = {key: union_by_day(intervals).get(day, 0) for key, intervals in by_project.items()}
    return credits, per_project


def credited_by_local_day(*, user_id: int, tz, first: date, last: date, now: datetime) -> dict[date, int]:
    """Credited seconds per calendar day in `tz` (for streaks, whose days are the
    person's own), from `first` to `last`; a running timer counts up to `now`. The
    entries are streamed in start order and merged on the way, so memory stays one
    number per day."""
    lo = datetime.combine(first, time(), tzinfo=tz).astimezone(UTC)
    hi = datetime.combine(last + timedelta(days=1), time(), tzinfo=tz).astimezone(UTC)
    rows = (
        TimeEntry.objects.filter(counts_q(running=True), user_id=user_id, start_time__lt=hi)
        .filter(Q(end_time__gt=lo) | Q(end_time__isnull=True))
        .order_by("start_time")
        .values_list("start_time", "end_time")
    )
    out: dict[date, int] = defaultdict(int)
    streamed = ((start, now if end is None else end) for start, end in rows.iterator(chunk_size=2000))
    for start, end in merged(streamed):
        for day, seconds in split_by_day(max(start, lo), min(end, hi), tz).items():
            out[day] += seconds
    return dict(out)


def rules_fingerprint() -> str:
    return f"sources={','.join(sorted(settings.BOARD_SOURCES))};days={settings.BOARD_BACKDATE_DAYS}"


def credit_rules_changed() -> bool:
    """Whether the stored credit was computed with other rules than the settings now say.
    A database that never recorded its rules (a fresh one) holds the defaults' credit."""
    stored = CreditRules.objects.values_list("fingerprint", flat=True).first()
    return (stored or DEFAULT_FINGERPRINT) != rules_fingerprint()


def credit_rules_recorded() -> None:
    """Record that the stored credit follows the current rules."""
    updated = CreditRules.objects.update(fingerprint=rules_fingerprint())
    if not updated:
        CreditRules.objects.create(fingerprint=rules_fingerprint())


def days_with_time() -> list[date]:
    """Every UTC day that holds tracked time, oldest first (one DISTINCT over rollups)."""
    return list(DailyRollup.objects.order_by("date").values_list("date", flat=True).distinct())
