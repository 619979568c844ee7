"""Live leaderboards for spectators and `leaderboard.rank` for signed-in users
(docs/realtime.md, "/ws/leaderboard").

A board may move whenever something is committed, so every new event and every "board"
ring marks all spectated boards stale. Each stale board is read at most four times a
second (coalescing), ONCE for all of this process's spectators of it, compared with the
rows last sent, and only a real change is encoded (once) and written to each spectator.
"""

import asyncio
import logging
import time
from dataclasses import dataclass, field

import redis

from focushub.errors import NotFound
from focushub.leaderboards.selectors import DEFAULT_METRIC, DEFAULT_PERIOD, leaderboard_read, ranks_on_default_board
from focushub.projects.selectors import project_visible
from realtime.lanes import DbLane
from realtime.loops import send_all, wait_for_wake
from realtime.messages import board_message, encode
from realtime.registry import BoardKey, Registry

logger = logging.getLogger(__name__)

UPDATE_INTERVAL = 0.25  # at most 4 updates a second per board (docs/realtime.md)
REREAD_SECONDS = 5.0  # re-read even without news: a new period, a renamed user, a lost ring
RANK_INTERVAL = 1.0
UNKNOWN = object()  # a rank we could not read (e.g. Redis down): no baseline yet


def read_board(key: BoardKey, reader_id: int | None) -> dict:
    data = leaderboard_read(
        metric=key.metric, period=key.period, project_id=key.project_id,
        limit=key.limit, offset=key.offset, viewer_id=reader_id,
    )
    data.pop("me", None)
    return data


def readers_allowed(project_id: int, user_ids: set[int | None]) -> set[int | None]:
    allowed = set()
    for user_id in user_ids:
        try:
            project_visible(user_id=user_id, project_id=project_id)
        except NotFound:
            continue
        allowed.add(user_id)
    return allowed


@dataclass
class BoardState:
    data: dict
    generation: int  # the touch generation the data was read at
    seq: int = 1  # bumped on every change sent; spectators de-duplicate by it
    sent_at: float = 0.0
    _snapshot: str | None = field(default=None, repr=False)

    def snapshot_frame(self) -> str:
        # Encoded once per change, however many spectators connect meanwhile.
        if self._snapshot is None:
            self._snapshot = encode(board_message("leaderboard.snapshot", self.data))
        return self._snapshot

    def replace(self, data: dict) -> str:
        self.data, self.seq, self.sent_at, self._snapshot = data, self.seq + 1, time.monotonic(), None
        return encode(board_message("leaderboard.update", data))


class BoardFeed:
    def __init__(self, registry: Registry):
        self.registry = registry
        self.lane = DbLane("boards")
        self.states: dict[BoardKey, BoardState] = {}
        self.readers: dict[BoardKey, int | None] = {}  # whose visibility reads a project board
        self.ranks: dict[int, object] = {}  # user id -> (rank, score) | None, last known
        self.generation = 0
        self._loading: dict[BoardKey, asyncio.Task] = {}
        self._wake = asyncio.Event()
        self._reread_at = time.monotonic()
        self._ranks_stale = False
        self._ranks_at = 0.0

    def touch(self) -> None:
        """Something was committed that may move boards and ranks."""
        self.generation += 1
        self._ranks_stale = True
        self._wake.set()

    def _reread(self) -> None:
        # Ranks move only with scores, and every score change is an event (touch); the
        # periodic re-read is for what events do not announce (a new period, a new name).
        self.generation += 1

    def note_reader(self, key: BoardKey, reader_id: int | None) -> None:
        if key.project_id is not None and (reader_id is not None or key not in self.readers):
            self.readers[key] = reader_id

    def note_rank(self, user_id: int, rank: object) -> None:
        """The rank a user had when their socket said hello: later changes are news."""
        if rank is not UNKNOWN:
            self.ranks.setdefault(user_id, rank)

    async def snapshot(self, key: BoardKey) -> BoardState:
        """The board as last sent to its spectators, read now if nobody watches it yet."""
        state = self.states.get(key)
        if state is not None:
            return state
        task = self._loading.get(key)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._load(key))
            self._loading[key] = task
            task.add_done_callback(lambda _: self._loading.pop(key, None))
        return await asyncio.shield(task)

    async def _load(self, key: BoardKey) -> BoardState:
        generation = self.generation
        data = await self.lane(read_board, key, self.readers.get(key))
        state = self.states.setdefault(key, BoardState(data=data, generation=generation))
        return state

    async def step(self) -> None:
        await wait_for_wake(self._wake, UPDATE_INTERVAL)
        now = time.monotonic()
        if now - self._reread_at >= REREAD_SECONDS:
            self._reread_at = now
            self._reread()
        for key, state in list(self.states.items()):
            if key not in self.registry.boards:
                del self.states[key]
                self.readers.pop(key, None)
            elif state.generation < self.generation and now - state.sent_at >= UPDATE_INTERVAL:
                await self._refresh(key, state)
        if self._ranks_stale and now - self._ranks_at >= RANK_INTERVAL and self.registry.users:
            await self._send_ranks()

    async def _refresh(self, key: BoardKey, state: BoardState) -> None:
        generation = self.generation
        try:
            data = await self.lane(read_board, key, self.readers.get(key))
        except NotFound:
            await self._evict_unauthorised(key)
            return
        except redis.RedisError as exc:
            # Boards live in Redis when it is configured; retried at the next step.
            logger.warning("boards: %s unreadable (%s)", key, exc)
            return
        state.generation = generation
        if data["rows"] == state.data["rows"] and data["period_key"] == state.data["period_key"]:
            return
        frame = state.replace(data)
        await send_all(self.registry.spectators(key), state.seq, frame)

    async def _evict_unauthorised(self, key: BoardKey) -> None:
        """The project went private or our reader left it: re-check every spectator."""
        spectators = self.registry.spectators(key)
        allowed = await self.lane(readers_allowed, key.project_id, {s.user_id for s in spectators})
        for spectator in spectators:
            if spectator.user_id not in allowed:
                await spectator.refuse(NotFound())
        self.readers[key] = next((u for u in allowed if u is not None), None)

    async def _send_ranks(self) -> None:
        self._ranks_stale, self._ranks_at = False, time.monotonic()
        try:
            ranks = await self.lane(ranks_on_default_board, list(self.registry.users))
        except redis.RedisError as exc:
            self._ranks_stale = True
            logger.warning("boards: ranks unreadable (%s)", exc)
            return
        for user_id, now in ranks.items():
            before = self.ranks.get(user_id, UNKNOWN)
            self.ranks[user_id] = now
            was = before[0] if isinstance(before, tuple) else None
            rank, score = now if now is not None else (None, 0)
            if before is UNKNOWN or was == rank:
                continue
            frame = encode({
                "type": "leaderboard.rank", "metric": DEFAULT_METRIC, "period": DEFAULT_PERIOD,
                "rank": rank, "previous": was, "score": score,
            })
            await send_all(self.registry.sockets_of(user_id), None, frame)
        for user_id in set(self.ranks) - set(self.registry.users):
            del self.ranks[user_id]
