"""Reads of time entries. A user only ever reads their own entries here; another
user's entry id is simply not found (404), whoever asks."""

from datetime import datetime

from django.db.models import Q, QuerySet

from focushub.errors import NotFound
from focushub.ids import parse_id
from focushub.tracking.models import TimeEntry


def entries_of_user(
    *,
    user_id: int,
    project_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    running: bool | None = None,
    source: str | None = None,
) -> QuerySet[TimeEntry]:
    """The user's entries that overlap [start, end) (a running entry reaches "now"),
    newest first, each with its project (entries embed it). Overlap rather than "starts
    inside" so an entry crossing midnight shows up on both days, as it counts on both."""
    entries = TimeEntry.objects.filter(user_id=user_id).select_related("project")
    if project_id is not None:
        entries = entries.filter(project_id=project_id)
    if end is not None:
        entries = entries.filter(start_time__lt=end)
    if start is not None:
        entries = entries.filter(Q(end_time__gt=start) | Q(end_time__isnull=True))
    if running is not None:
        entries = entries.filter(end_time__isnull=running)
    if source is not None:
        entries = entries.filter(source=source)
    return entries.order_by("-start_time", "-id")


def entry_of_user(*, user_id: int, entry_id) -> TimeEntry:
    entry_id = parse_id(entry_id)
    entries = TimeEntry.objects.filter(pk=entry_id, user_id=user_id).select_related("project")
    entry = entries.first() if entry_id else None
    if entry is None:
        raise NotFound()
    return entry


def running_entry(*, user_id: int) -> TimeEntry | None:
    return TimeEntry.objects.filter(user_id=user_id, end_time__isnull=True).select_related("project").first()


def running_entries_on_project(*, project_id: int) -> list[TimeEntry]:
    """The timers running on a project now, each with its user, longest-running first."""
    return list(
        TimeEntry.objects.filter(project_id=project_id, end_time__isnull=True)
        .select_related("user")
        .order_by("start_time", "id")
    )
