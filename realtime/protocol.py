"""The websocket protocol, declared once: every message each side may send, as JSON
Schema, and the close codes. `realtime.asyncapi` builds /asyncapi.json from this module
and the event kinds (focushub/timeline/kinds.py); the suite checks every frame a test
client receives against it (tests/support/clients.py) and the document with the AsyncAPI
parser (tests/realtime/test_asyncapi.py). Prose and examples: docs/realtime.md.
"""

from dataclasses import dataclass

from focushub.leaderboards.boards import METRICS, PERIODS
from focushub.leaderboards.selectors import DEFAULT_METRIC, DEFAULT_PERIOD
from focushub.timeline.kinds import (
    BADGE,
    ENTRY,
    ID,
    INT,
    KINDS,
    NULLABLE_ENTRY,
    PROJECT_BRIEF,
    TEXT,
    TIME,
    USER,
    Schema,
    obj,
)

NULLABLE_ID = {"type": ["integer", "null"]}
REF = {"type": ["string", "integer", "null"], "description": "echoed from the client message it answers"}
CLIENT_REF = {"type": ["string", "integer"], "maxLength": 128}


def typed(name: str, required: dict[str, Schema], optional: dict[str, Schema] | None = None) -> Schema:
    return obj({"type": {"const": name}, **required}, optional)


EVENT = {
    "oneOf": [
        obj({"id": ID, "kind": {"const": kind.name}, "actor": USER, "project": NULLABLE_ID,
             "payload": kind.payload, "created_at": TIME})
        for kind in KINDS.values()
    ]
}
LOGGED = {"id": ID, "event": EVENT}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
ROW = obj({"rank": ID, "user": USER, "score": INT, "running_since": NULLABLE_TIME})
BOARD = {
    "metric": {"enum": list(METRICS)}, "period": {"enum": list(PERIODS)},
    "project": NULLABLE_ID, "period_key": TEXT, "rows": {"type": "array", "items": ROW}, "version": INT,
}
PROJECT_FOR_WATCHER = obj({
    **PROJECT_BRIEF["properties"], "archived": {"type": "boolean"},
    "role": {"enum": ["owner", "maintainer", "contributor", "viewer", None]},
})
TRACKING = obj({"user": USER, "entry": ID, "running_since": TIME})  # entry: the running entry's id
ONLINE = obj({"user": USER, "devices": ID})


@dataclass(frozen=True)
class Message:
    name: str
    schema: Schema
    summary: str


SERVER_MESSAGES: dict[str, Message] = {m.name: m for m in (
    Message("hello.me", typed("hello", {"user": USER, "timer": NULLABLE_ENTRY,
                                        "last_event_id": INT}),
            "/ws/me opened: who you are, your running timer, the newest event id now"),
    Message("hello.project", typed("hello", {"project": PROJECT_FOR_WATCHER, "last_event_id": INT}),
            "/ws/projects/{id} opened"),
    Message("timeline.event", typed("timeline.event", LOGGED), "a timeline event the socket may see"),
    Message("timer.started", typed("timer.started", {**LOGGED, "entry": ENTRY, "stopped": NULLABLE_ENTRY}),
            "one of your timers started"),
    Message("timer.stopped", typed("timer.stopped", {
        **LOGGED, "entry": ENTRY, "reason": {"enum": ["user", "auto", "access_revoked", "project_deleted"]}}),
            "one of your timers stopped"),
    Message("badge.awarded", typed("badge.awarded", {**LOGGED, "badge": BADGE}), "you earned a badge"),
    Message("leaderboard.rank", typed("leaderboard.rank", {
        "metric": {"const": DEFAULT_METRIC}, "period": {"const": DEFAULT_PERIOD}, "rank": NULLABLE_ID,
        "previous": NULLABLE_ID,
        "score": {"type": ["integer", "null"]}}), "your rank on the default board changed"),
    Message("leaderboard.snapshot", typed("leaderboard.snapshot", BOARD), "the board when a spectator connects"),
    Message("leaderboard.update", typed("leaderboard.update", BOARD), "the board after a change (at most 4/s)"),
    Message("presence", typed("presence", {
        "project": ID, "tracking": {"type": "array", "items": TRACKING},
        "online": {"oneOf": [{"type": "array", "items": ONLINE}, {"type": "null"}]}}),
            "who is tracking on the project, and (members only) who is online"),
    Message("ok", typed("ok", {"request": {"enum": ["timer.start", "timer.stop"]}, "ref": REF, "entry": ENTRY},
                        {"stopped": NULLABLE_ENTRY}),
            "the reply to a timer.start or timer.stop"),
    Message("pong", typed("pong", {"ref": REF}), "the reply to a ping"),
    Message("error", typed("error", {"code": TEXT, "detail": TEXT, "ref": REF},
                           {"errors": {"type": "object", "additionalProperties": {"type": "array", "items": TEXT}}}),
            "a message was refused (the socket stays open unless a close follows)"),
)}

CLIENT_MESSAGES: dict[str, Message] = {m.name: m for m in (
    Message("timer.start", typed("timer.start", {"project": ID}, {"description": TEXT, "ref": CLIENT_REF}),
            "start a timer (a running one stops at the same instant)"),
    Message("timer.stop", typed("timer.stop", {}, {"ref": CLIENT_REF}), "stop the running timer"),
    Message("ping", typed("ping", {}, {"ref": CLIENT_REF}), "answered with pong"),
)}

CLOSE_CODES = {
    1000: "normal closure",
    1009: "a frame over 1 MiB (after an error message_too_large)",
    1011: "the server could not open the stream: a bug (reported to Sentry), or its database is too busy "
          "(error database_busy first): reconnect with backoff",
    1012: "the server process is stopping or restarting (serve.py drains it): reconnect with backoff and since",
    4400: "bad parameters (since, metric, period, ...)",
    4401: "no, invalid, expired or revoked token: refresh and reconnect with since",
    4404: "no such project, or a private one you are not a member of (any more)",
    4429: "flooding: 50 rate-limited messages, one forgiven a second",
}

# Which server messages each path sends, and whether it takes client messages.
CHANNELS = {
    "me": ("/ws/me", ["hello.me", "timeline.event", "timer.started", "timer.stopped", "badge.awarded",
                      "leaderboard.rank", "ok", "pong", "error"], ["timer.start", "timer.stop", "ping"]),
    "leaderboard": ("/ws/leaderboard", ["leaderboard.snapshot", "leaderboard.update", "pong", "error"], ["ping"]),
    "project": ("/ws/projects/{project_id}", ["hello.project", "timeline.event", "presence", "pong", "error"],
                ["ping"]),
}


def server_schema_for(message: dict) -> list[Schema]:
    """The declared schemas a server message of this `type` may follow (hello has two)."""
    kind = message.get("type")
    return [m.schema for m in SERVER_MESSAGES.values() if m.schema["properties"]["type"]["const"] == kind]
