"""Many people at once, on real servers (STYLE.md §12): a dozen users do the everyday mix
for twenty seconds against two daphne processes and two django-q2 clusters, each with a
/ws/me socket open on the OTHER daphne than the one their REST calls reach. On
PostgreSQL + Redis half of them make their REST calls to a gunicorn HTTP worker instead
(serve.py's production layout, docs/deploy.md), whose commits reach the daphnes'
sockets through Redis. Afterwards:
no 5xx, no deadlock or traceback in any log, every event of each user's timeline reached
their socket exactly once and in id order, every user's entries and rollups agree, their
all-time board score equals the union of their entries recomputed from scratch, and no
badge task failed.

Runs in both modes; on PostgreSQL + Redis it is the test that would have caught the
deadlock of the retired global event lock (docs/concurrency.md)."""

import asyncio
import functools
import itertools
import json
import os
import random
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.db import connections
from django.db.models import Sum
from django_q.brokers import get_broker
from django_q.models import Failure
from websockets.asyncio.client import connect

from focushub.tracking.credit import union_by_day
from focushub.tracking.models import DailyRollup, TimeEntry
from tests.conftest import LOG_DIR
from tests.support.cast import iso, quick_actor
from tests.support.clients import Actor
from tests.support.processes import Daphne, QCluster
from tests.test_serve import Serve

pytestmark = pytest.mark.live

# CI's size; a heavier run by hand: LOAD_USERS=32 LOAD_SECONDS=120 bin/test tests/concurrency
USERS = int(os.environ.get("LOAD_USERS", "12"))
SECONDS = float(os.environ.get("LOAD_SECONDS", "20"))
FEED_TYPES = {"timer.started", "timer.stopped", "timeline.event", "badge.awarded"}


class Person:
    """One user: REST calls to one daphne, a /ws/me socket on the other."""

    def __init__(self, actor: Actor, rest_url: str, ws_url: str, pool: ThreadPoolExecutor):
        self.actor, self.rest_url, self.ws_url, self.pool = actor, rest_url, ws_url, pool
        self.session = actor.api.session
        self.statuses: list[tuple[str, int]] = []
        self.socket_ids: list[int] = []
        self.projects: list[int] = []
        self.entries: list[int] = []
        self.pending: dict[int, asyncio.Future] = {}
        self.refs = itertools.count(1)
        self.rng = random.Random(actor.id)

    async def rest(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        def call():
            return self.session.request(method, self.rest_url + path, json=body, timeout=30)

        response = await asyncio.get_running_loop().run_in_executor(self.pool, call)
        self.statuses.append((f"{method} {path.split('?')[0]}", response.status_code))
        try:
            return response.status_code, response.json() if response.content else {}
        except ValueError:
            return response.status_code, {}

    async def listen(self, socket) -> None:
        async for raw in socket:
            message = json.loads(raw)
            if message.get("type") in FEED_TYPES:
                self.socket_ids.append(message["id"])
            elif message.get("type") in ("ok", "error") and message.get("ref") in self.pending:
                self.pending.pop(message["ref"]).set_result(message)

    async def ask(self, socket, message: dict) -> dict:
        ref = next(self.refs)
        self.pending[ref] = asyncio.get_running_loop().create_future()
        await socket.send(json.dumps({**message, "ref": ref}))
        return await asyncio.wait_for(self.pending[ref], 30)

    async def step(self, socket) -> None:
        project = self.rng.choice(self.projects)
        action = self.rng.choice(
            ["start_rest", "start_ws", "stop_rest", "stop_ws", "manual", "manual", "edit", "delete",
             "project", "overview", "board"]
        )
        if action == "start_rest":
            await self.rest("POST", "/time-entries/start", {"project": project, "description": "focus"})
        elif action == "start_ws":
            reply = await self.ask(socket, {"type": "timer.start", "project": project})
            assert reply["type"] == "ok", reply
        elif action == "stop_rest":
            await self.rest("POST", "/time-entries/stop")
        elif action == "stop_ws":
            reply = await self.ask(socket, {"type": "timer.stop"})
            assert reply["type"] == "ok" or reply.get("code") == "no_running_timer", reply
        elif action == "manual":
            end = datetime.now(UTC) - timedelta(minutes=self.rng.randint(1, 3000))
            start = end - timedelta(minutes=self.rng.randint(1, 600))
            status, body = await self.rest("POST", "/time-entries",
                                           {"project": project, "start_time": iso(start), "end_time": iso(end)})
            if status == 201:
                self.entries.append(body["id"])
        elif action == "edit" and self.entries:
            entry = self.rng.choice(self.entries)
            end = datetime.now(UTC) - timedelta(minutes=self.rng.randint(1, 3000))
            await self.rest("PATCH", f"/time-entries/{entry}",
                            {"description": "edited", "start_time": iso(end - timedelta(minutes=45)),
                             "end_time": iso(end)})
        elif action == "delete" and self.entries:
            entry = self.entries.pop(self.rng.randrange(len(self.entries)))
            await self.rest("DELETE", f"/time-entries/{entry}")
        elif action == "project" and len(self.projects) < 4:
            status, body = await self.rest("POST", "/projects", {"name": f"p{len(self.projects)}"})
            if status == 201:
                self.projects.append(body["id"])
        elif action == "overview":
            await self.rest("GET", "/activity/overview")
        elif action == "board":
            await self.rest("GET", "/leaderboard?metric=time&period=week")

    async def work(self, until: float) -> None:
        async with connect(f"{self.ws_url}/ws/me?token={self.actor.token}", open_timeout=15) as socket:
            hello = json.loads(await socket.recv())
            assert hello["type"] == "hello"
            listener = asyncio.create_task(self.listen(socket))
            status, body = await self.rest("POST", "/projects", {"name": "main"})
            assert status == 201, body
            self.projects.append(body["id"])
            while time.monotonic() < until:
                await self.step(socket)
            await self.rest("POST", "/time-entries/stop")
            self.done_at = time.monotonic()
            await self.settle()
            listener.cancel()

    async def settle(self) -> None:
        """Wait until the socket holds everything GET /timeline lists (badge awards come
        from the worker a little later), or give up after a generous while."""
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline:
            queued = await asyncio.get_running_loop().run_in_executor(self.pool, lambda: get_broker().queue_size())
            self.timeline = await self.timeline_ids()
            if not queued and sorted(set(self.socket_ids)) == sorted(self.timeline):
                await asyncio.sleep(1)  # anything still on its way would show up as a duplicate
                return
            await asyncio.sleep(0.5)

    async def timeline_ids(self) -> list[int]:
        ids, path = [], "/timeline?limit=100"
        while path:
            status, body = await self.rest("GET", path)
            assert status == 200, body
            ids += [event["id"] for event in body["results"]]
            path = body["next"] and body["next"].split(self.rest_url, 1)[-1]
        return ids


_orm = ThreadPoolExecutor(max_workers=1, thread_name_prefix="load-orm")


async def db(func, *args):
    """Run an ORM call off the event loop, always in the same thread (one connection)."""
    return await asyncio.get_running_loop().run_in_executor(_orm, functools.partial(func, *args))


def accounting(user_id: int) -> tuple[bool, int, int, int]:
    """(a timer still runs, seconds of the entries, seconds of the rollups, seconds of the
    union of the entries recomputed from scratch: what the board must show)."""
    entries = TimeEntry.objects.filter(user_id=user_id)
    tracked = entries.aggregate(total=Sum("duration"))["total"] or 0
    rolled = DailyRollup.objects.filter(user_id=user_id).aggregate(total=Sum("seconds"))["total"] or 0
    union = sum(union_by_day(entries.filter(end_time__isnull=False).values_list("start_time", "end_time")).values())
    return entries.filter(end_time__isnull=True).exists(), tracked, rolled, union


async def test_a_dozen_people_at_once_lose_nothing_and_break_nothing(live, qcluster):
    second = await db(Daphne, LOG_DIR / "load")
    others = [second]
    try:
        others.append(await db(QCluster, LOG_DIR / "load"))
        rest_urls = [live.url, second.url]
        if not settings.EMBEDDED:
            http = await db(functools.partial(Serve, WEB_PROCESSES="0", HTTP_WORKERS="1", WORKER_CLUSTERS="0"))
            others.append(http)
            await db(http.http_ready)
            rest_urls[1] = http.http_url
        await _everyday_load([live, second], [qcluster, *others[1:]], rest_urls)
    finally:
        for process in others:
            await db(process.stop)
        # The ORM calls ran in one helper thread, on a connection of its own.
        await db(connections.close_all)


async def _everyday_load(servers, others, rest_urls) -> None:
    processes = [*servers, *others]
    offsets = {process: process.log_offset() for process in processes}
    failures_before = await db(Failure.objects.count)
    actors = [await db(quick_actor, servers[0]) for _ in range(USERS)]
    pool = ThreadPoolExecutor(max_workers=2 * USERS)
    people = [Person(actor, rest_urls[i % 2], servers[(i + 1) % 2].ws_url, pool) for i, actor in enumerate(actors)]
    until = time.monotonic() + SECONDS
    await asyncio.gather(*(person.work(until) for person in people))

    server_errors = [(call, status) for p in people for call, status in p.statuses if status >= 500]
    assert server_errors == []
    requests_made = sum(len(p.statuses) for p in people)
    # Not a speed bar (the machine may be busy; CI runs both passes at once): every person
    # kept working through the whole mix, several times.
    assert min(len(p.statuses) for p in people) >= 8, f"only {requests_made} requests: the load did not run"

    for process in processes:
        log = process.log_since(offsets[process])
        # gunicorn's own lines say [ERROR] and [CRITICAL] (a worker timed out or was killed).
        for marker in ("deadlock detected", "Traceback", " ERROR ", "[ERROR]", "[CRITICAL]", "Internal Server Error"):
            assert marker not in log, f"{marker!r} in {process.log_path}"
    assert await db(Failure.objects.count) == failures_before, "a background task failed"

    events = sum(len(p.socket_ids) for p in people)
    print(f"\neveryday load: {USERS} users x {SECONDS:.0f} s, {requests_made} requests, {events} events pushed")
    for person in people:
        name = person.actor.username
        assert len(person.socket_ids) == len(set(person.socket_ids)), f"{name}: duplicates"
        assert person.socket_ids == sorted(person.socket_ids), f"{name}: out of order"
        assert sorted(person.socket_ids) == sorted(person.timeline), f"{name}: events missed"

        running, tracked, rolled, credited = await db(accounting, person.actor.id)
        assert not running
        status, board = await person.rest("GET", "/leaderboard?metric=time&period=all&limit=1")
        assert status == 200
        score = board["me"]["score"] if board["me"] else 0
        assert tracked == rolled, f"{name}: entries {tracked}, rollups {rolled}"
        assert credited == score, f"{name}: union of entries {credited}, board {score}"
    pool.shutdown()
