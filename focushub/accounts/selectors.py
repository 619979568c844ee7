from collections.abc import Collection

from focushub.accounts.models import User


def user_active_by_id(user_id: int) -> User | None:
    return User.objects.filter(pk=user_id, is_active=True).first()


def user_by_username(username: str) -> User | None:
    return User.objects.filter(username__iexact=username, is_active=True).first()


def user_for_login(login: str) -> User | None:
    """The active user a login identifier names: an email when it holds '@' (usernames
    cannot), a username otherwise; both compared case-insensitively."""
    field = "email__iexact" if "@" in login else "username__iexact"
    return User.objects.filter(**{field: login}, is_active=True).first()


def email_taken(email: str, *, exclude_user_id: int | None = None) -> bool:
    return User.objects.filter(email__iexact=email).exclude(pk=exclude_user_id).exists()


def username_taken(username: str, *, exclude_user_id: int | None = None) -> bool:
    return User.objects.filter(username__iexact=username).exclude(pk=exclude_user_id).exists()


def users_by_id(user_ids: Collection[int]) -> dict[int, User]:
    return User.objects.in_bulk(list(user_ids))
