"""The frames the websocket doors send, built from log rows, board reads and errors.

Each frame is one JSON object with a `type` (protocol: docs/realtime.md). Frames the relay
fans out are encoded once and the same text is written to every socket that may see it.
"""

import json
from typing import Any

from focushub.presenters import iso, user_brief
from focushub.timeline.models import Event


def encode(message: dict[str, Any]) -> str:
    """Compact JSON, non-ASCII kept as is. A lone surrogate (a client can send one as
    "\\ud800" and see it echoed in an error) cannot be written as UTF-8, so such a frame
    falls back to escaping (valid JSON either way)."""
    text = json.dumps(message, separators=(",", ":"), ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(message, separators=(",", ":"))
    return text


def event_data(event: Event) -> dict[str, Any]:
    """A timeline event as GET /timeline shows it (docs/api.md)."""
    return {
        "id": event.pk,
        "kind": event.kind,
        "actor": user_brief(event.actor),
        "project": event.project_id,
        "payload": event.payload,
        "created_at": iso(event.created_at),
    }


def timeline_message(event: Event) -> dict[str, Any]:
    return {"type": "timeline.event", "id": event.pk, "event": event_data(event)}


def actor_message(event: Event) -> dict[str, Any]:
    """What the actor's own sockets get for one of their events.

    One message per event id, so a client de-duplicates by `id` alone: timer and badge
    events get their own type with the useful fields lifted out of the payload, and still
    carry the timeline `event` so the client can add it to its timeline.
    """
    payload = event.payload if isinstance(event.payload, dict) else {}
    base = {"id": event.pk, "event": event_data(event)}
    if event.kind == "timer.started":
        return {"type": "timer.started", **base, "entry": payload.get("entry"), "stopped": payload.get("stopped")}
    if event.kind in ("timer.stopped", "timer.auto_stopped"):
        # "user" (stopped by hand), "auto" (TIMER_MAX_HOURS), or the service's reason
        # ("access_revoked", "project_deleted").
        reason = "auto" if event.kind == "timer.auto_stopped" else payload.get("reason") or "user"
        return {"type": "timer.stopped", **base, "entry": payload.get("entry"), "reason": reason}
    if event.kind == "badge.awarded":
        return {"type": "badge.awarded", **base, "badge": payload.get("badge")}
    return timeline_message(event)


def feed_frame(event: Event, *, for_actor: bool) -> str:
    return encode(actor_message(event) if for_actor else timeline_message(event))


def board_message(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """leaderboard.snapshot / leaderboard.update: the shape of GET /leaderboard without `me`
    (one frame serves every spectator of the board)."""
    return {
        "type": kind,
        "metric": data["metric"],
        "period": data["period"],
        "project": data["project"],
        "period_key": data["period_key"],
        "rows": data["rows"],
        "version": data["version"],
    }


def error_message(code: str, detail: str, *, ref: Any = None, errors: dict | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"type": "error", "code": code, "detail": detail, "ref": ref}
    if errors:
        message["errors"] = errors
    return message
