"""What `migrate` leaves behind: the default badges and the django-q2 schedule.

Transactional tests flush every table, so instead of trusting whatever is left, each test
unapplies the data migration and applies it again on the test database, as a fresh
`migrate` would."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_q.models import Schedule

from focushub.badges.criteria import validate_criteria
from focushub.badges.models import Badge

DEFAULT_CRITERIA = {
    "first-entry": {"type": "entries", "count": 1},
    "ten-entries": {"type": "entries", "count": 10},
    "first-hour": {"type": "total_time", "seconds": 3600},
    "ten-hours": {"type": "total_time", "seconds": 36000},
    "hundred-hours": {"type": "total_time", "seconds": 360000},
    "deep-focus": {"type": "project_time", "seconds": 36000},
    "streak-3": {"type": "streak", "days": 3},
    "streak-7": {"type": "streak", "days": 7},
    "first-project": {"type": "projects_created", "count": 1},
    "early-bird": {"type": "early_bird", "before": "07:00"},
    "night-owl": {"type": "night_owl", "after": "23:00"},
}


def reapply(app: str, before: str | None, data_migration: str) -> None:
    """Unapply the data migration, clear what it made, and apply it again; then bring
    every app back to its latest migration, as the rest of the suite expects."""
    MigrationExecutor(connection).migrate([(app, before)])
    Schedule.objects.all().delete()
    Badge.objects.all().delete()
    MigrationExecutor(connection).migrate([(app, data_migration)])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_default_badges_are_created_by_migrate_and_valid(transactional_db):
    reapply("badges", "0001_initial", "0002_default_badges")
    badges = {badge.slug: badge for badge in Badge.objects.all()}
    assert {slug: badge.criteria for slug, badge in badges.items()} == DEFAULT_CRITERIA
    for badge in badges.values():
        assert validate_criteria(badge.criteria) == badge.criteria
        assert badge.active and badge.name and badge.description


def test_the_schedule_is_created_by_migrate(transactional_db):
    reapply("workers", None, "0001_schedule")
    rows = {s.name: (s.func, s.schedule_type, s.minutes) for s in Schedule.objects.all()}
    assert rows == {
        "timers_auto_stop": ("workers.tasks.timers_auto_stop", Schedule.MINUTES, 1),
        "rollups_rebuild_today": ("workers.tasks.rollups_rebuild_today", Schedule.MINUTES, 10),
        "day_close": ("workers.tasks.day_close", Schedule.DAILY, None),
    }
    next_close = Schedule.objects.get(name="day_close").next_run
    assert (next_close.hour, next_close.minute) == (0, 5)
