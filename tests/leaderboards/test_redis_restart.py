"""Redis that comes back empty (a restart without persistence): the first board read
notices the missing completeness marker and queues a rebuild at once, so the boards are
whole again within seconds, not at the next 10-minute rebuild."""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings

from focushub.leaderboards.redis_store import COMPLETE
from tests.conftest import LOG_DIR
from tests.realtime.redis_server import RedisServer
from tests.support.cast import iso, quick_actor
from tests.support.clients import Api
from tests.support.processes import Daphne, QCluster, wait_for

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not settings.REDIS_URL, reason="the Redis board store exists in the scaled mode only"),
]


def my_score(api: Api) -> int | None:
    response = api.get("/leaderboard", params={"metric": "time", "period": "all"})
    if response.status_code != 200:
        return None
    me = response.json()["me"]
    return me["score"] if me else 0


def test_boards_are_rebuilt_after_redis_returns_empty(live):
    private = RedisServer()
    server = cluster = None
    try:
        server = Daphne(LOG_DIR / "redis-restart", REDIS_URL=private.url)
        cluster = QCluster(LOG_DIR / "redis-restart", REDIS_URL=private.url)
        actor = quick_actor(live)
        api = Api(server.url, actor.token)
        project = api.post("/projects", json={"name": "kept"}).json()["id"]
        end = datetime.now(UTC) - timedelta(hours=1)
        created = api.post("/time-entries", json={"project": project, "start_time": iso(end - timedelta(minutes=30)),
                                                   "end_time": iso(end)})
        assert created.status_code == 201, created.text
        wait_for(lambda: my_score(api) == 1800 and private.client().exists(COMPLETE), timeout=20,
                 message="the board holds the entry and is marked complete")

        private.kill()
        private.start()  # empty: no persistence
        wait_for(lambda: my_score(api) == 1800, timeout=30, interval=0.2, message="the board rebuilt")
    finally:
        for process in (cluster, server):
            if process is not None:
                process.stop()
        private.kill()
    # The outage is expected: a WARNING line or two, never a traceback (realtime/logfilters.py).
    for process in (cluster, server):
        assert "Traceback" not in process.log_since(0), process.log_path
