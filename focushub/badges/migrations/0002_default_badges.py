"""The badges every installation starts with (docs/gamification.md). Self-contained on purpose: a data
migration must keep producing the same rows whatever later code does."""

from django.db import migrations

DEFAULT_BADGES = [
    ("first-entry", "First steps", "Completed your first time entry.", {"type": "entries", "count": 1}),
    ("ten-entries", "Getting into it", "Completed 10 time entries.", {"type": "entries", "count": 10}),
    ("first-hour", "First hour", "Tracked 1 hour in total.", {"type": "total_time", "seconds": 3600}),
    ("ten-hours", "Ten hours", "Tracked 10 hours in total.", {"type": "total_time", "seconds": 36000}),
    ("hundred-hours", "Centurion", "Tracked 100 hours in total.", {"type": "total_time", "seconds": 360000}),
    ("deep-focus", "Deep focus", "Tracked 10 hours on one project.", {"type": "project_time", "seconds": 36000}),
    ("streak-3", "Three in a row", "Tracked at least 15 minutes on 3 consecutive days.", {"type": "streak", "days": 3}),
    ("streak-7", "Week warrior", "Tracked at least 15 minutes on 7 consecutive days.", {"type": "streak", "days": 7}),
    ("first-project", "Founder", "Created your first project.", {"type": "projects_created", "count": 1}),
    ("early-bird", "Early bird", "Started a timer before 07:00 your time.", {"type": "early_bird", "before": "07:00"}),
    ("night-owl", "Night owl", "Started a timer after 23:00 your time.", {"type": "night_owl", "after": "23:00"}),
]


def add_default_badges(apps, schema_editor):
    Badge = apps.get_model("badges", "Badge")
    for slug, name, description, criteria in DEFAULT_BADGES:
        Badge.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "criteria": criteria, "active": True}
        )


def remove_default_badges(apps, schema_editor):
    Badge = apps.get_model("badges", "Badge")
    Badge.objects.filter(slug__in=[slug for slug, *_ in DEFAULT_BADGES]).delete()


class Migration(migrations.Migration):
    dependencies = [("badges", "0001_initial")]

    operations = [migrations.RunPython(add_default_badges, remove_default_badges)]
