"""Fair play: where each entry's time came from, when a person placed it, and the
credited (union) time boards count. Existing entries: one created within a minute of its
start was started live (`timer`), any other was typed in (`manual`); placed_at is when it
was created. Credit is computed here once with the default rules (every source, 7 days);
afterwards the services keep it and the scheduled aggregation rebuilds it."""

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta

import django.utils.timezone
from django.db import migrations, models
from django.db.models import F

WINDOW = timedelta(days=7)


def _split(start, end):
    cursor, pieces = start.astimezone(UTC), {}
    end = end.astimezone(UTC)
    while cursor < end:
        midnight = datetime.combine(cursor.date() + timedelta(days=1), time(), tzinfo=UTC)
        piece_end = min(end, midnight)
        pieces[cursor.date()] = int((piece_end - cursor).total_seconds())
        cursor = piece_end
    return pieces


def _union(intervals):
    merged = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out = defaultdict(int)
    for start, end in merged:
        for day, seconds in _split(start, end).items():
            out[day] += seconds
    return out


def backfill(apps, schema_editor):
    TimeEntry = apps.get_model("tracking", "TimeEntry")
    DailyRollup = apps.get_model("tracking", "DailyRollup")
    DailyCredit = apps.get_model("tracking", "DailyCredit")
    TimeEntry.objects.update(placed_at=F("created_at"))
    TimeEntry.objects.filter(created_at__gt=F("start_time") + timedelta(seconds=60)).update(source="manual")
    rows = (
        TimeEntry.objects.filter(end_time__isnull=False)
        .order_by("user_id", "start_time")
        .values_list("user_id", "project_id", "start_time", "end_time", "source", "placed_at")
    )
    current, overall, per_project = None, [], defaultdict(list)

    def flush(user_id):
        if user_id is None:
            return
        DailyCredit.objects.bulk_create(
            [DailyCredit(user_id=user_id, date=day, seconds=s) for day, s in _union(overall).items() if s]
        )
        for project_id, intervals in per_project.items():
            for day, seconds in _union(intervals).items():
                DailyRollup.objects.filter(user_id=user_id, project_id=project_id, date=day).update(credited=seconds)

    for user_id, project_id, start, end, source, placed_at in rows.iterator(chunk_size=5000):
        if user_id != current:
            flush(current)
            current, overall, per_project = user_id, [], defaultdict(list)
        if source != "timer" and start < placed_at - WINDOW:
            continue
        overall.append((start, end))
        per_project[project_id].append((start, end))
    flush(current)


class Migration(migrations.Migration):
    dependencies = [
        ("tracking", "0001_initial"),
        ("accounts", "0003_leaderboard_hidden"),
    ]

    operations = [
        migrations.AddField(
            model_name="timeentry",
            name="source",
            field=models.CharField(
                choices=[("timer", "Timer"), ("manual", "Manual"), ("edited", "Edited")], default="timer", max_length=8
            ),
        ),
        migrations.AddField(
            model_name="timeentry",
            name="placed_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name="dailyrollup",
            name="credited",
            field=models.BigIntegerField(default=0),
        ),
        migrations.CreateModel(
            name="DailyCredit",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("date", models.DateField()),
                ("seconds", models.BigIntegerField()),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=models.deletion.CASCADE, related_name="credits", to="accounts.user"
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["date", "user"], name="tracking_da_date_424a6c_idx")],
                "constraints": [
                    models.UniqueConstraint(fields=("user", "date"), name="credit_unique"),
                    models.CheckConstraint(
                        condition=models.Q(("seconds__gt", 0), ("seconds__lte", 86400)), name="credit_within_a_day"
                    ),
                ],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
