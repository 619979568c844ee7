"""/asyncapi.json: the websocket protocol as an AsyncAPI 3.0 document, built from the
declarations in realtime/protocol.py and focushub/timeline/kinds.py, so a frontend can
generate types for the sockets as it does for REST from /openapi.json.

Operations are the server's: it `send`s what clients receive, and `receive`s what
clients send. Query parameters (token, since, board parameters) are ws channel bindings.
"""

from typing import Any

from focushub.leaderboards.boards import METRICS, PERIODS
from focushub.leaderboards.selectors import MAX_LIMIT
from realtime.protocol import CHANNELS, CLIENT_MESSAGES, CLOSE_CODES, SERVER_MESSAGES

QUERY = {
    "me": {"token": "an access token (or the `bearer` subprotocol)",
           "since": "resume after this event id: everything newer is replayed first"},
    "leaderboard": {"metric": " | ".join(METRICS), "period": " | ".join(PERIODS),
                    "project": "a project id (time boards)", "limit": f"rows, 1..{MAX_LIMIT}",
                    "token": "optional: a private project's board needs a member's token"},
    "project": {"token": "optional for a public project; a member's token shows members-only events",
                "since": "resume after this event id"},
}


def _message_key(name: str) -> str:
    return name.replace(".", "_")


def document(host: str, secure: bool) -> dict[str, Any]:
    messages = {
        _message_key(m.name): {"name": m.name, "summary": m.summary, "contentType": "application/json",
                               "payload": m.schema}
        for m in (*SERVER_MESSAGES.values(), *CLIENT_MESSAGES.values())
    }
    channels, operations = {}, {}
    for channel, (address, sent, received) in CHANNELS.items():
        channel_messages = {_message_key(name): {"$ref": f"#/components/messages/{_message_key(name)}"}
                            for name in (*sent, *received)}
        spec: dict[str, Any] = {
            "address": address,
            "messages": channel_messages,
            "bindings": {"ws": {"query": {"type": "object", "properties": {
                name: {"type": "string", "description": text} for name, text in QUERY[channel].items()}}}},
        }
        if "{project_id}" in address:
            spec["parameters"] = {"project_id": {"description": "the project's id"}}
        channels[channel] = spec
        operations[f"{channel}_send"] = {
            "action": "send", "channel": {"$ref": f"#/channels/{channel}"},
            "summary": f"what the server sends on {address}",
            "messages": [{"$ref": f"#/channels/{channel}/messages/{_message_key(n)}"} for n in sent],
        }
        operations[f"{channel}_receive"] = {
            "action": "receive", "channel": {"$ref": f"#/channels/{channel}"},
            "summary": f"what clients may send on {address}",
            "messages": [{"$ref": f"#/channels/{channel}/messages/{_message_key(n)}"} for n in received],
        }
    codes = "\n".join(f"- {code}: {text}" for code, text in sorted(CLOSE_CODES.items()))
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "FocusHub websockets",
            "version": "1",
            "description": "Persistent sockets for the frontend (/ws/me), spectators (/ws/leaderboard) and "
            "project pages (/ws/projects/{id}). Every frame is one JSON object with a `type`. Events carry "
            "their log `id`: de-duplicate by it and reconnect with `since`. Close codes:\n" + codes,
        },
        "servers": {"focushub": {"host": host, "protocol": "wss" if secure else "ws"}},
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }
