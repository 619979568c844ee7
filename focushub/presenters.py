"""Wire shapes shared by every door (REST, websocket, event payloads), so a user or a
timestamp looks the same wherever it appears (docs/api.md)."""

from datetime import UTC, datetime


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def user_brief(user) -> dict:
    return {"id": user.pk, "username": user.username, "avatar_url": user.avatar_url}
