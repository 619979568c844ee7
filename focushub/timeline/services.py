"""The only writer of timeline events (STYLE.md §3, Zulip's send_event_on_commit)."""

from django.db import transaction

from focushub.announce import after_commit
from focushub.projects.models import Project
from focushub.timeline.kinds import kind_check
from focushub.timeline.models import Event


def audience_for(project: Project | None) -> str:
    """Events about a project are public when it is, members-only otherwise."""
    if project is None:
        return Event.Audience.PRIVATE
    return Event.Audience.PUBLIC if project.is_public else Event.Audience.PROJECT


def event_record(
    *, actor_id: int, kind: str, payload: dict, project: Project | None = None, audience: str | None = None
) -> Event:
    """Write one event in the caller's transaction; announce it after commit.

    No lock: writers insert in parallel and may commit out of id order. The reader
    (focushub.timeline.log.LogCursor) never steps past an id whose transaction may still
    commit, so `id > since` skips nothing and repeats nothing (docs/realtime.md).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_record must run inside the transaction of the change")
    audience = audience or audience_for(project)
    kind_check(kind, audience)  # declared once, in focushub/timeline/kinds.py
    event = Event.objects.create(actor_id=actor_id, kind=kind, project=project, payload=payload, audience=audience)
    after_commit({"type": "events"})
    return event
