"""What every FocusHub socket does before and around its own messages (protocol:
docs/realtime.md): accept with the bearer subprotocol echoed, authenticate, refuse with a
close code, parse and throttle client frames, and hold relay frames back while the
socket catches up from the log.

Consumers are thin doors: ORM work goes through database_sync_to_async around
services and selectors, and nothing a client sends may end the socket's server task.
"""

import asyncio
import json
import logging
import time
import uuid
from collections import deque
from collections.abc import Callable
from typing import Any, ClassVar

from autobahn.exception import Disconnected
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from focushub.accounts.models import User
from focushub.accounts.tokens import TokenInvalid
from focushub.errors import ApplicationError, ValidationFailed
from focushub.timeline.log import latest_event_id
from realtime.auth import authenticate, credentials, query_params
from realtime.messages import encode, error_message
from realtime.relay import Relay, get_relay
from realtime.throttle import TokenBucket

logger = logging.getLogger(__name__)

MAX_FRAME_CHARS = 16 * 1024  # client messages are small; anything bigger is refused, not parsed
RATE, BURST = 10.0, 20  # client messages a second per socket, and the burst allowed
# A socket's patience: each rate-limited message uses up one of MAX_STRIKES, one comes
# back a second. A flood is closed (4429) after 50 rate-limited messages, a client that
# keeps sending at twice the rate after about 5 s, whatever gets through in between: a
# count of strikes "in a row" reset by every allowed message closed a fast flood and not
# the same flood sent a little slower (several sockets sharing the client's CPU).
MAX_STRIKES, STRIKES_FORGIVEN = 50, 1.0
MAX_REF_CHARS = 128
# 503 (the database too busy, a store unreachable) is the server's trouble, not the
# request's: 1011 tells the client to come back with backoff, where 4400 says never.
CLOSE_CODES = {401: 4401, 403: 4403, 404: 4404, 429: 4429, 503: 1011}
Frame = tuple[int, str]  # (event id, encoded frame)


class Flooding(ApplicationError):
    status = 429

    def __init__(self):
        super().__init__("rate_limited", "Too many messages; this socket is closed.")


def close_code(exc: ApplicationError) -> int:
    return CLOSE_CODES.get(exc.status, 4400)


def parse_frame(text: str | None, data: bytes | None) -> dict[str, Any]:
    """One client frame as a message dict, or an ApplicationError saying what is wrong."""
    if text is None:
        raise ApplicationError("invalid_message", "Messages are JSON text frames, not binary.")
    if len(text) > MAX_FRAME_CHARS:
        raise ApplicationError("message_too_large", f"A message may be at most {MAX_FRAME_CHARS} characters.")
    try:
        message = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ApplicationError("invalid_json", "The message is not valid JSON.") from exc
    if not isinstance(message, dict):
        raise ApplicationError("invalid_message", "A message is one JSON object.")
    if not isinstance(message.get("type"), str):
        raise ApplicationError("invalid_message", 'A message needs a string "type".')
    ref = message.get("ref")
    if ref is not None and not (
        (isinstance(ref, str) and len(ref) <= MAX_REF_CHARS) or (isinstance(ref, int) and not isinstance(ref, bool))
    ):
        raise ValidationFailed({"ref": [f"Must be a string of at most {MAX_REF_CHARS} characters or an integer."]})
    return message


def parse_since(raw: str | None) -> int | None:
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        raise ValidationFailed({"since": ["Must be an event id (a non-negative integer)."]})
    return int(raw)


class Door(AsyncWebsocketConsumer):
    # The relay, not the channel layer, writes to these sockets (realtime.relay): with no
    # channel layer a consumer costs no Redis subscription and survives Redis going away.
    channel_layer_alias = None
    requires_user: ClassVar[bool] = False
    handlers: ClassVar[dict[str, str]] = {"ping": "on_ping"}

    user: User | None = None
    user_id: int | None = None
    _gone = False
    family: uuid.UUID | None = None  # the refresh-token family (session) of the access token
    project_id: int | None = None  # the project a /ws/projects socket watches
    relay: Relay | None = None

    # -- opening and closing -----------------------------------------------------------

    async def connect(self) -> None:
        self._gone = False  # the client has left: nothing more is written
        self._held: deque | None = deque()  # relay frames waiting while we catch up
        self._cursor = 0
        self._patience = TokenBucket(rate=STRIKES_FORGIVEN, burst=MAX_STRIKES)
        self._closing = False
        self._device = False
        self._expiry = None
        self._expiring: asyncio.Task | None = None
        self._bucket = TokenBucket(rate=RATE, burst=BURST)
        found = credentials(self.scope)
        # Accept first: a close code (4401, 4404, ...) can only be sent on an open socket.
        await self.accept(subprotocol=found.subprotocol)
        try:
            if found.token is not None or self.requires_user:
                if found.token is None:
                    raise TokenInvalid("An access token is required (?token= or the bearer subprotocol).")
                self.user, claims = await database_sync_to_async(authenticate)(found.token)
                self.user_id = self.user.pk
                self.family = claims.family
                self._close_at_expiry(claims.expires_at)
            self.relay = await get_relay()
            if self.user_id is not None:
                self.relay.device_on(self.user_id, self)
                self._device = True
            await self.open(query_params(self.scope))
        except ApplicationError as exc:
            await self.refuse(exc)
        except Exception:
            logger.exception("websocket %s: opening failed", self.scope.get("path"))
            await self.refuse(ApplicationError("internal_error", "The server could not open this stream."), code=1011)

    async def open(self, params: dict[str, str]) -> None:
        """Subclasses: check access, attach to the relay, send the first frames, release()."""
        await self.release(0)

    def leave(self) -> None:
        """Subclasses: detach from the relay."""

    async def resume_point(self, since: int | None, horizon: int) -> int:
        """The horizon to start from. A client resuming from another process may hold an
        event this relay has not reached yet (the other relay read the log a moment
        earlier): the stream then waits for this relay to catch up (Relay.reached), so
        hello never reports less than the client holds, which would read as a log reset
        (docs/realtime.md, "Resuming"). A `since` beyond the log itself is a reset: no wait."""
        if since is None or since <= horizon:
            return horizon
        if since > await database_sync_to_async(latest_event_id)():
            return horizon
        return await self.relay.reached(since)

    async def replay(self, since: int | None, horizon: int, read_page: Callable[[int, int], list[Frame]]) -> None:
        """Send the log in (since, horizon], oldest first, a page at a time. Relay frames
        are held meanwhile (deliver), so nothing interleaves out of order."""
        if since is None:
            return
        after = since
        while after < horizon:
            page = await database_sync_to_async(read_page)(after, horizon)
            if not page:
                break
            for _, frame in page:
                await self.send(text_data=frame)
            after = page[-1][0]

    async def disconnect(self, code: int) -> None:
        self._gone = True
        if self._expiry is not None:
            self._expiry.cancel()
        if self.relay is not None:
            self.leave()
            if self._device:
                self._device = False
                self.relay.device_off(self.user_id, self)

    async def refuse(self, exc: ApplicationError, code: int | None = None) -> None:
        """Say why in an error frame, then close with the matching 44xx code."""
        if self._closing:
            return
        self._closing = True
        await self.send_message(error_message(exc.code, exc.detail, errors=exc.errors))
        await self.close(code=code or close_code(exc))

    def _close_at_expiry(self, expires_at) -> None:
        """An access token expires while its socket stays open: close with 4401 then, so a
        revoked user stops receiving within the token's lifetime; the client reconnects
        with a fresh token and `since` and misses nothing."""
        delay = max(0.0, expires_at.timestamp() - time.time())
        self._expiry = asyncio.get_running_loop().call_later(delay, self._expire)

    def _expire(self) -> None:
        expired = TokenInvalid("Token has expired.", code="token_expired")
        self._expiring = asyncio.get_running_loop().create_task(self.refuse(expired))  # held: tasks are weak refs

    # -- client messages -------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self._closing:
            return  # frames still in flight after we closed get no answer: the error said why
        ref = None
        try:
            allowed = self._bucket.take()
            if not allowed:
                await self._throttled(text_data, bytes_data)
                return
            message = parse_frame(text_data, bytes_data)
            ref = message.get("ref")
            handler = self.handlers.get(message["type"])
            if handler is None:
                raise ApplicationError("unknown_type", f"Unknown message type {message['type'][:64]!r}.")
            reply = await getattr(self, handler)(message)
            if reply is not None:
                await self.send_message({**reply, "ref": ref})
        except TokenInvalid as exc:
            await self.refuse(exc)
        except ApplicationError as exc:
            await self.send_message(error_message(exc.code, exc.detail, ref=ref, errors=exc.errors))
        except Exception:
            logger.exception("websocket %s: a message handler failed", self.scope.get("path"))
            await self.send_message(error_message("internal_error", "The server could not handle this.", ref=ref))

    async def _throttled(self, text_data: str | None, bytes_data: bytes | None) -> None:
        if not self._patience.take():
            await self.refuse(Flooding())
            return
        try:
            ref = parse_frame(text_data, bytes_data).get("ref")
        except ApplicationError:
            ref = None
        detail = f"Slow down: at most {RATE:g} messages a second."
        await self.send_message(error_message("rate_limited", detail, ref=ref))

    async def on_ping(self, message: dict[str, Any]) -> dict[str, Any]:
        return {"type": "pong"}

    # -- frames from the relay -------------------------------------------------------

    async def send_message(self, message: dict[str, Any]) -> None:
        await self.send(text_data=encode(message))

    async def send(self, text_data=None, bytes_data=None, close=False) -> None:
        """Every write goes through here. A client can go away between our last read and
        this write (autobahn then raises Disconnected before daphne has marked the
        connection closed): that is the client's doing, not an error of ours, so the write
        is dropped and the socket is treated as closing."""
        if self._gone:
            return
        try:
            await super().send(text_data=text_data, bytes_data=bytes_data, close=close)
        except Disconnected:
            self._gone = self._closing = True
            logger.debug("websocket %s: write after the client left; dropped", self.scope.get("path"))

    async def deliver(self, seq: int | None, frame: str) -> None:
        """A frame from the relay. `seq` (an event id, a board version) orders frames that
        can also arrive by replay; frames at or below the cursor were already sent."""
        if self._held is not None:
            self._held.append((seq, frame))
            return
        if seq is not None:
            if seq <= self._cursor:
                return
            self._cursor = seq
        await self.send(text_data=frame)

    async def release(self, cursor: int) -> None:
        """End the catch-up: everything up to `cursor` was sent from the log or a snapshot;
        send what the relay pushed meanwhile, skipping what the catch-up already held."""
        self._cursor = max(self._cursor, cursor)
        held = self._held
        while held:
            seq, frame = held.popleft()
            if seq is None or seq > self._cursor:
                self._cursor = seq if seq is not None else self._cursor
                await self.send(text_data=frame)
        self._held = None
