"""Tests that place time just before now and read a day or week board need all of it
inside the current period; a run that happens to start just after midnight UTC (which
also begins every week and month) would put part of it in the last one."""

import time
from datetime import datetime, timedelta

from django.utils import timezone


def now_clear_of_midnight(span: timedelta) -> datetime:
    """The current second, such that [now - span, now] lies within today (UTC): when
    the day began less than `span` ago, wait until it no longer did."""
    now = timezone.now().replace(microsecond=0)
    midnight = now.replace(hour=0, minute=0, second=0)
    if now - midnight < span:
        time.sleep((midnight + span - now).total_seconds() + 1)
        now = timezone.now().replace(microsecond=0)
    return now
