"""Every change to an account goes through these functions: signing up and in, the
refresh-token lifecycle, profile settings and the avatar.

Password hashing (argon2, tens of milliseconds) and uploads run before the transaction,
never inside it: on SQLite a transaction holds the database's single write lock from its
first statement, and on PostgreSQL the row locks would be held as long."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from focushub.accounts import avatars, rules, selectors, tokens
from focushub.accounts.models import RefreshToken, User
from focushub.accounts.tokens import TokenInvalid
from focushub.announce import after_commit
from focushub.errors import ApplicationError, ValidationFailed
from focushub.leaderboards.services import scores_resync_user
from focushub.presenters import user_brief
from focushub.projects.locks import user_lock
from focushub.timeline.models import Event
from focushub.timeline.services import event_record
from focushub.transactions import service

PROFILE_FIELDS = ("username", "email", "bio", "timezone", "show_on_leaderboard")


class InvalidCredentials(ApplicationError):
    status = 401

    def __init__(self):
        # One message whether or not the account exists, so it cannot be used to probe for accounts.
        super().__init__("invalid_credentials", "Wrong login or password.")


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str


@dataclass(frozen=True)
class Session:
    user: User
    tokens: TokenPair


def _password_problems(password: str, *, username: str, email: str) -> list[str]:
    try:
        validate_password(password, user=User(username=username, email=email))
    except DjangoValidationError as exc:
        return list(exc.messages)
    return []


def _duplicate_error(exc: IntegrityError) -> ValidationFailed:
    """Turn a unique-index violation (a concurrent request took the name first, after our
    check) into the same 400 the check would have given."""
    if "email" in str(exc):
        return ValidationFailed({"email": ["A user with this email already exists."]})
    return ValidationFailed({"username": ["This username is taken."]})


def _issue_tokens(user: User, *, family: uuid.UUID | None = None) -> TokenPair:
    """A new refresh token row (a new family on sign-in, the same family on rotation) and
    an access token. Runs inside the caller's transaction."""
    row = RefreshToken.objects.create(
        user=user,
        family=family or uuid.uuid4(),
        expires_at=timezone.now() + settings.REFRESH_TOKEN_TTL,
    )
    refresh = tokens.issue_refresh(user_id=user.pk, jti=row.jti, family=row.family, expires_at=row.expires_at)
    return TokenPair(access=tokens.issue_access(user.pk, family=row.family), refresh=refresh)


def _revoke_family(row: RefreshToken, now: datetime) -> None:
    """Revoke every token of the family; once committed, the sockets signed in with an
    access token of this family are closed with 4401 on every server process."""
    RefreshToken.objects.filter(family=row.family, revoked_at__isnull=True).update(revoked_at=now)
    after_commit({"type": "access", "user": row.user_id, "families": [str(row.family)], "project": None})


@service
def user_sessions_revoke(*, user_id: int) -> int:
    """Sign the user out everywhere (deactivation, a new password set by an admin): every
    refresh token stops working and, once committed, every socket of theirs on every
    server process closes with 4401. Returns how many tokens were revoked."""
    revoked = RefreshToken.objects.filter(user_id=user_id, revoked_at__isnull=True).update(revoked_at=timezone.now())
    after_commit({"type": "access", "user": user_id, "families": None, "project": None})
    return revoked


def user_signup(*, email: str, username: str, password: str) -> Session:
    """Create an account, sign it in, and record `user.joined` on its timeline."""
    email = User.objects.normalize_email(email)
    errors: dict[str, list[str]] = {}
    if problems := rules.username_problems(username):
        errors["username"] = problems
    elif selectors.username_taken(username):
        errors["username"] = ["This username is taken."]
    if selectors.email_taken(email):
        errors["email"] = ["A user with this email already exists."]
    if problems := _password_problems(password, username=username, email=email):
        errors["password"] = problems
    if errors:
        raise ValidationFailed(errors)
    return _signup_write(email=email, username=username, hashed=make_password(password))


@service
def _signup_write(*, email: str, username: str, hashed: str) -> Session:
    try:
        # A savepoint: the unique indexes are the real guard against two signups racing
        # for the same name, and their violation must leave the transaction usable.
        with transaction.atomic():
            user = User.objects.create(email=email, username=username, password=hashed)
    except IntegrityError as exc:
        raise _duplicate_error(exc) from exc
    pair = _issue_tokens(user)
    event_record(
        actor_id=user.pk, kind="user.joined", payload={"user": user_brief(user)}, audience=Event.Audience.PRIVATE
    )
    return Session(user=user, tokens=pair)


def user_login(*, login: str, password: str) -> Session:
    """Sign in by email or username (any case) and open a new refresh-token family."""
    user = selectors.user_for_login(login.strip())
    if user is None:
        # Hash anyway, so an unknown login takes as long to refuse as a wrong password.
        make_password(password)
        raise InvalidCredentials()
    if not user.check_password(password):
        raise InvalidCredentials()
    return Session(user=user, tokens=_login_write(user=user))


@service
def _login_write(*, user: User) -> TokenPair:
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    return _issue_tokens(user)


def refresh_token_rotate(*, token: str) -> TokenPair:
    """Trade a refresh token for a new pair. The presented token is marked used and its
    child joins the same family; presenting a used token again means it was copied, so the
    whole family is revoked and every holder must sign in again (refresh token rotation,
    RFC 9700, OAuth 2.0 Security Best Current Practice)."""
    claims = tokens.decode(token, token_type="refresh")
    # The revocation of a reused family must commit even though the request then fails,
    # so the transaction returns None for "reused" and the error is raised after it.
    pair = _rotate_write(claims=claims)
    if pair is None:
        raise TokenInvalid(
            "This refresh token was already used; the session has been signed out everywhere.", code="token_reused"
        )
    return pair


@service
def _rotate_write(*, claims: tokens.Claims) -> TokenPair | None:
    now = timezone.now()
    # FOR UPDATE: two requests presenting the same token queue here; the second sees
    # used_at set by the first and is treated as reuse, so both can never succeed.
    row = RefreshToken.objects.select_for_update().filter(jti=claims.jti, user_id=claims.user_id).first()
    if row is None or row.family != claims.family:
        raise TokenInvalid()
    if row.revoked_at is not None:
        raise TokenInvalid("This session has been signed out.", code="token_revoked")
    if row.used_at is not None:
        _revoke_family(row, now)
        return None
    user = selectors.user_active_by_id(row.user_id)
    if user is None:
        raise TokenInvalid()
    row.used_at = now
    row.save(update_fields=["used_at"])
    return _issue_tokens(user, family=row.family)


@service
def refresh_token_family_revoke(*, token: str) -> None:
    """Sign out: the presented token and every token of its family stop working. Signing
    out an already revoked or rotated token succeeds too (idempotent)."""
    claims = tokens.decode(token, token_type="refresh")
    row = RefreshToken.objects.select_for_update().filter(jti=claims.jti, user_id=claims.user_id).first()
    if row is None or row.family != claims.family:
        raise TokenInvalid()
    _revoke_family(row, timezone.now())


def _profile_errors(user: User, changes: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if "username" in changes:
        if problems := rules.username_problems(changes["username"]):
            errors["username"] = problems
        elif selectors.username_taken(changes["username"], exclude_user_id=user.pk):
            errors["username"] = ["This username is taken."]
    if "email" in changes and changes["email"].lower() != user.email.lower():
        if selectors.email_taken(changes["email"], exclude_user_id=user.pk):
            errors["email"] = ["A user with this email already exists."]
        elif not user.check_password(changes.get("current_password") or ""):
            errors["current_password"] = ["Your current password is required to change your email."]
    if "bio" in changes and len(changes["bio"]) > rules.BIO_MAX:
        errors["bio"] = [f"At most {rules.BIO_MAX} characters."]
    if "timezone" in changes and (problems := rules.timezone_problems(changes["timezone"])):
        errors["timezone"] = problems
    return errors


def user_profile_update(*, user: User, changes: dict) -> User:
    """Change one's own settings: username, email (with the current password), bio,
    timezone, show_on_leaderboard. Role, avatar and dates are not changed here."""
    if "email" in changes:
        changes = {**changes, "email": User.objects.normalize_email(changes["email"])}
    if errors := _profile_errors(user, changes):
        raise ValidationFailed(errors)
    return _profile_write(user=user, changes=changes)


@service
def _profile_write(*, user: User, changes: dict) -> User:
    # The row lock orders this change with the time-entry services (which lock the same
    # row), so leaderboard writes never see a half-applied show_on_leaderboard.
    locked = user_lock(user.pk)
    if locked is None:
        raise TokenInvalid()
    visibility_changed = (
        "show_on_leaderboard" in changes and changes["show_on_leaderboard"] != locked.show_on_leaderboard
    )
    fields = [name for name in PROFILE_FIELDS if name in changes]
    for name in fields:
        setattr(locked, name, changes[name])
    try:
        with transaction.atomic():
            locked.save(update_fields=fields)
    except IntegrityError as exc:
        raise _duplicate_error(exc) from exc
    if visibility_changed:
        # After commit: the resync reads the committed setting under its own lock of
        # the user's row, so a concurrent time-entry write lands either before it (and
        # is recomputed) or after it (and sees the new setting).
        transaction.on_commit(lambda: scores_resync_user(user=locked), robust=True)
    return locked


def user_avatar_set(*, user: User, stream: BinaryIO, media_base_url: str) -> User:
    """Replace the avatar. The image is checked and stored first, outside any transaction
    (an upload can take seconds); only the URL swap is transactional. A replaced local
    file is deleted after commit."""
    image = avatars.avatar_inspect(stream)
    url = avatars.avatar_store(image=image, user_id=user.pk, media_base_url=media_base_url)
    return _avatar_swap(user, url)


def user_avatar_clear(*, user: User) -> User:
    return _avatar_swap(user, "")


@service
def _avatar_swap(user: User, url: str) -> User:
    locked = user_lock(user.pk)
    if locked is None:
        raise TokenInvalid()
    previous = locked.avatar_url
    locked.avatar_url = url
    locked.save(update_fields=["avatar_url"])
    if previous and previous != url:
        transaction.on_commit(lambda: avatars.avatar_discard(previous), robust=True)
    return locked


def refresh_tokens_purge_expired() -> int:
    """Expired tokens fail on their `exp` alone, reused or not, so their rows (kept for
    reuse detection) can go. Run daily by workers.tasks.day_close."""
    deleted, _ = RefreshToken.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted
