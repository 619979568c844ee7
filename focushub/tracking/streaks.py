"""Streaks: consecutive days in the user's timezone that each hold at least 15 minutes
of credited time (overlapping entries count once, focushub.tracking.credit). A streak is
still alive while yesterday counts and today does not yet. Profiles, the overview and the
`streak` badge all read it from here.

The per-day credit comes from one query whose rows are streamed and merged in start
order (credit.credited_by_local_day): memory is one number per day, never the history.
"""

from datetime import date, timedelta

from django.db.models import Min
from django.utils import timezone

from focushub.accounts.models import User
from focushub.tracking.aggregation import user_zone
from focushub.tracking.credit import credited_by_local_day
from focushub.tracking.models import TimeEntry

DAY_THRESHOLD_SECONDS = 15 * 60


def streak_for(user: User, *, today: date | None = None) -> tuple[int, int]:
    """(current, longest) streak in days. Running timers count up to now."""
    zone = user_zone(user)
    today = today or timezone.now().astimezone(zone).date()
    first_start = TimeEntry.objects.filter(user_id=user.pk).aggregate(first=Min("start_time"))["first"]
    if first_start is None:
        return 0, 0
    first_day = first_start.astimezone(zone).date()
    if first_day > today:
        return 0, 0
    seconds = credited_by_local_day(user_id=user.pk, tz=zone, first=first_day, last=today, now=timezone.now())
    run = longest = run_before_today = 0
    day = first_day
    while day <= today:
        if day == today:
            run_before_today = run
        run = run + 1 if seconds.get(day, 0) >= DAY_THRESHOLD_SECONDS else 0
        longest = max(longest, run)
        day += timedelta(days=1)
    current = run if seconds.get(today, 0) >= DAY_THRESHOLD_SECONDS else run_before_today
    return current, longest
