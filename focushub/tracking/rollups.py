"""Daily rollups: seconds per (user, project, UTC date), kept exact incrementally.

Time is tracked to the whole second (services truncate timestamps), so splitting an
entry at UTC midnights gives integer pieces that add up to its duration exactly and
agree with the SQL rebuild (focushub.tracking.aggregation)."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from django.db.models import F

from focushub.tracking.models import DailyRollup, TimeEntry


def split_by_day(start: datetime, end: datetime, tz: tzinfo = UTC) -> dict[date, int]:
    """Seconds of [start, end) on each calendar day in `tz`. The arithmetic is done in UTC
    (Python subtracts two times of one zone on the wall clock, which a DST change breaks)."""
    pieces: dict[date, int] = {}
    cursor, end = start.astimezone(UTC), end.astimezone(UTC)
    while cursor < end:
        day = cursor.astimezone(tz).date()
        next_midnight = datetime.combine(day + timedelta(days=1), time(), tzinfo=tz).astimezone(UTC)
        piece_end = min(end, next_midnight)
        pieces[day] = pieces.get(day, 0) + int((piece_end - cursor).total_seconds())
        cursor = piece_end
    return pieces


def split_by_utc_day(start: datetime, end: datetime) -> dict[date, int]:
    return split_by_day(start, end, UTC)


def contribution(entry: TimeEntry | None) -> dict[tuple[int, date], tuple[int, int]]:
    """What a stopped entry adds to rollups: (project, day) -> (seconds, entries).
    A running entry adds nothing until it stops. The entry counts once, on its start day."""
    if entry is None or entry.end_time is None:
        return {}
    out: dict[tuple[int, date], tuple[int, int]] = {}
    start_day = entry.start_time.astimezone(UTC).date()
    for day, seconds in split_by_utc_day(entry.start_time, entry.end_time).items():
        out[(entry.project_id, day)] = (seconds, 1 if day == start_day else 0)
    return out


def diff(pairs: Iterable[tuple[TimeEntry | None, TimeEntry | None]]) -> dict[tuple[int, date], tuple[int, int]]:
    """Sum of after - before over (before, after) pairs, per (project, day); zero rows dropped."""
    total: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0])
    for before, after in pairs:
        for sign, entry in ((-1, before), (1, after)):
            for key, (seconds, entries) in contribution(entry).items():
                total[key][0] += sign * seconds
                total[key][1] += sign * entries
    return {k: (s, e) for k, (s, e) in total.items() if s or e}


def rollups_apply(*, user_id: int, changes: dict[tuple[int, date], tuple[int, int]]) -> None:
    """Add the changes in the caller's transaction. The caller holds the user's row
    lock, so no other transaction creates this user's rollup rows concurrently. Rows the
    changes empty stay until rollups_prune: their `credited` is what the credit refresh
    compares against to move the project boards."""
    for (project_id, day), (seconds, entries) in changes.items():
        updated = DailyRollup.objects.filter(user_id=user_id, project_id=project_id, date=day).update(
            seconds=F("seconds") + seconds, entries=F("entries") + entries
        )
        if not updated:
            DailyRollup.objects.create(
                user_id=user_id, project_id=project_id, date=day, seconds=seconds, entries=entries
            )


def rollups_prune(*, user_id: int, changes: dict[tuple[int, date], tuple[int, int]]) -> None:
    """Remove the rows these changes emptied, so rollups hold only days with tracked time,
    exactly what rebuild_rollups_for_day writes."""
    shrunk = {key for key, (seconds, _) in changes.items() if seconds < 0}
    if shrunk:
        DailyRollup.objects.filter(
            user_id=user_id,
            project_id__in={project_id for project_id, _ in shrunk},
            date__in={day for _, day in shrunk},
            seconds__lte=0,
            entries__lte=0,
        ).delete()
