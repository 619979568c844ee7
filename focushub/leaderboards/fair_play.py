"""Taking a cheater off the boards without deleting anything (docs/leaderboards.md,
"Hiding a cheater"). An admin sets `leaderboard_hidden` with a reason; every board drops
the person at once (their scores are resynced, which rings the board doorbell so
spectators see it) and takes them back when unhidden. Nothing of theirs changes: their
entries, totals, badges and timeline stay as they are, and they are not told — the
event that records the decision is private to the admin who made it.
"""

from django.db import transaction

from focushub.accounts.models import User
from focushub.errors import NotFound, PermissionDenied, ValidationFailed
from focushub.leaderboards.services import scores_resync_user
from focushub.presenters import user_brief
from focushub.projects.locks import users_lock
from focushub.projects.validation import storable_text
from focushub.timeline.models import Event
from focushub.timeline.services import event_record
from focushub.transactions import service

MAX_REASON = 500


@service
def user_leaderboard_hide(*, admin: User, user_id: int, hidden: bool, reason: str = "") -> User:
    """Hide (or show again) `user_id` on every board; returns the user."""
    if not admin.is_admin:
        raise PermissionDenied("Only admins can take people off the boards.")
    if not isinstance(reason, str) or len(reason) > MAX_REASON or not storable_text(reason):
        raise ValidationFailed({"reason": [f"A text of at most {MAX_REASON} characters."]})
    if hidden and not reason.strip():
        raise ValidationFailed({"reason": ["Say why: the reason is kept for other admins."]})
    locked = users_lock({admin.pk, user_id})  # one batch, ascending: the lock order
    user = locked.get(user_id)
    if user is None:
        raise NotFound()
    moved = user.leaderboard_hidden != hidden
    if not moved and (not hidden or reason.strip() == user.leaderboard_hidden_reason):
        return user
    user.leaderboard_hidden = hidden
    user.leaderboard_hidden_reason = reason.strip() if hidden else ""
    user.leaderboard_hidden_by = admin if hidden else None
    user.save(update_fields=["leaderboard_hidden", "leaderboard_hidden_reason", "leaderboard_hidden_by"])
    event_record(
        actor_id=admin.pk,
        kind="user.leaderboard_hidden" if hidden else "user.leaderboard_shown",
        audience=Event.Audience.PRIVATE,
        payload={"user": user_brief(user), "reason": user.leaderboard_hidden_reason},
    )
    # After commit, under its own lock of the row: a time-entry write racing this one
    # lands before the resync (and is recomputed) or after it (and sees the new flag).
    if moved:
        transaction.on_commit(lambda: scores_resync_user(user=user), robust=True)
    return user
