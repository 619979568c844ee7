"""Writes of the badge area: the catalog (admins) and awards (the evaluation task).

An award happens at most once per (user, badge) even when two workers evaluate the same
user at once: the evaluation locks the user's row first (the lock every time-entry
service takes too), and the unique constraint on UserBadge is the last line of defence.
Awards are never revoked: later edits or deletions change progress, not earned badges.
"""

from datetime import UTC, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from focushub.accounts.models import User
from focushub.badges.criteria import evaluate, validate_criteria
from focushub.badges.images import badge_image_store
from focushub.badges.models import Badge, BadgeSweep, UserBadge
from focushub.badges.presenters import badge_brief
from focushub.badges.stats import UserStats
from focushub.errors import NotFound, PermissionDenied, ValidationFailed
from focushub.ids import parse_id
from focushub.leaderboards.services import scores_add_badge
from focushub.presenters import iso
from focushub.projects.locks import user_lock
from focushub.timeline.models import Event
from focushub.timeline.services import event_record
from focushub.tracking.models import TimeEntry
from focushub.transactions import service

_UNSET = object()


def _require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise PermissionDenied("Only administrators can manage badges.")


def _check_slug_free(slug: str, badge_id: int | None = None) -> None:
    if Badge.objects.filter(slug=slug).exclude(pk=badge_id).exists():
        raise ValidationFailed({"slug": ["A badge with this slug already exists."]})


def _image_url(image: bytes | None, slug: str, media_base_url: str) -> str | None:
    # The upload (a network call to Cloudinary) happens before the transaction opens, so
    # no row lock is held while it runs; a write that fails afterwards leaves an unused file.
    if image is None:
        return None
    return badge_image_store(data=image, slug=slug, media_base_url=media_base_url)


def _save(badge: Badge) -> Badge:
    try:
        # A savepoint: a duplicate slug (two admins racing past the check) becomes a field
        # error instead of a 500, and the caller's transaction stays usable.
        with transaction.atomic():
            badge.save()
    except IntegrityError as exc:
        raise ValidationFailed({"slug": ["A badge with this slug already exists."]}) from exc
    return badge


def badge_create(
    *, actor: User, slug: str, name: str, criteria, description: str = "", image_url: str = "",
    image: bytes | None = None, media_base_url: str = "", active: bool = True,
) -> Badge:
    """Add a badge to the catalog (admins). An uploaded `image` replaces image_url."""
    _require_admin(actor)
    criteria = validate_criteria(criteria)
    _check_slug_free(slug)
    image_url = _image_url(image, slug, media_base_url) or image_url
    with transaction.atomic():
        badge = Badge(slug=slug, name=name, description=description, criteria=criteria, image_url=image_url,
                      active=active)
        return _save(badge)


def badge_update(
    *, actor: User, badge_id, slug=_UNSET, name=_UNSET, criteria=_UNSET, description=_UNSET, image_url=_UNSET,
    image: bytes | None = None, media_base_url: str = "", active=_UNSET,
) -> Badge:
    """Change a badge (admins). Past awards stay: a badge earned under old criteria is kept."""
    _require_admin(actor)
    badge_id = parse_id(badge_id)
    if badge_id is None:
        raise NotFound()
    if criteria is not _UNSET:
        criteria = validate_criteria(criteria)
    current = Badge.objects.filter(pk=badge_id).values_list("slug", flat=True).first()
    if current is None:
        raise NotFound()
    if slug is not _UNSET and slug != current:
        _check_slug_free(slug, badge_id)
    uploaded = _image_url(image, current if slug is _UNSET else slug, media_base_url)
    with transaction.atomic():
        badge = Badge.objects.select_for_update().filter(pk=badge_id).first()
        if badge is None:
            raise NotFound()
        changes = {"slug": slug, "name": name, "criteria": criteria, "description": description,
                   "image_url": image_url if uploaded is None else uploaded, "active": active}
        for field, value in changes.items():
            if value is not _UNSET:
                setattr(badge, field, value)
        return _save(badge)


def _earned_now(user: User) -> list[tuple[Badge, int]]:
    """Active badges the user has not earned yet whose criteria are met now, in id order."""
    pending = Badge.objects.filter(active=True).exclude(awards__user_id=user.pk).order_by("id")
    stats = UserStats(user)
    earned = []
    for badge in pending:
        current, target = evaluate(badge.criteria, stats)
        if current >= target:
            earned.append((badge, current))
    return earned


@service
def badges_evaluate(*, user_id: int, entry_id: int | None = None) -> list[UserBadge]:
    """Award every active badge the user now qualifies for; returns the new awards.

    Each award writes a `badge.awarded` timeline event (public: profiles show earned
    badges to everyone, and the payload names no project) and counts on the badges
    leaderboards, all in this transaction.
    """
    # Lock the user's row before reading anything: a second worker evaluating the same
    # user waits here and then reads the awards this one committed, so it awards nothing
    # twice. It also orders us with the time-entry services (same lock, taken first) and
    # makes the badge-score upsert safe, as scores_add_badge requires.
    user = user_lock(user_id)
    if user is None or not user.is_active:
        return []
    earned = _earned_now(user)
    if not earned:
        return []
    # Under the user lock no entry of this user can be deleted, so the FK stays valid.
    entry_id = TimeEntry.objects.filter(pk=entry_id, user_id=user.pk).values_list("pk", flat=True).first()
    awards: list[UserBadge] = []
    for badge, value in earned:
        try:
            # The unique (user, badge) constraint decides if a racing writer got there
            # first; the savepoint keeps our transaction alive and we skip that badge.
            with transaction.atomic():
                award = UserBadge.objects.create(user=user, badge=badge, entry_id=entry_id, value=value)
        except IntegrityError:
            continue
        awards.append(award)
    if awards:
        scores_add_badge(user=user, day=awards[0].awarded_at.astimezone(UTC).date(), count=len(awards))
    for award in awards:
        event_record(
            actor_id=user.pk,
            kind="badge.awarded",
            audience=Event.Audience.PUBLIC,
            payload={"badge": badge_brief(award.badge), "value": award.value, "awarded_at": iso(award.awarded_at)},
        )
    return awards



SWEEP_OVERLAP = timedelta(minutes=1)  # an event is stamped before its commit: look back a little
FIRST_SWEEP = timedelta(days=1)


def badges_sweep() -> int:
    """Re-check the badges of everyone whose timeline events were written since the last
    sweep; returns how many users were checked. Run by the scheduled aggregation
    (workers.tasks.rollups_rebuild_today), it makes up for any badge check that was lost
    after its change committed. Evaluation is idempotent, so overlapping sweeps and a
    check that was not lost after all cost time, never a second award."""
    started = timezone.now()
    mark = BadgeSweep.objects.order_by("pk").first()
    since = (mark.swept_until if mark else started - FIRST_SWEEP) - SWEEP_OVERLAP
    changed = (
        Event.objects.filter(created_at__gte=since).order_by("actor_id").values_list("actor_id", flat=True).distinct()
    )
    checked = 0
    for user_id in changed.iterator():
        badges_evaluate(user_id=user_id)
        checked += 1
    # Advanced only once every user was checked: a sweep that dies half-way is redone.
    BadgeSweep.objects.update_or_create(pk=1, defaults={"swept_until": started})
    return checked
