"""Aggregation done by the database (SPEC §8): sums of the part of each entry that falls
inside a window, grouped in SQL, never by loading every entry into Python.

Stored times are whole seconds (the services truncate them) and `now` is truncated too,
so every sum here is a whole number of seconds and sums over different groupings of the
same window agree exactly.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import connection, transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum, Value
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone

from focushub.tracking.models import DailyRollup, TimeEntry

MAX_DAYS_PER_QUERY = 400


def user_zone(user) -> ZoneInfo:
    """The user's IANA zone; an unknown name falls back to UTC rather than failing a read."""
    try:
        return ZoneInfo(user.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def now_second() -> datetime:
    return timezone.now().replace(microsecond=0)


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)


def overlap(lo: datetime, hi: datetime, now: datetime | None = None):
    """Duration of an entry inside [lo, hi); running entries count up to `now` (or not at
    all when now is None)."""
    end = F("end_time") if now is None else Coalesce(F("end_time"), Value(now))
    span = ExpressionWrapper(Least(end, Value(hi)) - Greatest(F("start_time"), Value(lo)), output_field=DurationField())
    ends_after = Q(end_time__gt=lo)
    if now is not None:
        ends_after |= Q(end_time__isnull=True, start_time__lt=now)
    inside = Q(start_time__lt=hi) & ends_after
    return Sum(span, filter=inside, default=timedelta(0))


def _touching(user_id: int, lo: datetime, hi: datetime, now: datetime | None):
    entries = TimeEntry.objects.filter(user_id=user_id, start_time__lt=hi)
    if now is None:
        return entries.filter(end_time__gt=lo)
    return entries.filter(Q(end_time__gt=lo) | Q(end_time__isnull=True, start_time__lt=now))


def seconds_by_local_day(
    *,
    user_id: int,
    tz: ZoneInfo,
    first: date,
    last: date,
    include_running: bool = True,
    project_ids=None,
    now: datetime | None = None,
) -> dict[date, int]:
    """Tracked seconds per calendar day in `tz`, from `first` to `last` inclusive, in one
    query per 400 days (one conditional SUM per day). Running timers count up to `now`
    (default: the current second) unless include_running is False."""
    now = (now or now_second()) if include_running else None
    out: dict[date, int] = {}
    day = first
    while day <= last:
        chunk_last = min(last, day + timedelta(days=MAX_DAYS_PER_QUERY - 1))
        days = [day + timedelta(days=i) for i in range((chunk_last - day).days + 1)]
        lo, hi = local_midnight(days[0], tz), local_midnight(days[-1] + timedelta(days=1), tz)
        entries = _touching(user_id, lo, hi, now)
        if project_ids is not None:
            entries = entries.filter(project_id__in=project_ids)
        sums = entries.aggregate(
            **{
                f"d{i}": overlap(local_midnight(d, tz), local_midnight(d + timedelta(days=1), tz), now)
                for i, d in enumerate(days)
            }
        )
        for i, d in enumerate(days):
            out[d] = int(sums[f"d{i}"].total_seconds())
        day = chunk_last + timedelta(days=1)
    return out


def seconds_by_project(
    *, user_id: int, lo: datetime, hi: datetime, include_running: bool = True, now: datetime | None = None
) -> dict[int, int]:
    """Tracked seconds per project inside [lo, hi), one GROUP BY."""
    now = (now or now_second()) if include_running else None
    rows = _touching(user_id, lo, hi, now).values("project_id").annotate(total=overlap(lo, hi, now))
    return {row["project_id"]: int(row["total"].total_seconds()) for row in rows if row["total"]}


def _lock_rollups_for_rebuild() -> None:
    # PostgreSQL: SHARE ROW EXCLUSIVE waits for every transaction that is changing rollups
    # (their incremental updates then land in what we read) and holds new writers back
    # until we commit (their diffs then apply on top of the rebuilt rows). Without it a
    # writer committing between our read and our replace would be lost, or its INSERT
    # would collide with ours. SQLite needs nothing: its IMMEDIATE transactions serialise
    # all writers already.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {DailyRollup._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")


@transaction.atomic
def rebuild_rollups_for_day(day: date) -> int:
    """Recompute every rollup of one UTC day from the entries (GROUP BY user, project) and
    replace what is stored; returns the number of rollup rows written."""
    _lock_rollups_for_rebuild()
    lo = datetime.combine(day, time(), tzinfo=UTC)
    hi = lo + timedelta(days=1)
    rows = (
        TimeEntry.objects.filter(start_time__lt=hi, end_time__gt=lo)
        .values("user_id", "project_id")
        .annotate(total=overlap(lo, hi), started=Count("id", filter=Q(start_time__gte=lo)))
    )
    fresh = [
        DailyRollup(
            user_id=row["user_id"], project_id=row["project_id"], date=day,
            seconds=int(row["total"].total_seconds()), entries=row["started"],
        )
        for row in rows
    ]
    DailyRollup.objects.filter(date=day).delete()
    DailyRollup.objects.bulk_create(fresh, batch_size=5000)
    return len(fresh)
