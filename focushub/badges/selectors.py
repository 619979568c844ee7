"""Reads of the badge area: the catalog with the caller's awards and progress."""

from collections.abc import Iterable

from django.db.models import OuterRef, QuerySet, Subquery

from focushub.accounts.models import User
from focushub.badges.criteria import evaluate, progress
from focushub.badges.models import Badge, UserBadge
from focushub.badges.stats import UserStats


def badge_catalog(*, user: User) -> QuerySet[Badge]:
    """Active badges (admins, who manage the catalog, also see inactive ones), each
    annotated with the caller's `earned_at` (or None), in one query."""
    earned_at = UserBadge.objects.filter(badge=OuterRef("pk"), user_id=user.pk).values("awarded_at")[:1]
    badges = Badge.objects.annotate(earned_at=Subquery(earned_at)).order_by("id")
    return badges if user.is_admin else badges.filter(active=True)


def badge_progress(*, user: User, badges: Iterable[Badge]) -> dict[int, dict]:
    """{badge id: {current, target, ratio}}. The user's numbers are computed once and
    shared, so the cost is a few aggregate queries whatever the number of badges."""
    stats = UserStats(user)
    return {badge.pk: progress(*evaluate(badge.criteria, stats)) for badge in badges}


def badges_earned(*, user_id: int) -> QuerySet[UserBadge]:
    """A user's awards, oldest first, with their badges (one query)."""
    return UserBadge.objects.filter(user_id=user_id).select_related("badge").order_by("awarded_at", "id")
