"""django-q2 tasks: thin doors onto the domain (STYLE.md §6). Each takes ids, calls a
service and holds no rule of its own; the schedule that runs them is workers.schedule."""

import logging

from django.utils import timezone

from focushub.accounts.services import refresh_tokens_purge_expired
from focushub.badges import services as badge_services
from focushub.leaderboards.rebuild import boards_rebuild_current, boards_roll_over
from focushub.tracking import aggregation
from focushub.tracking.services import time_entries_auto_stop_overdue

logger = logging.getLogger(__name__)


def badges_evaluate(user_id: int, entry_id: int | None = None) -> int:
    """Queued after every committed time-entry change; returns how many badges were awarded."""
    return len(badge_services.badges_evaluate(user_id=user_id, entry_id=entry_id))


def timers_auto_stop() -> int:
    """Every minute: stop the timers that ran past TIMER_MAX_HOURS; returns how many."""
    return time_entries_auto_stop_overdue()


def rollups_rebuild_today() -> int:
    """Every 10 minutes: recompute today's rollups and credit from the entries (and
    yesterday's during the first hour of the UTC day, for entries that crossed midnight;
    every day's, once, after the fair-play settings changed), then rebuild the
    current leaderboards from them, so any drift heals, and re-check the badges of
    everyone who changed anything since the last sweep, so a lost badge check heals too.
    Returns the rollup rows written."""
    written = aggregation.rebuild_recent_days(timezone.now())
    boards_rebuild_current()
    checked = badge_services.badges_sweep()
    logger.info("aggregation: %d rollup row(s) rebuilt, badges re-checked for %d user(s)", written, checked)
    return written


def day_close() -> None:
    """Daily at 00:05 UTC: roll the day/week/month boards over and expire old ones, and
    forget refresh tokens that can no longer be presented."""
    boards_roll_over()
    purged = refresh_tokens_purge_expired()
    logger.info("day close: %d expired refresh tokens purged", purged)
