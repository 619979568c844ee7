"""/ws/me: a signed-in user's stream, one socket per tab (protocol: docs/realtime.md).

hello -> replay of `since` from the log -> live frames from the relay, with no gap and no
duplicate between the last two. timer.start / timer.stop call the same services as
POST /time-entries/start and /stop; what they change reaches every tab through the log,
like a change made over REST.
"""

import logging
from functools import partial
from typing import Any

from channels.db import database_sync_to_async

from focushub.accounts.models import User
from focushub.accounts.selectors import user_active_by_id
from focushub.accounts.tokens import TokenInvalid
from focushub.leaderboards.selectors import ranks_on_default_board
from focushub.presenters import user_brief
from focushub.timeline.selectors import events_for_user_feed_between
from focushub.tracking.presenters import entry_data, start_data
from focushub.tracking.selectors import running_entry
from focushub.tracking.services import time_entry_start, time_entry_stop
from realtime.boards import UNKNOWN
from realtime.consumers.base import Door, parse_since
from realtime.messages import feed_frame

logger = logging.getLogger(__name__)

REPLAY_PAGE = 500  # events per read while catching up


def hello_data(user: User) -> tuple[dict[str, Any], object]:
    """The hello frame's fields read now, and the user's current rank (the baseline for
    later leaderboard.rank messages; UNKNOWN when the board store is unreachable)."""
    try:
        rank = ranks_on_default_board([user.pk])[user.pk]
    except Exception as exc:
        logger.warning("ws/me: rank unreadable at hello (%s: %s); it becomes known at the next board read",
                       type(exc).__name__, exc)
        rank = UNKNOWN
    timer = running_entry(user_id=user.pk)
    return {"user": user_brief(user), "timer": entry_data(timer) if timer is not None else None}, rank


def feed_frames(user_id: int, after_id: int, upto_id: int) -> list[tuple[int, str]]:
    events = events_for_user_feed_between(user_id=user_id, after_id=after_id, upto_id=upto_id, limit=REPLAY_PAGE)
    return [(event.pk, feed_frame(event, for_actor=event.actor_id == user_id)) for event in events]


def _active(user_id: int) -> User:
    user = user_active_by_id(user_id)
    if user is None:
        raise TokenInvalid()
    return user


def timer_start(user_id: int, project: Any, description: Any) -> dict[str, Any]:
    result = time_entry_start(user=_active(user_id), project_id=project, description=description)
    return start_data(result.entry, result.stopped)


def timer_stop(user_id: int) -> dict[str, Any]:
    return {"entry": entry_data(time_entry_stop(user=_active(user_id)))}


class MeConsumer(Door):
    requires_user = True
    handlers = {"ping": "on_ping", "timer.start": "on_timer_start", "timer.stop": "on_timer_stop"}
    attached = False

    async def open(self, params: dict[str, str]) -> None:
        since = parse_since(params.get("since"))
        horizon = await self.resume_point(since, self.relay.attach_feed(self, self.user_id))
        self.attached = True
        hello, rank = await database_sync_to_async(hello_data)(self.user)
        self.relay.boards.note_rank(self.user_id, rank)
        await self.send_message({"type": "hello", **hello, "last_event_id": horizon})
        await self.replay(since, horizon, partial(feed_frames, self.user_id))
        await self.release(horizon)

    def leave(self) -> None:
        if self.attached:
            self.relay.detach_feed(self, self.user_id)

    async def on_timer_start(self, message: dict[str, Any]) -> dict[str, Any]:
        start = database_sync_to_async(timer_start)
        result = await start(self.user_id, message.get("project"), message.get("description"))
        return {"type": "ok", "request": "timer.start", **result}

    async def on_timer_stop(self, message: dict[str, Any]) -> dict[str, Any]:
        result = await database_sync_to_async(timer_stop)(self.user_id)
        return {"type": "ok", "request": "timer.stop", **result}
