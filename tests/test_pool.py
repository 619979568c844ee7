"""Pooled database connections (README.md, "Configuration": DB_POOL_MIN/MAX/TIMEOUT).

A web process on PostgreSQL keeps its connections in psycopg's pool. When all of them
are held longer than DB_POOL_TIMEOUT, a request that needs one is told the server is
busy, in the API's shape and with a 503, on every door, and nothing lands in the log as
a traceback; once a connection is free again, everything works as before."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connection, transaction

from focushub.accounts.models import User
from tests.realtime.streams import close_code, first, stream_url
from tests.support.cast import new_project
from tests.support.clients import Actor, Api, Socket
from tests.support.processes import wait_for

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(settings.EMBEDDED, reason="the connection pool is PostgreSQL's (scaled mode)"),
]


def _server_sessions_waiting_on_a_lock() -> int:
    """Sessions of the server (not this one) waiting for a row lock in the test database.
    Asked inside the transaction that holds the lock, so the statistics snapshot (taken
    once per transaction) is dropped first."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


@contextmanager
def starts_held_in_flight(actor: Actor, project_id: int, *urls: str) -> Iterator[list[dict[str, int]]]:
    """A timer start sent to each server at `urls`, held inside it (the actor's row is
    locked here, so the service waits for it) until the block ends; then they complete.
    Yields one {"status": ...} per URL, filled in once its answer has arrived."""
    outcomes: list[dict[str, int]] = [{} for _ in urls]

    def start(url: str, outcome: dict[str, int]) -> None:
        outcome["status"] = Api(url, actor.token).post("/time-entries/start", json={"project": project_id}).status_code

    requests = [threading.Thread(target=start, args=pair) for pair in zip(urls, outcomes, strict=True)]
    with transaction.atomic():
        User.objects.select_for_update().get(pk=actor.id)
        for request in requests:
            request.start()
        wait_for(lambda: _server_sessions_waiting_on_a_lock() >= len(urls), timeout=20,
                 message="the starts to wait on the locked row")
        yield outcomes
    for request in requests:
        request.join(timeout=30)


def test_a_request_that_gets_no_connection_in_time_is_told_the_database_is_busy(person, start_server):
    holder, other = person(), person()
    project_id = new_project(holder)
    server = start_server(DB_POOL_MIN="1", DB_POOL_MAX="1", DB_POOL_TIMEOUT="1")
    log_start = server.log_offset()

    # The held start keeps the server's one pooled connection while it waits.
    with starts_held_in_flight(holder, project_id, server.url) as (started,):
        busy = Api(server.url, other.token).get("/time-entries/current")
        assert busy.status_code == 503, busy.text
        assert busy.json() == {"code": "database_busy", "detail": busy.json()["detail"]}
        assert busy.json()["detail"]

        page = Api(server.url).get("/live")
        assert page.status_code == 503
        assert page.json()["code"] == "database_busy"

        with Socket(stream_url(server, "/ws/me", token=other.token)) as socket:
            refused = first(socket, "error")
            assert refused["code"] == "database_busy"
            assert close_code(socket) == 1011  # come back with backoff

    assert started == {"status": 201}
    assert Api(server.url, other.token).get("/time-entries/current").status_code == 200
    log = server.log_since(log_start)
    assert "no connection free within 1.0 s" in log
    assert "Traceback" not in log and "Internal Server Error" not in log, log[-3000:]
