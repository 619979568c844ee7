"""Delivery loses nothing (docs/realtime.md): across daphne processes, while Redis dies and comes
back, and across a daphne crash. After reconnecting with `since`, every client holds
every event it may see exactly once, in order."""

from contextlib import suppress

import pytest
from django.conf import settings
from websockets.exceptions import ConnectionClosed

from focushub.timeline.selectors import events_for_user_feed
from realtime.doorbell import RELAYS
from tests.realtime.redis_server import RedisServer
from tests.realtime.streams import event_ids_through, first, first_event, stream_url
from tests.support.clients import Socket
from tests.support.processes import wait_for

pytestmark = pytest.mark.live
# The Redis pub/sub channel of the relays' group on channels-redis' pub/sub layer.
CHANNEL = f"{settings.CHANNEL_LAYERS['default'].get('CONFIG', {}).get('prefix', '')}__group__{RELAYS}"
needs_redis = pytest.mark.skipif(not settings.REDIS_URL, reason="Redis faults need the scaled mode")


class Client:
    """A tab that keeps its cursor and everything it received, across reconnects."""

    def __init__(self, server, actor):
        self.actor, self.ids, self.socket = actor, [], None
        self.since = self.connect(server, None)["last_event_id"]

    def connect(self, server, since: int | None) -> dict:
        self.socket = Socket(stream_url(server, "/ws/me", token=self.actor.token, since=since))
        hello = first(self.socket, "hello")
        self.cursor = max(getattr(self, "cursor", 0), hello["last_event_id"])
        return hello

    def drain(self) -> None:
        """Read until every event of the feed committed so far has arrived."""
        missing = [i for i in self.expected() if i not in self.ids]
        if not missing:
            return
        with suppress(ConnectionClosed):  # what did not arrive shows in expected() later
            for event_id in event_ids_through(self.socket, missing[-1]):
                self.ids.append(event_id)
                self.cursor = max(self.cursor, event_id)

    def reconnect(self, server) -> dict:
        self.close()
        return self.connect(server, self.cursor)

    def close(self) -> None:
        with suppress(Exception):  # a socket of a killed server
            self.socket.close()

    def expected(self) -> list[int]:
        feed = events_for_user_feed(self.actor.id).filter(id__gt=self.since).order_by("id")
        return list(feed.values_list("id", flat=True))


def test_an_event_caused_through_one_daphne_reaches_sockets_on_another(start_server, team):
    other = start_server()
    mine = Socket(stream_url(other, "/ws/me", token=team.contributor.token))
    teammate = Socket(stream_url(other, "/ws/me", token=team.owner.token))
    spectator = Socket(stream_url(other, "/ws/leaderboard", period="all"))
    try:
        for socket in (mine, teammate):
            first(socket, "hello")
        first(spectator, "leaderboard.snapshot")
        started = team.contributor.api.post("/time-entries/start", json={"project": team.pid}).json()["entry"]
        assert first(mine, "timer.started")["entry"]["id"] == started["id"]
        assert first_event(teammate, "timer.started")["event"]["actor"]["id"] == team.contributor.id
        team.contributor.api.post("/time-entries/stop")
        update = first(spectator, "leaderboard.update")
        assert update["rows"][0]["user"]["id"] == team.contributor.id
    finally:
        for socket in (mine, teammate, spectator):
            socket.close()


@needs_redis
def test_no_event_is_lost_while_redis_dies_and_comes_back(live, start_server, team):
    redis_server = RedisServer()
    try:
        a = start_server(REDIS_URL=redis_server.url)
        b = start_server(REDIS_URL=redis_server.url)
        clients = [Client(a, team.contributor), Client(b, team.contributor), Client(b, team.owner)]
        wait_for(lambda: redis_server.subscribers(CHANNEL) == 2, timeout=15, message="both relays subscribed")

        team.contributor.api.post("/time-entries/start", json={"project": team.pid})
        redis_server.kill()
        # While Redis is down, another instance (the suite's server) keeps committing.
        assert team.contributor.api.post("/time-entries/stop").status_code == 200
        assert team.owner.api.post("/time-entries/start", json={"project": team.pid}).status_code == 201
        for client in clients:
            client.drain()
        assert all(client.ids for client in clients), "relays kept delivering by polling the log"

        redis_server.start()
        wait_for(lambda: redis_server.subscribers(CHANNEL) == 2, timeout=15, message="both relays resubscribed")
        response = team.contributor.api.post("/time-entries/start", json={"project": team.pid})
        assert response.status_code == 201
        for client in clients:
            client.drain()
            client.reconnect(b)
            client.drain()
            assert client.ids == client.expected()
            client.close()
        for server in (a, b):  # an outage is a WARNING, never a traceback a second
            assert "Traceback" not in server.log_path.read_text(errors="replace")
    finally:
        redis_server.kill()


def test_no_event_is_lost_across_a_daphne_crash(live, start_server, team):
    server = start_server()
    tabs = [Client(server, team.contributor), Client(server, team.contributor), Client(server, team.owner)]
    team.contributor.api.post("/time-entries/start", json={"project": team.pid})
    for tab in tabs:
        tab.drain()
    server.kill()
    team.contributor.api.post("/time-entries/stop")
    running = team.contributor.api.post("/time-entries/start", json={"project": team.pid}).json()["entry"]
    team.owner.api.post("/time-entries/start", json={"project": team.pid})

    restarted = start_server(port=server.port)
    for tab in tabs:
        hello = tab.reconnect(restarted)
        if tab.actor is team.contributor:
            assert hello["timer"]["id"] == running["id"]  # timers are rows: the crash stopped nothing
    team.owner.api.post("/time-entries/stop")
    for tab in tabs:
        tab.drain()
        assert tab.ids == tab.expected()
        assert len(tab.ids) >= 4
        tab.close()
