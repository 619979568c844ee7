from focushub.presenters import iso
from focushub.projects.presenters import project_brief
from focushub.tracking.models import TimeEntry


def entry_data(entry: TimeEntry) -> dict:
    """A time entry as every door shows it: REST, socket frames and event payloads. The
    project comes embedded (id, name, colour, visibility) so a client can draw the entry
    without a second request; callers that list entries select the project with them."""
    return {
        "id": entry.pk,
        "project": project_brief(entry.project),
        "description": entry.description,
        "start_time": iso(entry.start_time),
        "end_time": iso(entry.end_time),
        "duration": entry.duration,
        "source": entry.source,
        "created_at": iso(entry.created_at),
        "updated_at": iso(entry.updated_at),
    }


def start_data(entry: TimeEntry, stopped: TimeEntry | None) -> dict:
    """The one shape of "a timer started", in the REST answer, the socket's `ok` and the
    `timer.started` event: the running entry, and the entry this start stopped or null."""
    return {"entry": entry_data(entry), "stopped": entry_data(stopped) if stopped is not None else None}
