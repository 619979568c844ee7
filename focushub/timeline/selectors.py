"""Who sees which event (the audiences of docs/realtime.md; docs/api.md, "Privacy"). REST timelines and websocket
replay/live delivery all filter through these, so the rule lives once."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from focushub.projects.selectors import member_ids_by_project, member_project_ids
from focushub.timeline.log import LogCursor
from focushub.timeline.models import Event

MEMBER_AUDIENCES = (Event.Audience.PROJECT, Event.Audience.PUBLIC)


def events_for_user_feed(user_id: int) -> QuerySet[Event]:
    """A user's own timeline: everything they did, and what happened on their projects."""
    return Event.objects.filter(
        Q(actor_id=user_id) | Q(project_id__in=member_project_ids(user_id), audience__in=MEMBER_AUDIENCES)
    )


def events_for_project(project_id: int, *, is_member: bool) -> QuerySet[Event]:
    """A project's timeline; non-members (of a public project) see only public events."""
    audiences = MEMBER_AUDIENCES if is_member else (Event.Audience.PUBLIC,)
    return Event.objects.filter(project_id=project_id, audience__in=audiences)


def _between(events: QuerySet[Event], after_id: int, upto_id: int, limit: int) -> list[Event]:
    """One page of events in (after_id, upto_id], oldest first: a socket's replay of
    `since`, up to the horizon the live delivery starts from."""
    return list(events.filter(id__gt=after_id, id__lte=upto_id).select_related("actor").order_by("id")[:limit])


def events_for_user_feed_between(*, user_id: int, after_id: int, upto_id: int, limit: int) -> list[Event]:
    return _between(events_for_user_feed(user_id), after_id, upto_id, limit)


def events_for_project_between(
    *, project_id: int, is_member: bool, after_id: int, upto_id: int, limit: int
) -> list[Event]:
    return _between(events_for_project(project_id, is_member=is_member), after_id, upto_id, limit)


def events_public_by(actor_id: int) -> QuerySet[Event]:
    return Event.objects.filter(actor_id=actor_id, audience=Event.Audience.PUBLIC)


def events_by_user_for_viewer(*, actor_id: int, viewer_id: int | None) -> QuerySet[Event]:
    """A user's timeline on their profile: all of it for themself, only public events for
    anyone else (docs/api.md, "Privacy")."""
    if viewer_id == actor_id:
        return Event.objects.filter(actor_id=actor_id)
    return events_public_by(actor_id)


def feed_readers(event: Event, members: set[int]) -> set[int]:
    """Whose own timeline (/timeline, /ws/me) shows an event already in memory, given its
    project's members: the rule of events_for_user_feed, for the live fan-out
    (realtime.relay). tests/test_visibility.py holds the two forms equal."""
    readers = {event.actor_id}
    if event.project_id is not None and event.audience in MEMBER_AUDIENCES:
        readers |= members
    return readers


def project_stream_shows(event: Event, *, is_member: bool) -> bool:
    """Whether a project's timeline (/projects/{id}/timeline, /ws/projects/{id}) shows an
    event of that project to a member or not: the rule of events_for_project, in memory."""
    return event.audience in (MEMBER_AUDIENCES if is_member else (Event.Audience.PUBLIC,))


@dataclass(frozen=True)
class LogBatch:
    events: list[Event]  # gap-free after the cursor's horizon, in id order
    late: list[Event]  # committed after their gap was given up (focushub/timeline/log.py)
    waiting: bool  # a gap holds the log back
    members: dict[int, set[int]]  # project id -> member user ids, for the batch's projects


def log_after(cursor: LogCursor, limit: int) -> LogBatch:
    """The next committed events the cursor may deliver, with the members of their
    projects: what feed_readers and project_stream_shows need to sort them in memory."""
    read = cursor.read(limit)
    project_ids = {event.project_id for event in read.events + read.late if event.project_id is not None}
    return LogBatch(read.events, read.late, read.waiting, member_ids_by_project(project_ids))


def recent_badge_unlocks(*, limit: int) -> list[dict]:
    """The newest public `badge.awarded` events, for the ticker on /live (GET /badges/recent):
    only what any profile shows (the public audience), and nobody the boards leave out
    (opted out, deactivated, hidden by an admin), since the ticker sits beside the board.
    One query, newest first."""
    events = (
        Event.objects.filter(kind="badge.awarded", audience=Event.Audience.PUBLIC, actor__show_on_leaderboard=True,
                             actor__is_active=True, actor__leaderboard_hidden=False)
        .select_related("actor")
        .order_by("-id")[:limit]
    )
    return [{"user": event.actor, "badge": event.payload["badge"], "awarded_at": event.payload["awarded_at"]}
            for event in events]
