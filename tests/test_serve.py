"""serve.py: several web processes behind one address, kept running and stopped in
order (README.md, "Scaling out"; docs/deploy.md).

Which process serves a connection is the kernel's choice, so the tests make it for it:
a process stopped with SIGSTOP cannot accept, and the connection goes to the other one.
Which process holds a socket is then read from the kernel too (/proc), not guessed."""

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from django.conf import settings

from tests.conftest import LOG_DIR
from tests.realtime.streams import close_code, first, stream_url
from tests.support.cast import new_project
from tests.support.clients import Api, Socket
from tests.support.processes import ROOT, Process, free_port, server_env, wait_for
from tests.test_pool import starts_held_in_flight

pytestmark = pytest.mark.live
scaled_only = pytest.mark.skipif(
    settings.EMBEDDED or not settings.REDIS_URL, reason="several web processes need PostgreSQL and Redis"
)


class Serve(Process):
    """serve.py on ports of its own, against the test database; `options` go to daphne.
    No HTTP workers unless `env` asks for them (HTTP_WORKERS): daphne serves everything."""

    def __init__(self, *options: str, **env: str):
        self.port, self.http_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.http_url = f"http://127.0.0.1:{self.http_port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        env = {"HTTP_WORKERS": "0", **env}
        super().__init__(f"serve-{self.port}", [sys.executable, "serve.py", *options],
                         server_env(HOST="127.0.0.1", PORT=str(self.port), HTTP_PORT=str(self.http_port), **env),
                         LOG_DIR)

    def web_pids(self, count: int) -> list[int]:
        """The web processes running now (the last one started in each slot, alive),
        once each says it accepts connections."""

        def accepting() -> list[int] | None:
            log = self.log_since(0)
            latest = dict(re.findall(r"(web \d+) started \(pid (\d+)\)", log))
            pids = [int(pid) for pid in latest.values()]
            ready = all(f"web process {pid} accepting connections" in log and Path(f"/proc/{pid}").exists()
                        for pid in pids)
            return pids if len(pids) == count and ready else None

        return wait_for(accepting, timeout=60, message=f"{count} web processes accepting")

    def http_ready(self) -> None:
        """Once gunicorn's workers answer on HTTP_PORT."""

        def answers() -> bool:
            try:
                return Api(self.http_url).get("/healthz", timeout=2).status_code == 200
            except requests.RequestException:
                return False

        wait_for(answers, timeout=60, message="the HTTP workers to answer")


@contextmanager
def paused(pid: int) -> Iterator[None]:
    """The process stopped (SIGSTOP): it accepts nothing until it is continued."""
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


def holder(client: Socket, pids: list[int]) -> int:
    """Which of `pids` holds the server end of the client's TCP connection (Linux /proc)."""
    ours, theirs = client.ws.socket.getsockname()[1], client.ws.socket.getpeername()[1]
    inodes = {fields[9] for fields in (line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:])
              if fields[1].endswith(f":{theirs:04X}") and fields[2].endswith(f":{ours:04X}")}
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            if os.readlink(fd) in {f"socket:[{inode}]" for inode in inodes}:
                return pid
    raise AssertionError(f"no process of {pids} holds the connection")


def group(pgid: int) -> set[int]:
    """The processes in a process group now (Linux /proc)."""
    members = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue  # gone meanwhile
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.add(int(stat.parent.name))
    return members


def refused(port: int) -> bool:
    """Whether a new connection to the port is refused (nothing holds its listening socket)."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


def test_the_embedded_mode_refuses_a_second_web_process(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    result = subprocess.run([sys.executable, "serve.py"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={**env, "FOCUSHUB_DATA_DIR": str(tmp_path), "WEB_PROCESSES": "2"})
    assert result.returncode == 2
    assert "WEB_PROCESSES=2 needs DATABASE_URL and REDIS_URL" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def two_web(server, django_db_blocker):
    """serve.py with two web processes and no cluster (nothing here waits on a task), for the module."""
    with django_db_blocker.unblock():
        proc = Serve(WEB_PROCESSES="2", WORKER_CLUSTERS="0")
    yield proc
    proc.stop()


@scaled_only
def test_a_change_made_through_one_process_reaches_a_socket_held_by_the_other(two_web, person):
    alice = person()
    project_id = new_project(alice)
    first_web, second_web = two_web.web_pids(2)
    with paused(first_web):
        socket = Socket(stream_url(two_web, "/ws/me", token=alice.token))
        first(socket, "hello")
    with socket:
        assert holder(socket, [first_web, second_web]) == second_web
        with paused(second_web):  # only the first process can take this request
            started = Api(two_web.url, alice.token).post("/time-entries/start", json={"project": project_id})
        assert started.status_code == 201, started.text
        pushed = socket.recv_until(lambda m: m["type"] == "timer.started", timeout=10)
        assert pushed["entry"]["id"] == started.json()["entry"]["id"]


@scaled_only
def test_a_change_made_through_an_http_worker_reaches_a_socket_held_by_daphne(person):
    alice = person()
    project_id = new_project(alice)
    serve = Serve(WEB_PROCESSES="1", HTTP_WORKERS="1", WORKER_CLUSTERS="0")
    try:
        serve.web_pids(1)
        serve.http_ready()
        with Socket(stream_url(serve, "/ws/me", token=alice.token)) as socket:
            first(socket, "hello")
            started = Api(serve.http_url, alice.token).post("/time-entries/start", json={"project": project_id})
            assert started.status_code == 201, started.text
            assert started.headers["Server"] == "gunicorn"
            pushed = socket.recv_until(lambda m: m["type"] == "timer.started", timeout=10)
            assert pushed["entry"]["id"] == started.json()["entry"]["id"]
            # A chunked body is read as under daphne (api/chunked.py), not as an empty one.
            chunked = Api(serve.http_url, alice.token).post(
                "/projects", data=iter([b'{"name": "', b'Chunked"}']), headers={"Content-Type": "application/json"})
            assert chunked.status_code == 201, chunked.text
            assert chunked.json()["name"] == "Chunked"
            exported = Api(serve.http_url, alice.token).get("/time-entries/export?format=csv")
            assert exported.status_code == 200
            assert f"\r\n{started.json()['entry']['id']}," in exported.text
            too_large = Api(serve.http_url, alice.token).post(
                "/projects", data=iter([b" " * 1024 * 1024] * 6), headers={"Content-Type": "application/json"})
            assert too_large.status_code == 413
            assert too_large.json()["code"] == "payload_too_large"
    finally:
        serve.stop()
    log = serve.log_since(0)
    assert "Traceback" not in log and "StreamingHttpResponse must consume" not in log, log[-3000:]


@scaled_only
def test_killed_http_workers_are_started_again_and_a_request_meanwhile_waits_instead_of_failing():
    serve = Serve(WEB_PROCESSES="0", HTTP_WORKERS="1", WORKER_CLUSTERS="0")
    try:
        serve.http_ready()
        (master,) = [int(pid) for pid in re.findall(r"http started \(pid (\d+)\)", serve.log_since(0))]
        os.kill(master, signal.SIGKILL)
        # The supervisor holds HTTP_PORT: the connection waits in its queue for the new workers.
        assert Api(serve.http_url).get("/healthz", timeout=60).status_code == 200
        wait_for(lambda: re.search(rf"http \(pid {master}\) was killed by SIGKILL after [\d.]+ s; restarting in",
                                   serve.log_since(0)), timeout=30, message="the supervisor to notice")
        wait_for(lambda: serve.log_since(0).count("Booting worker") == 2, timeout=60, message="a new HTTP worker")
        assert Api(serve.http_url).get("/healthz").status_code == 200
    finally:
        serve.stop()
    assert "Traceback" not in serve.log_since(0)


@scaled_only
def test_a_killed_web_process_is_started_again_and_the_port_keeps_answering(two_web):
    victim, survivor = two_web.web_pids(2)
    offset = two_web.log_offset()
    os.kill(victim, signal.SIGKILL)
    assert Api(two_web.url).get("/healthz").status_code == 200  # the survivor answers meanwhile
    wait_for(lambda: re.search(rf"web \d \(pid {victim}\) was killed by SIGKILL after [\d.]+ s; restarting in",
                               two_web.log_since(offset)), timeout=30, message="the supervisor to notice")
    replacement = next(pid for pid in two_web.web_pids(2) if pid not in (victim, survivor))
    with paused(survivor):  # so the replacement is the one answering
        assert Api(two_web.url).get("/healthz").status_code == 200
    assert replacement != victim


@scaled_only
def test_sigterm_lets_the_requests_in_flight_finish_then_stops_everything(person):
    alice = person()
    project_id = new_project(alice)
    serve = Serve(WEB_PROCESSES="2", HTTP_WORKERS="1", WORKER_CLUSTERS="1")
    try:
        web = serve.web_pids(2)
        serve.http_ready()
        with Socket(stream_url(serve, "/ws/me", token=alice.token)) as socket:
            first(socket, "hello")
            # One start held in a daphne, one in an HTTP worker.
            with starts_held_in_flight(alice, project_id, serve.url, serve.http_url) as (started, started_by_gunicorn):
                serve.proc.send_signal(signal.SIGTERM)
                wait_for(lambda: serve.log_since(0).count("draining:") == 2, timeout=20,
                         message="both web processes to start draining")
                assert close_code(socket) == 1012  # come back (to another server)
                # While the starts are still held: a new connection is refused at once on
                # both ports (a proxy then tries another server), not queued until they end.
                for port in (serve.port, serve.http_port):
                    wait_for(lambda port=port: refused(port), timeout=5, message=f"port {port} to refuse")
                assert started == {} and started_by_gunicorn == {}
        assert started == {"status": 201}
        assert started_by_gunicorn == {"status": 201}
        assert serve.proc.wait(timeout=60) == 0
    finally:
        serve.stop()
    log = serve.log_since(0)
    assert log.rstrip().endswith("INFO serve stopped"), log[-2000:]
    assert "Traceback" not in log and "killed" not in log, log[-3000:]
    for pid in web:
        assert not Path(f"/proc/{pid}").exists()


@scaled_only
def test_what_a_killed_cluster_started_is_stopped_too_and_nothing_outlives_the_supervisor():
    serve = Serve(WEB_PROCESSES="0", WORKER_CLUSTERS="1")

    def cluster() -> tuple[int, set[int]] | None:
        """The newest cluster's pid and its process group, once its workers are up."""
        pids = re.findall(r"worker 1 started \(pid (\d+)\)", serve.log_since(0))
        members = group(int(pids[-1])) if pids else set()
        return (int(pids[-1]), members) if len(members) >= 4 else None  # itself, sentinel, pusher, monitor, workers

    try:
        leader, members = wait_for(cluster, timeout=60, message="the cluster and its workers")
        os.kill(leader, signal.SIGKILL)
        wait_for(lambda: not group(leader), timeout=20, message=f"the processes cluster {leader} started to stop")
        replacement, _ = wait_for(lambda: (found := cluster()) and found[0] != leader and found, timeout=60,
                                  message="a new cluster")
        log = serve.log_since(0)
        assert re.search(rf"worker 1 \(pid {leader}\) was killed by SIGKILL after [\d.]+ s; restarting in", log)
        assert f"worker 1 (pid {leader}): what it started is still running; stopping it" in log
        serve.proc.send_signal(signal.SIGTERM)
        assert serve.proc.wait(timeout=60) == 0
    finally:
        serve.stop()
    assert not group(replacement) and not any(Path(f"/proc/{pid}").exists() for pid in members)
    assert "Traceback" not in serve.log_since(0)
