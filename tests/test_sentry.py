"""A real bug reaches Sentry, from each door, with its context and without secrets.

Sentry is the outside world, so it is the one thing stubbed: a local HTTP server that
accepts what the SDK posts to its ingest (`/api/<project>/envelope/`). FocusHub runs for
real against it — a daphne and a django-q2 cluster with SENTRY_DSN pointing at the stub,
on a database of their own — and the bugs are real too: a table the code needs is
dropped under the running processes, as a broken migration or a restored backup would.

- a view that reads the dropped table answers 500 `server_error` and Sentry gets the
  exception with the request (method, URL) — the Authorization header scrubbed;
- a websocket that cannot open closes with 1011 and Sentry gets the exception with the
  stream's path — not the token from its query string;
- a badge check queued by a timer stop fails in the cluster and Sentry gets the
  exception tagged with the task, its id and its arguments.
"""

import gzip
import json
import os
import sqlite3
import subprocess
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from websockets.exceptions import ConnectionClosed

from tests.support.cast import STRONG_PASSWORD, signed_up
from tests.support.clients import Api, Socket
from tests.support.processes import ROOT, Daphne, QCluster, free_port, server_env, wait_for


class Ingest:
    """Sentry's ingest as the SDK sees it: every envelope posted, decoded into items."""

    def __init__(self):
        self.envelopes: list[bytes] = []
        store = self.envelopes

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                encoding = self.headers.get("Content-Encoding", "")
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "deflate":
                    body = zlib.decompress(body)
                elif encoding == "br":
                    import brotli

                    body = brotli.decompress(body)
                store.append(body)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.dsn = f"http://publickey@127.0.0.1:{self.server.server_port}/1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def raw(self) -> str:
        return "\n".join(body.decode("utf-8", "replace") for body in self.envelopes)

    def events(self) -> list[dict]:
        found = []
        for body in self.envelopes:
            for line in body.splitlines():
                try:
                    item = json.loads(line)
                except ValueError:
                    continue
                if isinstance(item, dict) and "exception" in item:
                    found.append(item)
        return found

    def event_where(self, predicate) -> dict | None:
        return next((event for event in self.events() if predicate(event)), None)

    def close(self):
        self.server.shutdown()


def exception_types(event: dict) -> list[str]:
    return [value.get("type", "") for value in event["exception"]["values"]]


@pytest.fixture
def sentry_site(tmp_path):
    """FocusHub on a database of its own (embedded: the bugs below drop its tables),
    with a daphne and a cluster reporting to the stub ingest."""
    ingest = Ingest()
    database = tmp_path / "focushub.sqlite3"
    overrides = {
        "DATABASE_URL": "", "REDIS_URL": "", "SQLITE_PATH": str(database),
        "FOCUSHUB_DATA_DIR": str(tmp_path), "SENTRY_DSN": ingest.dsn,
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT,
                   env=server_env(**overrides), check=True, capture_output=True)
    web = Daphne(tmp_path / "logs", port=free_port(), **overrides)
    cluster = QCluster(tmp_path / "logs", **overrides)
    yield ingest, web, cluster, database
    web.stop()
    cluster.stop()
    ingest.close()


def drop_table(database, table: str) -> None:
    with sqlite3.connect(database) as db:
        db.execute(f"DROP TABLE {table}")


@pytest.mark.live
def test_bugs_in_a_view_a_consumer_and_a_task_reach_sentry_with_context_and_no_secrets(sentry_site):
    ingest, web, cluster, database = sentry_site
    session = signed_up(Api(web.url), "ada")
    access, refresh = session["access"], session["refresh"]
    me = Api(web.url, access)
    project = me.post("/projects", json={"name": "Thesis"}).json()
    drop_table(database, "badges_userbadge")

    # A task: stopping a timer commits (the stop does not need the dropped table) and
    # queues a badge check, which does.
    assert me.post("/time-entries/start", json={"project": project["id"]}).status_code == 201
    assert me.post("/time-entries/stop").status_code == 200
    task_event = wait_for(
        lambda: ingest.event_where(lambda e: e.get("tags", {}).get("task") == "workers.tasks.badges_evaluate"),
        timeout=30, message="the failed badge task's event",
    )
    assert "OperationalError" in exception_types(task_event)
    assert task_event["contexts"]["task"]["args"][0] == me.get("/users/me").json()["id"]

    # A view: the badge catalog reads the caller's awards.
    response = me.get("/badges")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    view_event = wait_for(
        lambda: ingest.event_where(lambda e: e.get("request", {}).get("url", "").endswith("/badges")),
        timeout=15, message="the failed view's event",
    )
    assert "OperationalError" in exception_types(view_event)
    assert view_event["request"]["method"] == "GET"

    # A consumer: /ws/me cannot open without the event log.
    drop_table(database, "timeline_event")
    socket = Socket(f"{web.ws_url}/ws/me?token={access}")
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            socket.recv()
    assert closed.value.rcvd.code == 1011
    consumer_event = wait_for(
        lambda: ingest.event_where(lambda e: "/ws/me" in json.dumps(e.get("logentry", e.get("message", "")))),
        timeout=15, message="the failed consumer's event",
    )
    assert "OperationalError" in exception_types(consumer_event)

    web.stop()  # each SDK sends what it still holds as its process exits
    cluster.stop()
    everything = ingest.raw()
    for secret in (access, refresh, STRONG_PASSWORD, f"Bearer {access}"):
        assert secret not in everything
    headers = {name.lower(): value for name, value in view_event["request"].get("headers", {}).items()}
    assert headers.get("authorization") in (None, "[Filtered]")
    assert os.environ.get("SECRET_KEY", "not-set") not in everything
