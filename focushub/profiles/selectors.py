"""Public profiles (`GET /users/{username}`, docs/api.md "Privacy"): others see only
public activity; a user sees all of their own.

Decisions (docs/gamification.md):
- totals count all the user's tracked time, private projects included: a number of
  seconds names no project, and the all-time leaderboard already shows the same sum.
  `this_week` is the current ISO week in UTC, like the leaderboards' week.
- projects: the public projects the user belongs to; the user themself also sees their
  private ones.
- rank: the user's place on the all-time `time` board, or null when they are not on it
  (nothing tracked yet, or show_on_leaderboard off). When the board store (Redis) is
  unreachable the profile is still served from the database, with rank null and
  `rank_available` false: a profile without a rank is still a profile.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q, Sum
from django.utils import timezone

from focushub.accounts.models import User
from focushub.accounts.selectors import user_by_username
from focushub.badges.models import UserBadge
from focushub.badges.selectors import badges_earned
from focushub.errors import ApplicationError, NotFound
from focushub.leaderboards.backends import get_backend
from focushub.leaderboards.boards import Board
from focushub.projects.models import Project, ProjectMember
from focushub.replicas import lag_tolerant
from focushub.tracking.models import DailyCredit
from focushub.tracking.streaks import streak_for


@dataclass(frozen=True)
class Profile:
    user: User
    totals: dict
    badges: list[UserBadge]
    memberships: list[ProjectMember]
    streak: dict
    rank: dict | None
    rank_available: bool


def _totals(user_id: int) -> dict:
    today = timezone.now().date()
    week_start = today - timedelta(days=today.weekday())
    # Credited time (overlaps once, back-dated entries not at all): the numbers the
    # boards show beside the profile (focushub.tracking.credit).
    sums = DailyCredit.objects.filter(user_id=user_id).aggregate(
        all_time=Sum("seconds", default=0), this_week=Sum("seconds", filter=Q(date__gte=week_start), default=0)
    )
    return {"all_time": int(sums["all_time"]), "this_week": int(sums["this_week"])}


def _memberships(user_id: int, *, include_private: bool) -> list[ProjectMember]:
    memberships = ProjectMember.objects.filter(user_id=user_id).select_related("project", "project__owner")
    if not include_private:
        memberships = memberships.filter(project__visibility=Project.Visibility.PUBLIC)
    return list(memberships.order_by("project__name", "project_id"))


def _rank(user_id: int) -> tuple[dict | None, bool]:
    """(the rank or None, whether the board store could be read)."""
    try:
        row = get_backend().rank(Board.current("time", "all", None, timezone.now()).key, user_id)
    except ApplicationError as exc:
        if exc.status != 503:
            raise
        return None, False
    return (None if row is None else {"rank": row.rank, "score": row.score}), True


@lag_tolerant
def profile_read(*, username: str, viewer_id: int | None) -> Profile:
    """The profile of `username` as `viewer_id` may see it; NotFound for unknown users.
    Read from a replica when one is close enough (focushub/replicas.py): a profile may
    trail the latest change by DATABASE_REPLICA_MAX_LAG."""
    user = user_by_username(username)
    if user is None:
        raise NotFound("No such user.")
    current, longest = streak_for(user)
    rank, rank_available = _rank(user.pk)
    return Profile(
        user=user,
        totals=_totals(user.pk),
        badges=list(badges_earned(user_id=user.pk)),
        memberships=_memberships(user.pk, include_private=viewer_id == user.pk),
        streak={"current": current, "longest": longest},
        rank=rank,
        rank_available=rank_available,
    )
