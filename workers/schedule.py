"""The one place the schedule is defined (README.md, "How it is built"). `ensure_schedules` is idempotent: run
by the workers data migration and by `manage.py setup_schedule`, it creates the missing
django-q2 Schedule rows, corrects changed ones and removes duplicates, keyed by name."""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

MINUTES = "I"  # django_q.models.Schedule.MINUTES; literal so historical models work too
DAILY = "D"


@dataclass(frozen=True)
class Job:
    name: str
    func: str
    schedule_type: str
    minutes: int | None = None
    daily_at: time | None = None  # UTC time of day, for DAILY jobs


JOBS = (
    Job("timers_auto_stop", "workers.tasks.timers_auto_stop", MINUTES, minutes=1),
    Job("rollups_rebuild_today", "workers.tasks.rollups_rebuild_today", MINUTES, minutes=10),
    Job("day_close", "workers.tasks.day_close", DAILY, daily_at=time(0, 5)),
)


def _first_run(job: Job, now: datetime) -> datetime:
    if job.daily_at is None:
        return now
    today = datetime.combine(now.astimezone(UTC).date(), job.daily_at, tzinfo=UTC)
    return today if today > now else today + timedelta(days=1)


def ensure_schedules(schedule_model=None) -> list[str]:
    """Create or correct every job's Schedule row; returns the names created.

    `schedule_model` is the historical model inside a migration, django_q's otherwise.
    An existing row keeps its next_run (re-running must not postpone or repeat a job),
    except a daily job whose run time no longer matches, which is moved to the right time.
    """
    if schedule_model is None:
        from django_q.models import Schedule as schedule_model

    now = timezone.now()
    created = []
    with transaction.atomic():
        for job in JOBS:
            fields = {"func": job.func, "schedule_type": job.schedule_type, "minutes": job.minutes, "repeats": -1}
            # Rows are locked so two concurrent runs correct them one after the other; two
            # runs that both find none may each create one, and the next run removes the copy.
            rows = list(schedule_model.objects.select_for_update().filter(name=job.name).order_by("id"))
            if not rows:
                schedule_model.objects.create(name=job.name, next_run=_first_run(job, now), **fields)
                created.append(job.name)
                continue
            keep, duplicates = rows[0], rows[1:]
            schedule_model.objects.filter(pk__in=[row.pk for row in duplicates]).delete()
            for field, value in fields.items():
                setattr(keep, field, value)
            misplaced = keep.next_run is None or keep.next_run.astimezone(UTC).time() != job.daily_at
            if job.daily_at is not None and misplaced:
                keep.next_run = _first_run(job, now)
            keep.save()
    return created
