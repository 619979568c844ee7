"""workers.schedule.ensure_schedules: the one idempotent definition of the schedule."""

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django_q.models import Schedule

from workers.schedule import ensure_schedules

NAMES = {"timers_auto_stop", "rollups_rebuild_today", "day_close"}


@pytest.fixture
def no_schedule(db):
    Schedule.objects.all().delete()


def snapshot() -> dict:
    return {s.name: (s.func, s.schedule_type, s.minutes, s.repeats, s.next_run) for s in Schedule.objects.all()}


def test_ensure_schedules_creates_each_job_once_however_often_it_runs(no_schedule):
    assert set(ensure_schedules()) == NAMES
    first = snapshot()
    assert ensure_schedules() == []
    assert ensure_schedules() == []
    assert snapshot() == first
    assert Schedule.objects.count() == 3


def test_the_daily_close_runs_at_five_past_midnight_utc(no_schedule):
    ensure_schedules()
    close = Schedule.objects.get(name="day_close")
    assert close.next_run.astimezone(UTC).time().isoformat() == "00:05:00"
    assert close.next_run > datetime.now(UTC)


def test_ensure_schedules_repairs_edited_and_duplicated_rows(no_schedule):
    ensure_schedules()
    Schedule.objects.filter(name="timers_auto_stop").update(minutes=30, func="somewhere.else")
    Schedule.objects.filter(name="day_close").update(next_run=datetime(2030, 1, 1, 13, 0, tzinfo=UTC))
    Schedule.objects.create(name="rollups_rebuild_today", func="workers.tasks.rollups_rebuild_today",
                            schedule_type=Schedule.MINUTES, minutes=10)
    assert ensure_schedules() == []
    rows = snapshot()
    assert Schedule.objects.count() == 3
    assert rows["timers_auto_stop"][:3] == ("workers.tasks.timers_auto_stop", Schedule.MINUTES, 1)
    assert rows["day_close"][4].astimezone(UTC).time().isoformat() == "00:05:00"


def test_the_setup_schedule_command_is_the_same_idempotent_function(no_schedule):
    out = StringIO()
    call_command("setup_schedule", stdout=out)
    call_command("setup_schedule", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[:3] == [
        "timers_auto_stop: workers.tasks.timers_auto_stop (created)",
        "rollups_rebuild_today: workers.tasks.rollups_rebuild_today (created)",
        "day_close: workers.tasks.day_close (created)",
    ]
    assert all(line.endswith("(up to date)") for line in lines[3:])
    assert Schedule.objects.count() == 3
