"""Every change to time entries goes through these functions, whichever door (REST,
websocket, scheduled job) asked. Each one, in one transaction: locks the user's row,
changes entries, keeps rollups and leaderboards exact, writes its timeline events; then
after commit queues the badge check."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_q.tasks import async_task

from focushub.accounts.models import User
from focushub.errors import Conflict, NotFound, ValidationFailed
from focushub.leaderboards.services import scores_add_time
from focushub.projects.models import Project
from focushub.projects.selectors import project_for_tracking
from focushub.timeline.services import event_record
from focushub.tracking import rollups
from focushub.tracking.models import TimeEntry
from focushub.tracking.presenters import entry_data

MAX_FUTURE = timedelta(seconds=60)
MAX_ENTRY = timedelta(hours=24)
MAX_DESCRIPTION = 500


@dataclass(frozen=True)
class StartResult:
    entry: TimeEntry
    stopped: TimeEntry | None


def _now() -> datetime:
    return timezone.now().replace(microsecond=0)


def _second(value: datetime) -> datetime:
    return value.replace(microsecond=0)


def _lock_user(user_id: int) -> User:
    # Serialises all time-entry changes of one user (two tabs pressing start at once,
    # the auto-stop job racing a manual stop), which also makes the rollup upserts safe.
    return User.objects.select_for_update().get(pk=user_id)


def _clean_description(description) -> str:
    if description is None:
        return ""
    if not isinstance(description, str):
        raise ValidationFailed({"description": ["Must be a string."]})
    if len(description) > MAX_DESCRIPTION:
        raise ValidationFailed({"description": [f"At most {MAX_DESCRIPTION} characters."]})
    return description


def _account(user: User, before: TimeEntry | None, after: TimeEntry | None) -> None:
    """Keep rollups and leaderboards exact for a change from `before` to `after`."""
    changes = rollups.diff(before, after)
    if not changes:
        return
    rollups.rollups_apply(user_id=user.pk, changes=changes)
    by_project: dict[int, dict] = {}
    for (project_id, day), (seconds, _) in changes.items():
        by_project.setdefault(project_id, {})[day] = seconds
    for project_id, seconds_by_day in by_project.items():
        scores_add_time(user=user, project_id=project_id, seconds_by_day=seconds_by_day)


def _after_commit_check_badges(user_id: int, entry_id: int | None) -> None:
    transaction.on_commit(lambda: async_task("workers.tasks.badges_evaluate", user_id, entry_id))


def _stop(user: User, entry: TimeEntry, end: datetime) -> TimeEntry:
    before = TimeEntry.objects.get(pk=entry.pk)
    # Stopping within the second the timer started still yields a valid (1 s) entry.
    entry.end_time = max(_second(end), entry.start_time + timedelta(seconds=1))
    entry.duration = int((entry.end_time - entry.start_time).total_seconds())
    entry.save(update_fields=["end_time", "duration", "updated_at"])
    _account(user, before, entry)
    return entry


def _running(user_id: int) -> TimeEntry | None:
    return TimeEntry.objects.select_related("project").filter(user_id=user_id, end_time__isnull=True).first()


@transaction.atomic
def time_entry_start(*, user: User, project_id, description: str | None = "") -> StartResult:
    """Start a timer; a running one stops at the same instant (Toggl's behaviour)."""
    description = _clean_description(description)
    project = project_for_tracking(user_id=user.pk, project_id=project_id)
    user = _lock_user(user.pk)
    now = _now()
    stopped = _running(user.pk)
    if stopped is not None:
        _stop(user, stopped, now)
    try:
        with transaction.atomic():
            entry = TimeEntry.objects.create(user=user, project=project, start_time=now, description=description)
    except IntegrityError as exc:  # the partial unique index is the last line of defence
        raise Conflict("timer_already_running", "Another timer started at the same time.") from exc
    if stopped is not None:
        event_record(actor_id=user.pk, kind="timer.stopped", project=stopped.project,
                     payload={"entry": entry_data(stopped)})
    event_record(actor_id=user.pk, kind="timer.started", project=project,
                 payload={"entry": entry_data(entry), "stopped": stopped.pk if stopped else None})
    if stopped is not None:
        _after_commit_check_badges(user.pk, stopped.pk)
    _after_commit_check_badges(user.pk, entry.pk)
    return StartResult(entry=entry, stopped=stopped)


@transaction.atomic
def time_entry_stop(*, user: User) -> TimeEntry:
    user = _lock_user(user.pk)
    entry = _running(user.pk)
    if entry is None:
        raise Conflict("no_running_timer", "No timer is running.")
    _stop(user, entry, _now())
    event_record(actor_id=user.pk, kind="timer.stopped", project=entry.project, payload={"entry": entry_data(entry)})
    _after_commit_check_badges(user.pk, entry.pk)
    return entry


def _validate_span(start: datetime, end: datetime | None, now: datetime) -> None:
    errors: dict[str, list[str]] = {}
    if start > now + MAX_FUTURE:
        errors["start_time"] = ["Must not be more than 60 seconds in the future."]
    if end is not None:
        if end > now + MAX_FUTURE:
            errors["end_time"] = ["Must not be more than 60 seconds in the future."]
        if end <= start:
            errors.setdefault("end_time", []).append("Must be after start_time.")
        elif end - start > MAX_ENTRY:
            errors.setdefault("end_time", []).append("An entry may last at most 24 hours.")
    if errors:
        raise ValidationFailed(errors)


@transaction.atomic
def time_entry_create(
    *, user: User, project_id, start_time: datetime, end_time: datetime, description: str | None = ""
) -> TimeEntry:
    """A manual (already finished) entry."""
    description = _clean_description(description)
    start, end = _second(start_time), _second(end_time)
    _validate_span(start, end, timezone.now())
    project = project_for_tracking(user_id=user.pk, project_id=project_id)
    user = _lock_user(user.pk)
    entry = TimeEntry.objects.create(
        user=user, project=project, start_time=start, end_time=end,
        duration=int((end - start).total_seconds()), description=description,
    )
    _account(user, None, entry)
    event_record(actor_id=user.pk, kind="entry.created", project=project, payload={"entry": entry_data(entry)})
    _after_commit_check_badges(user.pk, entry.pk)
    return entry


def _own_entry(user_id: int, entry_id) -> TimeEntry:
    try:
        entry_id = int(entry_id)
    except (TypeError, ValueError) as exc:
        raise NotFound() from exc
    entry = TimeEntry.objects.select_for_update().select_related("project").filter(pk=entry_id, user_id=user_id).first()
    if entry is None:
        raise NotFound()
    return entry


_UNSET = object()


@transaction.atomic
def time_entry_update(
    *, user: User, entry_id, project_id=_UNSET, description=_UNSET, start_time=_UNSET, end_time=_UNSET
) -> TimeEntry:
    """Edit an entry; duration is re-derived. A running entry stays running unless an
    end_time is given."""
    user = _lock_user(user.pk)
    entry = _own_entry(user.pk, entry_id)
    before = TimeEntry.objects.get(pk=entry.pk)
    if description is not _UNSET:
        entry.description = _clean_description(description)
    if project_id is not _UNSET and project_id != entry.project_id:
        entry.project = project_for_tracking(user_id=user.pk, project_id=project_id)
    if start_time is not _UNSET:
        entry.start_time = _second(start_time)
    if end_time is not _UNSET:
        if end_time is None and entry.end_time is not None:
            raise ValidationFailed({"end_time": ["A stopped entry cannot be restarted; start a new timer."]})
        entry.end_time = _second(end_time) if end_time is not None else None
    _validate_span(entry.start_time, entry.end_time, timezone.now())
    if entry.end_time is None and entry.start_time > _now():
        raise ValidationFailed({"start_time": ["A running timer cannot start in the future."]})
    entry.duration = None if entry.end_time is None else int((entry.end_time - entry.start_time).total_seconds())
    entry.save()
    _account(user, before, entry)
    event_record(actor_id=user.pk, kind="entry.updated", project=entry.project, payload={"entry": entry_data(entry)})
    _after_commit_check_badges(user.pk, entry.pk)
    return entry


@transaction.atomic
def time_entry_delete(*, user: User, entry_id) -> None:
    """Delete an entry and take its seconds back off every total."""
    user = _lock_user(user.pk)
    entry = _own_entry(user.pk, entry_id)
    project: Project = entry.project
    data = entry_data(entry)
    _account(user, entry, None)
    entry.delete()
    event_record(actor_id=user.pk, kind="entry.deleted", project=project, payload={"entry": data})
    _after_commit_check_badges(user.pk, None)


@transaction.atomic
def time_entry_auto_stop(*, entry_id: int) -> TimeEntry | None:
    """Stop a timer that ran past TIMER_MAX_HOURS at start + max (not at "now"), so the
    entry does not claim hours nobody tracked. Returns None if it was stopped meanwhile."""
    entry = TimeEntry.objects.filter(pk=entry_id, end_time__isnull=True).first()
    if entry is None:
        return None
    user = _lock_user(entry.user_id)
    entry = TimeEntry.objects.select_related("project").filter(pk=entry_id, end_time__isnull=True).first()
    max_run = timedelta(hours=settings.TIMER_MAX_HOURS)
    if entry is None or timezone.now() - entry.start_time <= max_run:
        return None
    _stop(user, entry, entry.start_time + max_run)
    event_record(
        actor_id=user.pk, kind="timer.auto_stopped", project=entry.project,
        payload={"entry": entry_data(entry), "max_hours": settings.TIMER_MAX_HOURS},
    )
    _after_commit_check_badges(user.pk, entry.pk)
    return entry
