"""Read replicas (focushub/replicas.py; docs/deploy.md, "Read replicas"), against a real
PostgreSQL streaming replica made on this machine for the test.

A primary and its replica (pg_basebackup, streaming) are a pair of clusters of their own,
on free ports and in a temporary folder, so the suite's PostgreSQL is left as it is. A
server runs on them without Redis, so the boards live in SQL and may be read from the
replica too. Which database answered is read from what it answers: with the replica's
replay paused, a change made on the primary is missing from what the replica serves."""

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from tests.conftest import LOG_DIR
from tests.support.cast import iso, moment, signed_up
from tests.support.clients import Api
from tests.support.processes import ROOT, Daphne, free_port, server_env, wait_for

MAX_LAG = 3  # DATABASE_REPLICA_MAX_LAG of the server under test, seconds


def _postgres_tools() -> Path | None:
    """The newest installed server version's bin folder (Debian: /usr/lib/postgresql/N/bin)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_basebackup"), key=lambda path: int(path.parts[-3]))
    return found[-1].parent if found else None


TOOLS = _postgres_tools()
pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(settings.EMBEDDED, reason="read replicas are PostgreSQL's (scaled mode)"),
    pytest.mark.skipif(os.geteuid() != 0 or TOOLS is None,
                       reason="making a replica here needs root and PostgreSQL's server tools (initdb, pg_basebackup)"),
]


def _as_postgres(tool: str, *args: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", str(TOOLS / tool), *args],
                   check=True, capture_output=True, timeout=120)


class Cluster:
    def __init__(self, root: Path, name: str):
        self.root, self.data, self.port = root, root / name, free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/focushub"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        _as_postgres("pg_ctl", "-D", str(self.data), "-l", f"{self.data}.log", "-o", options, "-w", "start")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            _as_postgres("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def ask(self, sql: str, dbname: str = "focushub"):
        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=dbname, autocommit=True) as conn:
            cursor = conn.execute(sql)
            return cursor.fetchone()[0] if cursor.description else None


@pytest.fixture
def clusters() -> Iterator[tuple[Cluster, Cluster]]:
    """(primary, replica): a migrated FocusHub database on a primary of its own, and a
    replica streaming from it. Both are stopped and deleted afterwards, whatever happened."""
    root = Path(tempfile.mkdtemp(prefix="fh-replicas-"))
    postgres = pwd.getpwnam("postgres")
    os.chown(root, postgres.pw_uid, postgres.pw_gid)
    primary, replica = Cluster(root, "primary"), Cluster(root, "replica")
    try:
        _as_postgres("initdb", "-D", str(primary.data), "-U", "postgres", "--auth=trust", "--no-sync")
        primary.start()
        primary.ask("CREATE DATABASE focushub", dbname="postgres")
        migrate = subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, capture_output=True,
                                 text=True, timeout=120, env=server_env(DATABASE_URL=primary.url, REDIS_URL=""))
        assert migrate.returncode == 0, migrate.stderr[-3000:]
        # -c fast: a checkpoint at once instead of a spread one (minutes); -R: a standby
        # that streams from the primary when started.
        _as_postgres("pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
                     "-D", str(replica.data), "-R", "-X", "stream", "-c", "fast", "--no-sync")
        replica.start()
        yield primary, replica
    finally:
        for cluster in (replica, primary):
            cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


def test_lag_tolerant_reads_use_the_replica_until_it_lags_or_stops(clusters):
    primary, replica = clusters
    server = Daphne(LOG_DIR, DATABASE_URL=primary.url, DATABASE_REPLICA_URL=replica.url,
                    DATABASE_REPLICA_MAX_LAG=str(MAX_LAG), REDIS_URL="")
    try:
        me = signed_up(Api(server.url))
        api, name = Api(server.url, me["access"]), me["user"]["username"]
        project = api.post("/projects", json={"name": "Replicated", "visibility": "public"}).json()["id"]

        def track(hours_ago: int, minutes: int) -> None:
            start = moment(hours=hours_ago)
            entry = {"project": project, "start_time": iso(start), "end_time": iso(start + timedelta(minutes=minutes))}
            assert api.post("/time-entries", json=entry).status_code == 201

        def got(path: str):
            response = api.get(path)
            assert response.status_code == 200, response.text
            return response

        def lag_tolerant_reads() -> dict[str, int]:
            """What each lag-tolerant read says about my tracked time (every one a 200)."""
            return {
                "board": got("/leaderboard?metric=time&period=all").json()["rows"][0]["score"],
                "profile": got(f"/users/{name}").json()["totals"]["all_time"],
                "overview": got("/activity/overview").json()["total"],
                "export": len(got("/time-entries/export?format=csv").text.splitlines()) - 1,
                "timeline": len(got(f"/users/{name}/timeline").json()["results"]),
            }

        def my_entries() -> int:  # the caller's own entries: always the primary
            return len(got("/time-entries").json()["results"])

        def log_count(text: str) -> int:
            return server.log_since(0).count(text)

        track(6, 10)
        lag_tolerant_reads()  # the first marked read starts the process's replica checks
        wait_for(lambda: log_count("read replica replica_1 in use"), timeout=10, message="the replica in use")
        caught_up = wait_for(lambda: (reads := lag_tolerant_reads())["board"] == 600 and reads, timeout=10,
                             message="the replica to hold the first entry")

        # (a) Replay paused: the replica serves what it had, while my own entries, read on
        # the primary, show the change at once.
        replica.ask("SELECT pg_wal_replay_pause()")
        wait_for(lambda: replica.ask("SELECT pg_get_wal_replay_pause_state()") == "paused", message="replay paused")
        track(4, 5)
        changed_at = time.monotonic()
        assert my_entries() == 2
        assert lag_tolerant_reads() == caught_up
        assert time.monotonic() - changed_at < MAX_LAG  # served within the tolerated lag

        # (b) Further behind than DATABASE_REPLICA_MAX_LAG: bypassed, every read fresh.
        fresh = wait_for(lambda: (reads := lag_tolerant_reads())["board"] == 900 and reads, timeout=3 * MAX_LAG,
                         message="the lagging replica to be bypassed")
        assert time.monotonic() - changed_at > MAX_LAG - 1.5  # not before the lag was too large
        assert fresh == {"board": 900, "profile": 900, "overview": 900, "export": 2,
                         "timeline": caught_up["timeline"] + 1}
        wait_for(lambda: log_count(f"bypassed, its reads go to the primary: it is more than {MAX_LAG} s behind"),
                 message="the replica's lag logged")

        # (c) Replay resumed: back in use, caught up, and serving again (paused once more,
        # it misses the next change).
        replica.ask("SELECT pg_wal_replay_resume()")
        wait_for(lambda: log_count("read replica replica_1 in use") == 2, timeout=10, message="the replica back")
        replica.ask("SELECT pg_wal_replay_pause()")
        wait_for(lambda: replica.ask("SELECT pg_get_wal_replay_pause_state()") == "paused", message="replay paused")
        track(2, 2)
        assert my_entries() == 3
        assert lag_tolerant_reads() == fresh

        # (d) The replica stops while in use: reads fall back to the primary, answer fresh,
        # and the log says so once, without a traceback.
        replica.ask("SELECT pg_wal_replay_resume()")
        stopped_at = server.log_offset()
        replica.stop()
        after_stop = {"board": 1020, "profile": 1020, "overview": 1020, "export": 3,
                      "timeline": fresh["timeline"] + 1}
        assert lag_tolerant_reads() == after_stop
        time.sleep(2.5)  # a few more checks find it down; they log nothing new
        assert lag_tolerant_reads() == after_stop
        log = server.log_since(stopped_at)
        assert log.count("WARNING") == 1 and "read replica replica_1 bypassed" in log, log[-3000:]
        assert "Traceback" not in server.log_since(0), server.tail(80)
    finally:
        server.stop()
