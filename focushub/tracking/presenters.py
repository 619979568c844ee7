from focushub.presenters import iso
from focushub.tracking.models import TimeEntry


def entry_data(entry: TimeEntry) -> dict:
    """A time entry as every door shows it (SPEC §6)."""
    return {
        "id": entry.pk,
        "project": entry.project_id,
        "description": entry.description,
        "start_time": iso(entry.start_time),
        "end_time": iso(entry.end_time),
        "duration": entry.duration,
        "source": entry.source,
        "created_at": iso(entry.created_at),
        "updated_at": iso(entry.updated_at),
    }
