"""The pages of GET /leaderboard, computed once per change of the boards instead of once
per request (docs/leaderboards.md, "Kept board pages").

Spectators, embeds and scripts polling a public board ask for the same few pages again
and again, and a page costs ~3.6 ms of CPU to read and present (bench/README.md), ten
times what serving it does. So each process keeps the pages it has read, in the wire form the
door presents them in, tagged with the boards' epoch: a token in Redis that every commit
which may change a page replaces, in whichever process it commits:
- every commit that writes timeline events or moves a board score (the "events" and
  "board" announcements, focushub/announce.py): scores, ranks, running timers;
- every saved user (a new name or avatar, an opt-out, a deactivation, an admin's hide),
  after it commits: what a row shows, and who may be on a page.
A page is served from memory only while the epoch is the one it was read under, so an
anonymous reader sees what a fresh read would, the moment the change's epoch is written.
If that write is lost (Redis unreachable for a moment), a page is still read anew after
MAX_AGE seconds at most.

A page's rows are the same for every reader allowed to see it, so signed-in readers share
the kept pages too; only their own `me` is theirs, taken from their row when the page shows
them and read from the board now when it does not (selectors.board_me).

Only the scaled mode caches: its processes share Redis. The embedded mode's local cache
would not see the django-q2 cluster's commits (badge awards), so it reads every time.
"""

import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

import redis
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from focushub.accounts.models import User
from focushub.leaderboards.boards import Board
from focushub.leaderboards.selectors import board_me, leaderboard_read
from focushub.projects.selectors import project_visible
from focushub.redis_pool import redis_client

logger = logging.getLogger(__name__)

T = TypeVar("T")

EPOCH_KEY = "fh:leaderboards:pages:epoch"  # a plain string, read on every anonymous page request
MAX_AGE = 5.0  # seconds a kept page may be served at most, whatever the epoch says
MAX_PAGES = 512  # pages kept per process, the least recently read dropped first
QUIET_AFTER_FAILURE = 1.0  # after Redis failed a write of the epoch, do not wait on it again this long


class _Kept(NamedTuple):
    epoch: bytes  # the boards' epoch the page was read under
    read_at: float  # time.monotonic() when it was read
    presented: Any  # the page as the door presents it, `me` null
    shown: dict[int, dict]  # user id -> {rank, score} of the page's rows: their `me`


_pages: OrderedDict[tuple, _Kept] = OrderedDict()
_lock = threading.Lock()
_quiet_until = 0.0


def pages_changed() -> None:
    """A commit may have changed what a page shows: give the boards a new epoch. Called
    after commit; never raises into the committing code."""
    global _quiet_until
    with _lock:
        _pages.clear()  # this process's own pages at least, whatever happens to Redis
    if not settings.REDIS_URL or time.monotonic() < _quiet_until:
        return
    try:
        redis_client().set(EPOCH_KEY, uuid.uuid4().hex)
    except redis.RedisError as exc:
        _quiet_until = time.monotonic() + QUIET_AFTER_FAILURE
        logger.warning("board pages: epoch not written (%s: %s); other processes re-read within %.0f s",
                       type(exc).__name__, exc, MAX_AGE)


def on_announcement(message: dict) -> None:
    """focushub.announce listener: events and board moves change pages."""
    if message.get("type") in ("events", "board"):
        pages_changed()


def on_user_saved(**_) -> None:
    """post_save of the user model: a row's name or avatar, or who may be shown."""
    transaction.on_commit(pages_changed)


def _epoch() -> bytes | None:
    try:
        client = redis_client()
        epoch = client.get(EPOCH_KEY)
        if epoch is None:  # a new or emptied Redis
            client.set(EPOCH_KEY, uuid.uuid4().hex, nx=True)
            epoch = client.get(EPOCH_KEY)
    except redis.RedisError:
        return None
    return epoch


def board_page(present: Callable[[dict], T], *, metric: str, period: str, project_id: int | None, limit: int,
               offset: int, viewer: User | None = None) -> tuple[T, dict | None]:
    """`present` of a board page, kept while the boards have not changed since it was
    read (a door passes its wire form, so a kept page is not presented again either), and
    the viewer's own `me` ({rank, score}, or None), as new as the page or newer. A private
    project's board is NotFound for anyone but its members, decided on every call."""
    viewer_id = viewer.pk if viewer is not None else None
    read = {"metric": metric, "period": period, "project_id": project_id, "limit": limit, "offset": offset}
    epoch = _epoch() if settings.REDIS_URL else None
    if epoch is None:
        page = leaderboard_read(**read, viewer_id=viewer_id)
        return present(page), page["me"]
    if project_id is not None:
        project_visible(user_id=viewer_id, project_id=project_id)
    key = (Board.current(metric, period, project_id, timezone.now()).key, limit, offset)
    now = time.monotonic()
    with _lock:
        kept = _pages.get(key)
        if kept is not None and kept.epoch == epoch and now - kept.read_at < MAX_AGE:
            _pages.move_to_end(key)
        else:
            kept = None
    if kept is None:
        page = leaderboard_read(**read, viewer_id=viewer_id)
        shown = {row["user"]["id"]: {"rank": row["rank"], "score": row["score"]} for row in page["rows"]}
        kept = _Kept(epoch, now, present({**page, "me": None}), shown)
        with _lock:
            _pages[key] = kept
            _pages.move_to_end(key)
            while len(_pages) > MAX_PAGES:
                _pages.popitem(last=False)
        return kept.presented, page["me"]
    if viewer is None:
        return kept.presented, None
    return kept.presented, kept.shown.get(viewer_id) or board_me(
        metric=metric, period=period, project_id=project_id, viewer=viewer)
