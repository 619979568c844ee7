"""The only writer of timeline events (STYLE.md §3, Zulip's send_event_on_commit)."""

from django.db import connection, transaction

from focushub.projects.models import Project
from focushub.timeline.models import Event
from realtime import doorbell

# Any constant works; it only has to be the same for every event writer.
_EVENT_WRITER_LOCK = 0x466F637573  # "Focus"


def audience_for(project: Project | None) -> str:
    """Events about a project are public when it is, members-only otherwise."""
    if project is None:
        return Event.Audience.PRIVATE
    return Event.Audience.PUBLIC if project.is_public else Event.Audience.PROJECT


def event_record(
    *, actor_id: int, kind: str, payload: dict, project: Project | None = None, audience: str | None = None
) -> Event:
    """Write one event in the caller's transaction; ring the doorbell after commit.

    Ordering: a PostgreSQL sequence hands out ids before commit, so a reader that has seen
    id 11 could later miss id 10 committing. Taking a transaction-scoped advisory lock
    right before the INSERT makes event writers take ids and commit in the same order
    (the lock is released at commit), so `id > since` never skips a row. SQLite already
    serialises writers. The lock is taken last in each service, so it is held only for
    the INSERT and the COMMIT.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_record must run inside the transaction of the change")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_EVENT_WRITER_LOCK])
    event = Event.objects.create(
        actor_id=actor_id,
        kind=kind,
        project=project,
        payload=payload,
        audience=audience or audience_for(project),
    )
    transaction.on_commit(lambda: doorbell.ring("events"))
    return event
