"""Presence on a project (docs/realtime.md, "/ws/projects/{id}").

Two halves with different sources of truth:
- who is tracking on the project now: the running timers, i.e. rows, so a server restart
  changes nothing; refreshed whenever an event about the project is committed;
- who is online: every process counts its signed-in sockets per user (the registry) and
  reports the counts every few seconds with a short TTL, in Redis (scaled) or the database
  (embedded). Readers add up the reports that have not expired, so the sockets of a
  process that crashed vanish within the TTL.
Members see both; anyone else watching a public project sees who is tracking only.
"""

import asyncio
import logging
import time
import uuid
from datetime import timedelta

import redis
from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from focushub.accounts.selectors import users_by_id
from focushub.errors import NotFound
from focushub.presenters import iso, user_brief
from focushub.projects.selectors import ProjectState, project_state
from focushub.redis_pool import redis_client
from focushub.tracking.selectors import running_entries_on_project
from realtime.lanes import DbLane
from realtime.loops import send_all, wait_for_wake
from realtime.messages import encode
from realtime.models import DevicePresence
from realtime.registry import Registry

logger = logging.getLogger(__name__)

HEARTBEAT = 3.0  # each process re-reports its sockets this often
TTL = 10  # seconds a report counts without being renewed
REPORT_DEBOUNCE = 1.0  # a local connect or disconnect is reported within a second
REFRESH_SECONDS = 3.0  # re-derive presence without news: other processes' sockets come and go
UPDATE_INTERVAL = 0.25


class RedisPresence:
    """A hash per process (user id -> sockets) expiring after TTL, and a sorted set of the
    processes by expiry time so readers skip the dead ones without scanning keys."""

    PROCESSES = "fh:presence:processes"

    def __init__(self) -> None:
        self.client = redis_client()

    def _key(self, process: str) -> str:
        return f"fh:presence:{process}"

    def report(self, process: str, devices: dict[int, int]) -> None:
        now = time.time()
        pipe = self.client.pipeline(transaction=True)
        pipe.delete(self._key(process))
        if devices:
            pipe.hset(self._key(process), mapping=devices)
            pipe.expire(self._key(process), TTL)
            pipe.zadd(self.PROCESSES, {process: now + TTL})
        else:
            pipe.zrem(self.PROCESSES, process)
        pipe.zremrangebyscore(self.PROCESSES, "-inf", now)
        pipe.execute()

    def online(self, user_ids: list[int]) -> dict[int, int]:
        if not user_ids:
            return {}
        processes = self.client.zrangebyscore(self.PROCESSES, time.time(), "+inf")
        pipe = self.client.pipeline(transaction=False)
        for process in processes:
            pipe.hmget(self._key(process.decode()), user_ids)
        counts: dict[int, int] = {}
        for values in pipe.execute():
            for user_id, value in zip(user_ids, values, strict=True):
                if value:
                    counts[user_id] = counts.get(user_id, 0) + int(value)
        return counts


class DbPresence:
    """The same reports as rows (realtime.models.DevicePresence) for the embedded mode."""

    def report(self, process: str, devices: dict[int, int]) -> None:
        now = timezone.now()
        with transaction.atomic():
            DevicePresence.objects.filter(process=process).delete()
            DevicePresence.objects.bulk_create(
                DevicePresence(process=process, user_id=u, devices=n, expires_at=now + timedelta(seconds=TTL))
                for u, n in devices.items()
            )
            DevicePresence.objects.filter(expires_at__lt=now).delete()

    def online(self, user_ids: list[int]) -> dict[int, int]:
        rows = (
            DevicePresence.objects.filter(user_id__in=user_ids, expires_at__gt=timezone.now())
            .values("user_id")
            .annotate(devices=Sum("devices"))
        )
        return {row["user_id"]: row["devices"] for row in rows}


class PresenceFeed:
    def __init__(self, registry: Registry):
        self.registry = registry
        self.lane = DbLane("presence")
        self.store = RedisPresence() if settings.REDIS_URL else DbPresence()
        self.process = uuid.uuid4().hex
        self.sent: dict[int, tuple[str, str]] = {}  # project -> (members' frame, others' frame)
        self.stale: set[int] = set()
        self._wake = asyncio.Event()
        self._devices_changed = False
        self._reported: dict[int, int] = {}
        self._reported_at = 0.0
        self._refreshed_at = time.monotonic()
        self._sent_at: dict[int, float] = {}

    def touch(self, project_id: int) -> None:
        """An event about the project was committed: timers may have started or stopped."""
        if project_id in self.registry.projects:
            self.stale.add(project_id)
            self._wake.set()

    def devices_changed(self) -> None:
        self._devices_changed = True
        self._wake.set()

    def frames(self, project_id: int) -> tuple[ProjectState, str, str]:
        """Presence now, as (state, members' frame, others' frame); runs in a lane thread."""
        state = project_state(project_id)
        running = running_entries_on_project(project_id=project_id) if state.exists else []
        tracking = [{"user": user_brief(e.user), "entry": e.pk, "running_since": iso(e.start_time)} for e in running]
        try:
            counts = self.store.online(sorted(state.members))
            users = users_by_id(sorted(counts))
            online = [{"user": user_brief(users[u]), "devices": n} for u, n in sorted(counts.items()) if u in users]
        except redis.RedisError as exc:
            logger.warning("presence: online devices unreadable (%s); sending who is tracking only", exc)
            online = None
        base = {"type": "presence", "project": project_id, "tracking": tracking}
        return state, encode({**base, "online": online}), encode({**base, "online": None})

    async def current(self, project_id: int, *, member: bool) -> str:
        """The presence frame for a socket that just opened."""
        _, members_frame, others_frame = await self.lane(self.frames, project_id)
        return members_frame if member else others_frame

    async def step(self) -> None:
        await wait_for_wake(self._wake, UPDATE_INTERVAL)
        now = time.monotonic()
        if (self._devices_changed and now - self._reported_at >= REPORT_DEBOUNCE) or (
            now - self._reported_at >= HEARTBEAT and (self.registry.devices or self._reported)
        ):
            await self._report(now)
        if now - self._refreshed_at >= REFRESH_SECONDS:
            self._refreshed_at = now
            self.stale |= set(self.registry.projects)
        for project_id in list(self.stale):
            if project_id not in self.registry.projects:
                self.stale.discard(project_id)
                self.sent.pop(project_id, None)
            elif now - self._sent_at.get(project_id, 0.0) >= UPDATE_INTERVAL:
                self.stale.discard(project_id)
                await self._refresh(project_id)
        for project_id in set(self.sent) - set(self.registry.projects):
            del self.sent[project_id]
            self._sent_at.pop(project_id, None)

    async def _report(self, now: float) -> None:
        devices = dict(self.registry.devices)
        self._devices_changed, self._reported_at = False, now
        try:
            await self.lane(self.store.report, self.process, devices)
        except redis.RedisError as exc:
            logger.warning("presence: report failed (%s); retrying at the next heartbeat", exc)
            return
        if devices != self._reported:
            # Our own sockets came or went: a watched project may show someone else online.
            self.stale |= set(self.registry.projects)
        self._reported = devices

    async def _refresh(self, project_id: int) -> None:
        state, members_frame, others_frame = await self.lane(self.frames, project_id)
        self._sent_at[project_id] = time.monotonic()
        watchers = self.registry.watchers(project_id)
        if not state.exists or not state.is_public:
            # Deleted, or turned private: whoever is not a member must not see it any more.
            for watcher in [w for w in watchers if w.user_id not in state.members]:
                await watcher.refuse(NotFound())
            watchers = [w for w in watchers if w.user_id in state.members]
        previous = self.sent.get(project_id, (None, None))
        self.sent[project_id] = (members_frame, others_frame)
        members = [w for w in watchers if w.user_id in state.members]
        others = [w for w in watchers if w.user_id not in state.members]
        if members_frame != previous[0]:
            await send_all(members, None, members_frame)
        if others_frame != previous[1]:
            await send_all(others, None, others_frame)
