"""GET /activity/overview (docs/api.md): a user's time over a range of days in their own
timezone. Tracked numbers come from SQL aggregates (focushub.tracking.aggregation);
credited ones from the entries of the range streamed in start order
(focushub.tracking.credit); only the ten most recent entries are loaded as rows."""

from datetime import date, timedelta

from focushub.accounts.models import User
from focushub.errors import ValidationFailed
from focushub.projects.models import Project
from focushub.replicas import lag_tolerant
from focushub.tracking.aggregation import (
    local_midnight,
    now_second,
    seconds_by_local_day,
    seconds_by_project,
    user_zone,
)
from focushub.tracking.credit import credited_by_local_day
from focushub.tracking.selectors import entries_of_user
from focushub.tracking.streaks import streak_for

DEFAULT_DAYS = 7
MAX_DAYS = 366
RECENT_ENTRIES = 10
EARLIEST = date(1970, 1, 2)
LATEST = date(2999, 12, 31)


def overview_range(*, user: User, first: date | None, last: date | None) -> tuple[date, date]:
    """Defaults: `to` is today in the user's timezone, `from` six days before `to`."""
    zone = user_zone(user)
    last = last or now_second().astimezone(zone).date()
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    errors: dict[str, list[str]] = {}
    for name, value in (("from", first), ("to", last)):
        if not EARLIEST <= value <= LATEST:
            errors[name] = [f"Must be between {EARLIEST} and {LATEST}."]
    if not errors and first > last:
        errors["from"] = ["Must not be after `to`."]
    elif not errors and (last - first).days + 1 > MAX_DAYS:
        errors["to"] = [f"A range covers at most {MAX_DAYS} days."]
    if errors:
        raise ValidationFailed(errors)
    return first, last


@lag_tolerant
def activity_overview(*, user: User, first: date | None = None, last: date | None = None) -> dict:
    """Read from a replica when one is close enough (focushub/replicas.py): the overview's
    sums may trail the latest change by DATABASE_REPLICA_MAX_LAG, while the entries list
    (GET /time-entries) shows it at once."""
    first, last = overview_range(user=user, first=first, last=last)
    zone = user_zone(user)
    # One `now` for every sum, so running time agrees between by_day and by_project.
    now = now_second()
    by_day = seconds_by_local_day(user_id=user.pk, tz=zone, first=first, last=last, now=now)
    # What boards and badges count (overlaps once, back-dated entries not at all), beside
    # what was tracked, so a person sees why the two differ.
    credited = credited_by_local_day(user_id=user.pk, tz=zone, first=first, last=last, now=now)
    lo, hi = local_midnight(first, zone), local_midnight(last + timedelta(days=1), zone)
    by_project = seconds_by_project(user_id=user.pk, lo=lo, hi=hi, now=now)
    projects = Project.objects.in_bulk(list(by_project))
    current, longest = streak_for(user)
    return {
        "from": first,
        "to": last,
        "timezone": zone.key,
        "total": sum(by_day.values()),
        "credited": sum(credited.get(day, 0) for day in by_day),
        "by_day": [
            {"date": day, "seconds": seconds, "credited": credited.get(day, 0)}
            for day, seconds in sorted(by_day.items())
        ],
        "by_project": [
            {"project": projects[project_id], "seconds": seconds}
            for project_id, seconds in sorted(by_project.items(), key=lambda item: (-item[1], item[0]))
            if project_id in projects
        ],
        "recent_entries": list(entries_of_user(user_id=user.pk, start=lo, end=hi)[:RECENT_ENTRIES]),
        "streak": {"current": current, "longest": longest},
    }
