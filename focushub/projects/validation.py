"""Input rules of the project domain (docs/tracking.md), applied by the services whichever door
called them. The REST serializers check the same shapes first for documentation and
early errors; these keep every other caller honest."""

import re

from focushub.errors import ValidationFailed
from focushub.projects.models import Project, ProjectMember

ASSIGNABLE_ROLES = (ProjectMember.Role.MAINTAINER, ProjectMember.Role.CONTRIBUTOR, ProjectMember.Role.VIEWER)
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
UNSET = object()


def storable_text(text: str) -> bool:
    """PostgreSQL refuses NUL characters, and no database stores lone surrogates."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _text(value, *, low: int, high: int) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if low <= len(value) <= high and storable_text(value) else None


def clean_project_fields(fields: dict) -> dict:
    """The given fields (UNSET ones skipped), normalised, or ValidationFailed."""
    errors: dict[str, list[str]] = {}
    clean = {}
    for name, value in fields.items():
        if value is UNSET:
            continue
        if name == "name":
            value = _text(value, low=1, high=100)
            if value is None:
                errors["name"] = ["Must be 1 to 100 characters."]
        elif name == "description":
            value = _text(value, low=0, high=2000)
            if value is None:
                errors["description"] = ["Must be at most 2000 characters."]
        elif name == "visibility" and value not in Project.Visibility.values:
            errors["visibility"] = ["Must be public or private."]
        elif name == "color":
            if not isinstance(value, str) or not COLOR.match(value):
                errors["color"] = ["Must be a colour like #1a2b3c."]
            else:
                value = value.lower()
        elif name == "archived" and not isinstance(value, bool):
            errors["archived"] = ["Must be a boolean."]
        clean[name] = value
    if errors:
        raise ValidationFailed(errors)
    return clean


def clean_role(role) -> str:
    """A role that can be given to a member: never `owner` (ownership is transferred)."""
    if role not in ASSIGNABLE_ROLES:
        raise ValidationFailed({"role": ["Must be maintainer, contributor or viewer."]})
    return role
