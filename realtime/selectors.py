"""The reads the websocket doors need beyond the domain's own selectors: the log after a
cursor, members of a batch of projects, running timers on a project, a user's rank.
Read-only, built on the domain's models and visibility rules (focushub.timeline.selectors),
so a socket never sees what GET /timeline would not show."""

from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from focushub.accounts.models import User
from focushub.leaderboards.backends import get_backend
from focushub.leaderboards.boards import Board
from focushub.presenters import iso, user_brief
from focushub.projects.models import Project, ProjectMember
from focushub.timeline.log import LogCursor
from focushub.timeline.models import Event
from focushub.timeline.selectors import events_for_project, events_for_user_feed
from focushub.tracking.models import TimeEntry
from focushub.tracking.presenters import entry_data

# The board whose changes /ws/me reports as `leaderboard.rank` (docs/realtime.md).
RANK_METRIC, RANK_PERIOD = "time", "week"


@dataclass(frozen=True)
class LogBatch:
    events: list[Event]  # gap-free after the cursor's horizon, in id order
    late: list[Event]  # committed after their gap was given up (focushub/timeline/log.py)
    waiting: bool  # a gap holds the log back
    members: dict[int, set[int]]  # project id -> member user ids, for the batch's projects


def log_after(cursor: LogCursor, limit: int) -> LogBatch:
    """The next committed events the cursor may deliver, with the members of their projects."""
    read = cursor.read(limit)
    project_ids = {event.project_id for event in read.events + read.late if event.project_id is not None}
    members: dict[int, set[int]] = defaultdict(set)
    for project_id, user_id in ProjectMember.objects.filter(project_id__in=project_ids).values_list(
        "project_id", "user_id"
    ):
        members[project_id].add(user_id)
    return LogBatch(read.events, read.late, read.waiting, dict(members))


def feed_after(*, user_id: int, after_id: int, upto_id: int, limit: int) -> list[Event]:
    """One page of a user's feed in (after_id, upto_id], oldest first (replay of `since`)."""
    return list(
        events_for_user_feed(user_id)
        .filter(id__gt=after_id, id__lte=upto_id)
        .select_related("actor")
        .order_by("id")[:limit]
    )


def project_log_after(*, project_id: int, is_member: bool, after_id: int, upto_id: int, limit: int) -> list[Event]:
    return list(
        events_for_project(project_id, is_member=is_member)
        .filter(id__gt=after_id, id__lte=upto_id)
        .select_related("actor")
        .order_by("id")[:limit]
    )


def running_entry(user_id: int) -> dict | None:
    entry = TimeEntry.objects.filter(user_id=user_id, end_time__isnull=True).first()
    return entry_data(entry) if entry is not None else None


@dataclass(frozen=True)
class ProjectState:
    """What presence on one project is derived from: rows, not sockets."""

    exists: bool
    is_public: bool
    members: frozenset[int]
    tracking: list[dict]  # [{user, entry, running_since}] of the timers running on it


def project_state(project_id: int) -> ProjectState:
    project = Project.objects.filter(pk=project_id).values("visibility").first()
    if project is None:
        return ProjectState(False, False, frozenset(), [])
    members = frozenset(ProjectMember.objects.filter(project_id=project_id).values_list("user_id", flat=True))
    running = (
        TimeEntry.objects.filter(project_id=project_id, end_time__isnull=True)
        .select_related("user")
        .order_by("start_time", "id")
    )
    tracking = [{"user": user_brief(e.user), "entry": e.pk, "running_since": iso(e.start_time)} for e in running]
    return ProjectState(True, project["visibility"] == Project.Visibility.PUBLIC, members, tracking)


def users_brief(user_ids: list[int]) -> dict[int, dict]:
    return {user.pk: user_brief(user) for user in User.objects.filter(pk__in=user_ids)}


def ranks_on_default_board(user_ids: list[int]) -> dict[int, tuple[int, int] | None]:
    """(rank, score) of each user on the time/week global board, or None if not on it."""
    board = Board.current(RANK_METRIC, RANK_PERIOD, None, timezone.now())
    backend = get_backend()
    ranks: dict[int, tuple[int, int] | None] = {}
    for user_id in user_ids:
        row = backend.rank(board.key, user_id)
        ranks[user_id] = (row.rank, row.score) if row is not None else None
    return ranks
