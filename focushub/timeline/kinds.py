"""Every timeline event kind, declared once: its name, who may read it (the audiences a
service may give it) and the JSON Schema of its payload (Zulip's event_schema).

`event_record` refuses a kind that is not declared here, or an audience the declaration
does not allow; the suite validates every event any test wrote, through any door and
any process, against its payload schema (tests/conftest.py), and checks the event table
in docs/realtime.md against this module. Adding an event kind means adding it here.
"""

from dataclasses import dataclass
from typing import Any

PUBLIC, PROJECT, PRIVATE = "public", "project", "private"
# Events about a project are public when it is, members-only otherwise, and private when
# the project is gone (timeline.services.audience_for).
ABOUT_A_PROJECT = frozenset({PUBLIC, PROJECT, PRIVATE})

Schema = dict[str, Any]


def obj(required: dict[str, Schema], optional: dict[str, Schema] | None = None) -> Schema:
    """An object with exactly these properties (the required ones always present)."""
    return {
        "type": "object",
        "properties": {**required, **(optional or {})},
        "required": sorted(required),
        "additionalProperties": False,
    }


INT = {"type": "integer"}
ID = {"type": "integer", "minimum": 1}
TEXT = {"type": "string"}
TIME = {"type": "string", "format": "date-time"}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
USER = obj({"id": ID, "username": TEXT, "avatar_url": TEXT})
PROJECT_BRIEF = obj({"id": ID, "name": TEXT, "color": TEXT, "visibility": {"enum": ["public", "private"]}})
ENTRY = obj({
    "id": ID, "project": PROJECT_BRIEF, "description": TEXT, "start_time": TIME, "end_time": NULLABLE_TIME,
    "duration": {"type": ["integer", "null"], "minimum": 1}, "source": {"enum": ["timer", "manual", "edited"]},
    "created_at": TIME, "updated_at": TIME,
})
NULLABLE_ENTRY = {"oneOf": [ENTRY, {"type": "null"}]}
MEMBER = obj({"user": USER, "role": {"enum": ["owner", "maintainer", "contributor", "viewer"]}, "joined_at": TIME})
BADGE = obj({"id": ID, "slug": TEXT, "name": TEXT, "description": TEXT, "image_url": TEXT})


@dataclass(frozen=True)
class Kind:
    name: str
    audiences: frozenset[str]
    payload: Schema
    doc: str


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("user.joined", frozenset({PRIVATE}), obj({"user": USER}), "an account was created"),
        Kind("user.leaderboard_hidden", frozenset({PRIVATE}), obj({"user": USER, "reason": TEXT}),
             "an admin took a person off the boards (on the admin's own timeline)"),
        Kind("user.leaderboard_shown", frozenset({PRIVATE}), obj({"user": USER, "reason": TEXT}),
             "an admin put a person back on the boards"),
        Kind("project.created", ABOUT_A_PROJECT, obj({"project": PROJECT_BRIEF}), "a project was created"),
        Kind("project.updated", ABOUT_A_PROJECT,
             obj({"project": PROJECT_BRIEF, "changes": {"type": "array", "items": TEXT, "minItems": 1}},
                 {"owner": USER}),
             "fields of a project changed (`changes` names them; `owner` when ownership moved)"),
        Kind("project.deleted", frozenset({PUBLIC, PRIVATE}), obj({"project": PROJECT_BRIEF}),
             "a project was deleted (public for a public project, the owner's otherwise)"),
        Kind("member.added", ABOUT_A_PROJECT, obj({"project": PROJECT_BRIEF, "member": MEMBER}),
             "someone joined a project"),
        Kind("member.role_changed", ABOUT_A_PROJECT,
             obj({"project": PROJECT_BRIEF, "member": MEMBER, "previous_role": MEMBER["properties"]["role"]}),
             "a member's role changed"),
        Kind("member.removed", ABOUT_A_PROJECT,
             obj({"project": PROJECT_BRIEF, "member": MEMBER, "left": {"type": "boolean"}}),
             "a member left (`left`) or was removed"),
        Kind("timer.started", ABOUT_A_PROJECT, obj({"entry": ENTRY, "stopped": NULLABLE_ENTRY}),
             "a timer started; `stopped` is the entry it stopped at the same instant, or null"),
        Kind("timer.stopped", ABOUT_A_PROJECT,
             obj({"entry": ENTRY}, {"reason": {"enum": ["access_revoked", "project_deleted"]},
                                    "deleted": {"const": True}}),
             "a timer stopped: by its owner, by a new start, by losing access (`reason`) or with its "
             "project (`reason`, `deleted`: the entry is gone)"),
        Kind("timer.auto_stopped", ABOUT_A_PROJECT, obj({"entry": ENTRY, "max_hours": ID}),
             "the scheduled job stopped a timer that ran past TIMER_MAX_HOURS"),
        Kind("entry.created", ABOUT_A_PROJECT, obj({"entry": ENTRY}), "a manual entry was created"),
        Kind("entry.updated", ABOUT_A_PROJECT, obj({"entry": ENTRY}), "an entry was edited"),
        Kind("entry.deleted", ABOUT_A_PROJECT, obj({"entry": ENTRY}), "an entry was deleted (as it was)"),
        Kind("badge.awarded", frozenset({PUBLIC}), obj({"badge": BADGE, "value": INT, "awarded_at": TIME}),
             "a badge was earned (public: profiles show earned badges)"),
    )
}


class UndeclaredEvent(ValueError):
    """A service wrote an event this module does not declare: a bug, never a client's."""


def kind_check(kind: str, audience: str) -> None:
    declared = KINDS.get(kind)
    if declared is None:
        raise UndeclaredEvent(f"event kind {kind!r} is not declared in focushub/timeline/kinds.py")
    if audience not in declared.audiences:
        raise UndeclaredEvent(f"event kind {kind!r} may not have audience {audience!r}")


def markdown_table() -> str:
    """The event table of docs/realtime.md, generated from the declarations
    (`python -m focushub.timeline.kinds`); tests/test_event_kinds.py keeps them equal."""
    lines = ["| kind | audience | payload | when |", "| --- | --- | --- | --- |"]
    for kind in KINDS.values():
        fields = ", ".join(
            f"`{name}`" if name in kind.payload["required"] else f"`{name}`?" for name in kind.payload["properties"]
        )
        audiences = ", ".join(sorted(kind.audiences))
        lines.append(f"| `{kind.name}` | {audiences} | {fields} | {kind.doc} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
