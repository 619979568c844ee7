"""Aggregation done by the database (docs/tracking.md): sums of the part of each entry that falls
inside a window, grouped in SQL, never by loading every entry into Python.

Stored times are whole seconds (the services truncate them) and `now` is truncated too,
so every sum here is a whole number of seconds and sums over different groupings of the
same window agree exactly.
"""

import logging
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum, Value
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone

from focushub.projects.locks import projects_lock_shared, users_lock
from focushub.tracking.credit import (
    credit_rows_for_day,
    credit_rules_changed,
    credit_rules_recorded,
    days_with_time,
    rules_fingerprint,
)
from focushub.tracking.models import DailyCredit, DailyRollup, TimeEntry
from focushub.transactions import service

logger = logging.getLogger(__name__)

MAX_DAYS_PER_QUERY = 400
BATCH = 5000


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


@service
def rebuild_rollups_for_day(day: date) -> int:
    """Recompute every rollup of one UTC day from the entries (GROUP BY user, project),
    and every credit of that day (focushub.tracking.credit), and replace what is stored;
    returns the number of rollup rows written.

    Locking follows focushub/projects/locks.py: first every user with entries or rollups
    on that day (so none of their changes is in flight and their rows are ours to
    replace), then the projects the rows will point at; only then the read and the
    replace. A user who starts tracking on that day after the users were listed keeps
    their incrementally kept rows until the next rebuild."""
    lo = datetime.combine(day, time(), tzinfo=UTC)
    hi = lo + timedelta(days=1)
    on_day = TimeEntry.objects.filter(start_time__lt=hi, end_time__gt=lo)
    involved = set(on_day.values_list("user_id", flat=True).distinct())
    involved |= set(DailyRollup.objects.filter(date=day).values_list("user_id", flat=True).distinct())
    users = users_lock(involved)
    projects_lock_shared(on_day.values_list("project_id", flat=True).distinct())
    rows = on_day.values("user_id", "project_id").annotate(
        total=overlap(lo, hi), started=Count("id", filter=Q(start_time__gte=lo))
    )
    credits, credited = credit_rows_for_day(day, set(users))
    fresh = [
        DailyRollup(
            user_id=row["user_id"], project_id=row["project_id"], date=day,
            seconds=int(row["total"].total_seconds()), entries=row["started"],
            credited=credited.get((row["user_id"], row["project_id"]), 0),
        )
        for row in rows
        if row["user_id"] in users
    ]
    ids = sorted(users)
    for start in range(0, len(ids), BATCH):
        DailyRollup.objects.filter(date=day, user_id__in=ids[start : start + BATCH]).delete()
        DailyCredit.objects.filter(date=day, user_id__in=ids[start : start + BATCH]).delete()
    DailyRollup.objects.bulk_create(fresh, batch_size=BATCH)
    DailyCredit.objects.bulk_create(credits, batch_size=BATCH)
    return len(fresh)


def rebuild_recent_days(now: datetime) -> int:
    """The scheduled aggregation's days: today, yesterday too during the first UTC hour
    (entries that crossed midnight), and every day with time once after the operator
    changed what counts (BOARD_SOURCES, BOARD_BACKDATE_DAYS: credit.credit_rules_changed).
    Returns the rollup rows written."""
    days = {now.date()}
    if now.hour == 0:
        days.add(now.date() - timedelta(days=1))
    if credit_rules_changed():
        days |= set(days_with_time())
        logger.info("fair-play rules now %s: recomputing %d day(s)", rules_fingerprint(), len(days))
    written = sum(rebuild_rollups_for_day(day) for day in sorted(days))
    credit_rules_recorded()
    return written
