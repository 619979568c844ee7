"""Helpers for driving FocusHub's websockets in tests: open a stream, read until a
message, read until quiet, learn the close code. Real sockets, real servers."""

import time
from contextlib import suppress
from urllib.parse import urlencode

from websockets.exceptions import ConnectionClosed

from tests.support.clients import Socket


def stream_url(server, path: str, *, token: str | None = None, **params) -> str:
    query = {k: v for k, v in params.items() if v is not None}
    if token:
        query["token"] = token
    return f"{server.ws_url}{path}" + (f"?{urlencode(query)}" if query else "")


def first(socket: Socket, kind: str, timeout: float = 5) -> dict:
    return socket.recv_until(lambda m: m["type"] == kind, timeout=timeout)


def first_event(socket: Socket, event_kind: str, timeout: float = 5) -> dict:
    """The first `timeline.event` frame of that event kind. A stream opened without
    `since` starts at hello's last_event_id, so events committed just before the connect
    (a test's own set-up) can still arrive live first."""
    return socket.recv_until(
        lambda m: m["type"] == "timeline.event" and m["event"]["kind"] == event_kind, timeout=timeout
    )


def gather(socket: Socket, *kinds: str, timeout: float = 5) -> dict[str, dict]:
    """Read until one message of each kind has arrived, in whatever order; the first of each."""
    found: dict[str, dict] = {}
    deadline = time.monotonic() + timeout
    while set(kinds) - set(found):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"still waiting for {sorted(set(kinds) - set(found))}; got {sorted(found)}")
        message = socket.recv(timeout=remaining)
        found.setdefault(message["type"], message)
    return found


def quiet(socket: Socket, settle: float = 0.6, limit: float = 15) -> list[dict]:
    """Every message until none has arrived for `settle` seconds."""
    got: list[dict] = []
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            got.append(socket.recv(timeout=settle))
        except TimeoutError:
            return got
    raise AssertionError("the stream never went quiet")


def close_code(socket: Socket, timeout: float = 5) -> int | None:
    """Read until the server closes the socket; its close code."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.recv(timeout=max(0.01, deadline - time.monotonic()))
        except ConnectionClosed as exc:
            return exc.rcvd.code if exc.rcvd else None
        except TimeoutError:
            break
    raise AssertionError("the server did not close the socket")


def is_open(socket: Socket) -> bool:
    socket.send({"type": "ping", "ref": "alive?"})
    with suppress(TimeoutError, ConnectionClosed):
        return first(socket, "pong")["ref"] == "alive?"
    return False


def event_ids(messages: list[dict]) -> list[int]:
    return [m["id"] for m in messages if "id" in m]


def kinds_through(socket: Socket, last_kind: str, timeout: float = 15) -> list[str]:
    """The kinds of the timeline events the socket delivers, read until one of
    `last_kind` arrives (as event_ids_through, by kind)."""
    kinds: list[str] = []
    while last_kind not in kinds:
        kinds.append(first(socket, "timeline.event", timeout=timeout)["event"]["kind"])
    return kinds


def event_ids_through(socket: Socket, last_id: int, timeout: float = 15) -> list[int]:
    """The event ids the socket delivers, read until `last_id` arrives: a test waits for
    the event it expects, however long a busy machine takes, never for a quiet spell."""
    ids: list[int] = []
    while last_id not in ids:
        ids += event_ids([socket.recv(timeout=timeout)])
    return ids
