"""Every change to time entries goes through these functions, whichever door (REST,
websocket, scheduled job) asked. Each one, in one transaction: locks the user's row, then
the projects it touches (lock order: focushub/projects/locks.py), changes entries, keeps
rollups, credit and leaderboards exact, writes its timeline events last, and queues the
badge check for after commit: the last three in one step, entry_changed
(focushub/tracking/accounting.py)."""

import copy
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from focushub.accounts.models import User
from focushub.errors import Conflict, NotFound, ValidationFailed
from focushub.ids import parse_id
from focushub.projects.locks import projects_lock_shared, user_lock
from focushub.projects.selectors import ensure_can_track, project_for_tracking, project_with_role
from focushub.projects.validation import storable_text
from focushub.tracking.accounting import entry_changed
from focushub.tracking.models import TimeEntry
from focushub.tracking.presenters import entry_data, start_data
from focushub.tracking.selectors import entry_of_user, running_entry
from focushub.transactions import service

logger = logging.getLogger(__name__)

MAX_FUTURE = timedelta(seconds=60)
MAX_ENTRY = timedelta(hours=24)
MAX_DESCRIPTION = 500
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


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
    # The entries are then read without row locks (tracking.selectors): this lock covers them.
    user = user_lock(user_id)
    if user is None:
        raise NotFound()
    return user


def _clean_description(description) -> str:
    if description is None:
        return ""
    if not isinstance(description, str):
        raise ValidationFailed({"description": ["Must be a string."]})
    description = description.strip()
    if len(description) > MAX_DESCRIPTION:
        raise ValidationFailed({"description": [f"At most {MAX_DESCRIPTION} characters."]})
    if not storable_text(description):
        raise ValidationFailed({"description": ["Contains characters that cannot be stored."]})
    return description


def _stop(entry: TimeEntry, end: datetime) -> TimeEntry:
    """Stop the running entry at `end`; returns it as it was, for the accounting."""
    before = copy.copy(entry)
    # A timer never claims more than TIMER_MAX_HOURS, even when the auto-stop job runs
    # late; stopping within the second it started still yields a valid (1 s) entry.
    latest = entry.start_time + timedelta(hours=settings.TIMER_MAX_HOURS)
    entry.end_time = max(min(_second(end), latest), entry.start_time + timedelta(seconds=1))
    entry.duration = int((entry.end_time - entry.start_time).total_seconds())
    entry.save(update_fields=["end_time", "duration", "updated_at"])
    return before


@service
def time_entry_start(*, user: User, project_id, description: str | None = "") -> StartResult:
    """Start a timer; a running one stops at the same instant (Toggl's behaviour).
    `project_id` is taken as sent (REST body, socket message) and checked here, so every
    door answers a missing or malformed one alike: validation_error, not not_found."""
    if project_id is None:
        raise ValidationFailed({"project": ["This field is required."]})
    if parse_id(project_id) is None:
        raise ValidationFailed({"project": ["Must be a project id (a positive integer)."]})
    description = _clean_description(description)
    user = _lock_user(user.pk)
    # Checked under the user lock: a removal from the project takes the same lock, so it
    # lands entirely before or entirely after this start.
    project = project_for_tracking(user_id=user.pk, project_id=project_id)
    running = running_entry(user_id=user.pk)
    alive = projects_lock_shared([project.pk, running.project_id if running else None])
    if project.pk not in alive:
        raise NotFound()
    if running is not None and running.project_id not in alive:
        running = running_entry(user_id=user.pk)  # its project was deleted while we waited, and the entry with it
    now = _now()
    was_running = _stop(running, now) if running is not None else None
    try:
        with transaction.atomic():
            entry = TimeEntry.objects.create(
                user=user, project=project, start_time=now, description=description,
                source=TimeEntry.Source.TIMER, placed_at=now,
            )
    except IntegrityError as exc:  # the partial unique index is the last line of defence
        raise Conflict("timer_already_running", "Another timer started at the same time.") from exc
    if running is not None:
        entry_changed(user, was_running, running, kind="timer.stopped")
    entry_changed(user, None, entry, kind="timer.started", payload=start_data(entry, running))
    return StartResult(entry=entry, stopped=running)


@service
def time_entry_stop(*, user: User) -> TimeEntry:
    user = _lock_user(user.pk)
    entry = running_entry(user_id=user.pk)
    if entry is not None and entry.project_id not in projects_lock_shared([entry.project_id]):
        entry = None  # deleted together with its project while we waited
    if entry is None:
        raise Conflict("no_running_timer", "No timer is running.")
    entry_changed(user, _stop(entry, _now()), entry, kind="timer.stopped")
    return entry


@service
def time_entry_stop_on_lost_access(*, user_id: int, project_id: int) -> TimeEntry | None:
    """Stop the user's running timer if it runs on `project_id`. Called when they leave
    the project or become a viewer: only trackers may keep time running on it."""
    user = _lock_user(user_id)
    entry = running_entry(user_id=user.pk)
    if entry is None or entry.project_id != project_id or not projects_lock_shared([project_id]):
        return None
    before = _stop(entry, _now())
    entry_changed(user, before, entry, kind="timer.stopped",
                  payload={"entry": entry_data(entry), "reason": "access_revoked"})
    return entry


def _checked_span(start: datetime, end: datetime | None, now: datetime) -> tuple[datetime, datetime | None]:
    """The span to store: end after start, at most 24 h, neither more than 60 s ahead of
    the server's clock; a running entry (no end) started at most TIMER_MAX_HOURS ago.
    The 60 s forgive a client's clock running fast, and such a time is stored as the
    server's now: no entry ends after it was written (docs/api.md, "Times")."""
    errors: dict[str, list[str]] = {}
    now = _second(now)
    start = min(start, now) if start <= now + MAX_FUTURE else start
    if end is not None and now < end <= now + MAX_FUTURE:
        # Stopped "now" within the second it started still lasts 1 s, as a stop does.
        end = max(now, start + timedelta(seconds=1))
    if start < EARLIEST:
        errors["start_time"] = ["Must not be before 1970-01-01."]
    elif start > now + MAX_FUTURE:
        errors["start_time"] = ["Must not be more than 60 seconds in the future."]
    elif end is None and now - start > timedelta(hours=settings.TIMER_MAX_HOURS):
        errors["start_time"] = [f"A running timer cannot have started more than {settings.TIMER_MAX_HOURS} h ago."]
    if end is not None:
        if end > now + MAX_FUTURE:
            errors["end_time"] = ["Must not be more than 60 seconds in the future."]
        if end <= start:
            errors.setdefault("end_time", []).append("Must be after start_time.")
        elif end - start > MAX_ENTRY:
            errors.setdefault("end_time", []).append("An entry may last at most 24 hours.")
    if errors:
        raise ValidationFailed(errors)
    return start, end


@service
def time_entry_create(
    *, user: User, project_id, start_time: datetime, end_time: datetime, description: str | None = ""
) -> TimeEntry:
    """A manual (already finished) entry."""
    description = _clean_description(description)
    start, end = _checked_span(_second(start_time), _second(end_time), timezone.now())
    user = _lock_user(user.pk)
    project = project_for_tracking(user_id=user.pk, project_id=project_id)
    if project.pk not in projects_lock_shared([project.pk]):
        raise NotFound()
    entry = TimeEntry.objects.create(
        user=user, project=project, start_time=start, end_time=end,
        duration=int((end - start).total_seconds()), description=description,
        source=TimeEntry.Source.MANUAL, placed_at=_now(),
    )
    entry_changed(user, None, entry, kind="entry.created")
    return entry


_UNSET = object()
_EDITABLE = ("project_id", "description", "start_time", "end_time")


@service
def time_entry_update(
    *, user: User, entry_id, project_id=_UNSET, description=_UNSET, start_time=_UNSET, end_time=_UNSET
) -> TimeEntry:
    """Edit an entry; duration is re-derived. A running entry stays running unless an
    end_time is given; a stopped one cannot be restarted. Moving an entry in time or to
    another project needs tracking rights on the resulting project; fixing a description
    is always allowed (it is the user's own record)."""
    user = _lock_user(user.pk)
    entry = entry_of_user(user_id=user.pk, entry_id=entry_id)
    before = copy.copy(entry)
    if description is not _UNSET:
        entry.description = _clean_description(description)
    if start_time is not _UNSET:
        if start_time is None:
            raise ValidationFailed({"start_time": ["This field may not be null."]})
        entry.start_time = _second(start_time)
    if end_time is not _UNSET:
        if end_time is None and before.end_time is not None:
            raise ValidationFailed({"end_time": ["A stopped entry cannot be restarted; start a new timer."]})
        entry.end_time = _second(end_time) if end_time is not None else None
    times_changed = (entry.start_time, entry.end_time) != (before.start_time, before.end_time)
    if times_changed:
        entry.start_time, entry.end_time = _checked_span(entry.start_time, entry.end_time, timezone.now())
    if project_id is not _UNSET and parse_id(project_id) != before.project_id:
        entry.project = project_for_tracking(user_id=user.pk, project_id=project_id)
    elif times_changed:
        current = project_with_role(user_id=user.pk, project_id=before.project_id)
        if current is None:
            raise NotFound()
        ensure_can_track(current)
    if all(getattr(entry, f) == getattr(before, f) for f in _EDITABLE):
        return entry
    alive = projects_lock_shared([before.project_id, entry.project_id])
    if before.project_id not in alive or entry.project_id not in alive:
        raise NotFound()
    entry.duration = None if entry.end_time is None else int((entry.end_time - entry.start_time).total_seconds())
    if times_changed:
        # A person placed this time now: a timer entry becomes `edited`, and how far
        # back it reaches is measured from this moment (focushub.tracking.credit).
        entry.placed_at = _now()
        if entry.source == TimeEntry.Source.TIMER:
            entry.source = TimeEntry.Source.EDITED
    entry.save()
    kind = "timer.stopped" if before.end_time is None and entry.end_time is not None else "entry.updated"
    entry_changed(user, before, entry, kind=kind)
    return entry


@service
def time_entry_delete(*, user: User, entry_id) -> None:
    """Delete an entry and take its seconds back off every total."""
    user = _lock_user(user.pk)
    entry = entry_of_user(user_id=user.pk, entry_id=entry_id)
    if entry.project_id not in projects_lock_shared([entry.project_id]):
        raise NotFound()
    gone = copy.copy(entry)
    entry.delete()  # first: the credit is recomputed from the entries that remain
    entry_changed(user, gone, None, kind="entry.deleted")


def _overdue(entry: TimeEntry, now: datetime) -> bool:
    """The one overdue rule: a timer running longer than TIMER_MAX_HOURS."""
    return now - entry.start_time > timedelta(hours=settings.TIMER_MAX_HOURS)


def time_entries_auto_stop_overdue() -> int:
    """Stop every timer that ran past TIMER_MAX_HOURS (the scheduled job); returns how
    many. One transaction per entry: a timer stopped by hand meanwhile is skipped (the
    service re-checks under the user's lock), and one failure does not undo the rest."""
    cutoff = timezone.now() - timedelta(hours=settings.TIMER_MAX_HOURS)
    overdue = TimeEntry.objects.filter(end_time__isnull=True, start_time__lt=cutoff).order_by("id")
    stopped = sum(1 for entry_id in list(overdue.values_list("pk", flat=True))
                  if time_entry_auto_stop(entry_id=entry_id) is not None)
    if stopped:
        logger.info("auto-stopped %d timer(s) running over %d h", stopped, settings.TIMER_MAX_HOURS)
    return stopped


@service
def time_entry_auto_stop(*, entry_id: int) -> TimeEntry | None:
    """Stop a timer that ran past TIMER_MAX_HOURS at start + max (not at "now"), so the
    entry does not claim hours nobody tracked. Returns None if it was stopped meanwhile."""
    owner_id = TimeEntry.objects.filter(pk=entry_id, end_time__isnull=True).values_list("user_id", flat=True).first()
    if owner_id is None:
        return None
    user = _lock_user(owner_id)
    entry = running_entry(user_id=user.pk)
    max_run = timedelta(hours=settings.TIMER_MAX_HOURS)
    if entry is None or entry.pk != entry_id or not _overdue(entry, timezone.now()):
        return None
    if not projects_lock_shared([entry.project_id]):
        return None
    before = _stop(entry, entry.start_time + max_run)
    entry_changed(user, before, entry, kind="timer.auto_stopped",
                  payload={"entry": entry_data(entry), "max_hours": settings.TIMER_MAX_HOURS})
    return entry
