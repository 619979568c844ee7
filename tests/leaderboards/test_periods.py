"""Periods are UTC days, ISO weeks starting Monday, calendar months and all time; an
entry crossing a boundary counts on each side for the part it covers."""

from datetime import date, timedelta

from focushub.leaderboards.boards import period_key, period_range
from tests.leaderboards.conftest import log_time, stored
from tests.support.cast import midnight_days_ago


def test_an_entry_crossing_utc_midnight_counts_on_both_days(person, new_project):
    owner = person()
    project_id = new_project(owner)
    midnight = midnight_days_ago(2)
    log_time(owner, project_id, seconds=3600, end=midnight + timedelta(minutes=20))
    before, after = (midnight - timedelta(days=1)).date(), midnight.date()
    assert stored(f"time:day:{before.isoformat()}:all") == {owner.id: 2400}
    assert stored(f"time:day:{after.isoformat()}:all") == {owner.id: 1200}
    assert stored(f"time:day:{after.isoformat()}:p{project_id}") == {owner.id: 1200}
    assert stored("time:all:all:all") == {owner.id: 3600}


def test_weeks_start_on_monday_in_utc(person, new_project):
    owner = person()
    project_id = new_project(owner)
    midnight = midnight_days_ago(2)
    while midnight.weekday() != 0:  # the latest Monday 00:00 UTC at least two days ago
        midnight -= timedelta(days=1)
    log_time(owner, project_id, seconds=1800, end=midnight + timedelta(minutes=10))
    sunday, monday = (midnight - timedelta(days=1)).date(), midnight.date()
    assert stored(f"time:week:{period_key('week', sunday)}:all") == {owner.id: 1200}
    assert stored(f"time:week:{period_key('week', monday)}:all") == {owner.id: 600}


def test_months_are_calendar_months_in_utc(person, new_project):
    owner = person()
    project_id = new_project(owner)
    first = midnight_days_ago(2)
    while first.day != 1:
        first -= timedelta(days=1)
    log_time(owner, project_id, seconds=900, end=first + timedelta(minutes=5))
    assert stored(f"time:month:{period_key('month', (first - timedelta(days=1)).date())}:all") == {owner.id: 600}
    assert stored(f"time:month:{period_key('month', first.date())}:all") == {owner.id: 300}


def test_period_keys_follow_iso_weeks_across_new_year():
    assert period_key("week", date(2026, 11, 29)) == "2026-W48"  # a Sunday
    assert period_key("week", date(2026, 11, 30)) == "2026-W49"  # the Monday after
    assert period_key("week", date(2027, 1, 1)) == "2026-W53"  # a Friday: still 2026's last week
    assert period_key("week", date(2021, 1, 3)) == "2020-W53"
    assert period_key("month", date(2026, 11, 30)) == "2026-11"
    assert period_key("day", date(2026, 11, 30)) == "2026-11-30"
    assert period_key("all", date(2026, 11, 30)) == "all"


def test_period_ranges_cover_whole_weeks_and_months():
    assert period_range("week", date(2027, 1, 1)) == (date(2026, 12, 28), date(2027, 1, 3))
    assert period_range("month", date(2028, 2, 10)) == (date(2028, 2, 1), date(2028, 2, 29))
    assert period_range("month", date(2026, 12, 31)) == (date(2026, 12, 1), date(2026, 12, 31))
    assert period_range("all", date(2026, 12, 31)) == (None, None)
