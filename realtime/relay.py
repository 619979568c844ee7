"""The relay: ONE per daphne process, it carries committed events from the log to this
process's sockets (design and reasons: docs/realtime.md, "Delivery").

The database is the log and the doorbell (realtime.doorbell) is only a ring. The relay
wakes on a ring (in-process listener, or Redis SUBSCRIBE via realtime.subscriber) and on
a short timer, so a ring that never comes (Redis down, a django-q2 worker on the embedded
default) costs latency, never data. Each wake reads the events committed after its
high-water mark, in id order, and writes each one to the local sockets that may see it,
looked up in the process-local registry, with each frame encoded once.

It starts lazily with the first socket (`get_relay`), runs its tasks until the process
exits, and never dies: every iteration is guarded, logged and retried.
"""

import asyncio
import contextlib
import logging
import time

from focushub.timeline.log import LogCursor, latest_event_id
from focushub.timeline.models import Event
from focushub.timeline.selectors import LogBatch, feed_readers, log_after, project_stream_shows
from realtime import doorbell, revocation
from realtime.boards import BoardFeed
from realtime.lanes import DbLane
from realtime.loops import run_forever, send_all, wait_for_wake
from realtime.messages import encode, feed_frame, timeline_message
from realtime.presence import PresenceFeed
from realtime.registry import BoardKey, Registry
from realtime.subscriber import DoorbellSubscriber

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.25  # the longest a committed event waits when no ring reaches us
GAP_POLL_SECONDS = 0.01  # while a gap holds the log back: look again this soon
BATCH = 500
RESET_CHECK_SECONDS = 5.0
CATCH_UP_SECONDS = 3.0  # how long a socket resuming ahead of this relay waits for it


class Relay:
    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.registry = Registry()
        self.high_water = 0
        self.cursor: LogCursor | None = None
        self.lane = DbLane("events")
        self.boards = BoardFeed(self.registry)
        self.presence = PresenceFeed(self.registry)
        self.subscriber = DoorbellSubscriber(self.ring)
        self._wake = asyncio.Event()
        self._ready: asyncio.Task | None = None
        self._tasks: set[asyncio.Task] = set()  # held: the loop keeps only weak references
        self._reset_checked = time.monotonic()
        self._waiting = False

    async def ready(self) -> None:
        if self._ready is None:
            self._ready = self.loop.create_task(self._start())
        # Concurrent first sockets all wait for the one start.
        await asyncio.shield(self._ready)

    def failed(self) -> bool:
        ready = self._ready
        return ready is not None and ready.done() and (ready.cancelled() or ready.exception() is not None)

    async def _start(self) -> None:
        self.cursor = await self.lane(LogCursor.at_latest)
        self.high_water = self.cursor.horizon
        doorbell.add_listener(self._ring_from_any_thread)
        steps = {"events": self._step, "boards": self.boards.step, "presence": self.presence.step}
        if self.subscriber.enabled:
            steps["doorbell"] = self.subscriber.run
        for name, step in steps.items():
            task = self.loop.create_task(run_forever(name, step), name=f"realtime-{name}")
            self._tasks.add(task)
        logger.info("realtime relay started at event %s (tasks: %s)", self.high_water, ", ".join(steps))

    # -- rings ---------------------------------------------------------------------

    def _ring_from_any_thread(self, message: dict) -> None:
        """Called by doorbell.ring in the thread that committed (a request thread or a
        socket's service call). It must never raise into that commit's on_commit."""
        with contextlib.suppress(RuntimeError):  # the loop is closing: nothing left to wake
            self.loop.call_soon_threadsafe(self.ring, message)

    def ring(self, message: dict) -> None:
        kind = message.get("type")
        if kind == "events":
            self._wake.set()
        elif kind == "board":
            self.boards.touch()
        elif kind == "access":
            task = self.loop.create_task(revocation.apply(self.registry, message))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    # -- sockets -------------------------------------------------------------------
    # Attaching returns the high-water mark in the same synchronous step as the
    # registration: every event above it will be pushed to the socket, every event at or
    # below it is already committed and is the socket's to replay from the log.

    def attach_feed(self, consumer, user_id: int) -> int:
        self.registry.add_user(user_id, consumer)
        return self.high_water

    async def reached(self, event_id: int) -> int:
        """The high-water mark once it reaches `event_id`, or as it is after
        CATCH_UP_SECONDS. Wakes the pump meanwhile rather than waiting for its poll. A
        socket that attached below `event_id` is held (it gets every event above the mark
        it attached at), so it may take any later mark as its horizon."""
        deadline = self.loop.time() + CATCH_UP_SECONDS
        while self.high_water < event_id and self.loop.time() < deadline:
            self._wake.set()
            await asyncio.sleep(GAP_POLL_SECONDS)
        return self.high_water

    def detach_feed(self, consumer, user_id: int) -> None:
        self.registry.remove_user(user_id, consumer)

    def attach_watcher(self, consumer, project_id: int) -> int:
        self.registry.add_watcher(project_id, consumer)
        return self.high_water

    def detach_watcher(self, consumer, project_id: int) -> None:
        self.registry.remove_watcher(project_id, consumer)

    def attach_spectator(self, consumer, key: BoardKey, reader_id: int | None) -> None:
        self.registry.add_spectator(key, consumer)
        self.boards.note_reader(key, reader_id)

    def detach_spectator(self, consumer, key: BoardKey) -> None:
        self.registry.remove_spectator(key, consumer)

    def device_on(self, user_id: int, consumer) -> None:
        self.registry.device_on(user_id, consumer)
        self.presence.devices_changed()

    def device_off(self, user_id: int, consumer) -> None:
        self.registry.device_off(user_id, consumer)
        self.presence.devices_changed()

    # -- the event pump --------------------------------------------------------------

    async def _step(self) -> None:
        await wait_for_wake(self._wake, GAP_POLL_SECONDS if self._waiting else POLL_SECONDS)
        while True:
            batch = await self.lane(log_after, self.cursor, BATCH)
            self._waiting = batch.waiting
            if batch.late:
                await self._fan_out(batch, batch.late, late=True)
            if batch.events:
                await self._fan_out(batch, batch.events)
            if len(batch.events) < BATCH:
                break
        if time.monotonic() - self._reset_checked > RESET_CHECK_SECONDS:
            await self._check_log_reset()

    async def _check_log_reset(self) -> None:
        """A restored or recreated database can have fewer events than we have seen;
        without this the relay would wait for ids that are never coming."""
        self._reset_checked = time.monotonic()
        latest = await self.lane(latest_event_id)
        if latest < self.high_water:
            logger.warning("realtime: the event log went back from %s to %s; following it", self.high_water, latest)
            self.cursor.reset(latest)
            self.high_water = latest

    async def _fan_out(self, batch: LogBatch, events: list[Event], late: bool = False) -> None:
        for event in events:
            # Advance BEFORE writing: a socket that attaches while this event is being
            # written out gets a horizon >= its id and replays it from the log, and it is
            # not among the recipients looked up below, so it gets the event exactly once.
            # A late event (its gap was given up: focushub/timeline/log.py) is below the
            # horizon; it goes out without a sequence number, so sockets do not drop it.
            if not late:
                self.high_water = event.pk
            seq = None if late else event.pk
            members = batch.members.get(event.project_id, set())
            await self._to_feeds(event, members, seq)
            await self._to_watchers(event, members, seq)
            self.boards.touch()
            if event.project_id is not None:
                self.presence.touch(event.project_id)

    async def _to_feeds(self, event: Event, members: set[int], seq: int | None) -> None:
        """/ws/me: whoever's own timeline shows the event (focushub.timeline.selectors)."""
        others_frame = None
        for user_id in feed_readers(event, members) & self.registry.users.keys():
            if user_id == event.actor_id:
                frame = feed_frame(event, for_actor=True)
            else:
                others_frame = others_frame or feed_frame(event, for_actor=False)
                frame = others_frame
            await send_all(self.registry.sockets_of(user_id), seq, frame)

    async def _to_watchers(self, event: Event, members: set[int], seq: int | None) -> None:
        """/ws/projects/{id}: what the project's timeline shows each watcher
        (focushub.timeline.selectors.project_stream_shows)."""
        if event.project_id is None:
            return
        watchers = [
            w for w in self.registry.watchers(event.project_id)
            if project_stream_shows(event, is_member=w.user_id in members)
        ]
        if watchers:
            await send_all(watchers, seq, encode(timeline_message(event)))


_relay: Relay | None = None


async def get_relay() -> Relay:
    """This process's relay, started on first use (daphne runs one event loop)."""
    global _relay
    loop = asyncio.get_running_loop()
    if _relay is None or _relay.loop is not loop or _relay.failed():
        if _relay is not None:
            doorbell.remove_listener(_relay._ring_from_any_thread)
        _relay = Relay(loop)
    await _relay.ready()
    return _relay
