"""How long a commit made in a gunicorn HTTP worker takes to reach a websocket held by a
daphne process (bench/README.md, "From an HTTP worker to a socket"), beside the same
commit made through that daphne itself, in one run.

serve.py runs one daphne and one HTTP worker on PostgreSQL + Redis (database
`bench_ring`, dropped and created; Redis db 5, flushed). One person holds /ws/me on the
daphne and starts and stops a timer N times through each address in turn; each
sample is from just before the start is sent to the moment its `timer.started` frame
arrives on the socket, so it includes the request itself.

    .venv/bin/python bench/ring_latency.py --rounds 200
"""

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import redis
import requests
from websockets.sync.client import connect

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "bench_ring"
REDIS_URL = "redis://127.0.0.1:6379/5"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str) -> bool:
    try:
        return requests.get(f"{url}/healthz", timeout=1).status_code == 200
    except requests.RequestException:
        return False


def start_server(port: int, http_port: int, log: Path) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DATABASE}", REDIS_URL=REDIS_URL,
               SECRET_KEY="ring-latency-benchmark-only-secret-key-0123456789", LOG_LEVEL="WARNING",
               FOCUSHUB_DATA_DIR="/tmp/fh-bench-ring", PORT=str(port), HTTP_PORT=str(http_port),
               WEB_PROCESSES="1", HTTP_WORKERS="1", WORKER_CLUSTERS="0")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen([sys.executable, "serve.py"], cwd=ROOT, env=env, stdout=log.open("wb"),
                              stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while not (answers(f"http://127.0.0.1:{port}") and answers(f"http://127.0.0.1:{http_port}")):
        if time.monotonic() > deadline or server.poll() is not None:
            raise SystemExit(f"serve.py did not start; see {log}")
        time.sleep(0.2)
    return server


def samples(api: requests.Session, base: str, ws, project: int, rounds: int) -> list[float]:
    """Milliseconds from sending each start to its timer.started frame on the socket."""
    out = []
    for _ in range(rounds):
        sent = time.perf_counter()
        started = api.post(f"{base}/time-entries/start", json={"project": project}, timeout=10)
        started.raise_for_status()
        entry = started.json()["entry"]["id"]
        while True:
            frame = json.loads(ws.recv(timeout=10))
            if frame["type"] == "timer.started" and frame["entry"]["id"] == entry:
                break
        out.append((time.perf_counter() - sent) * 1000)
        api.post(f"{base}/time-entries/stop", timeout=10).raise_for_status()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    redis.Redis.from_url(REDIS_URL).flushdb()
    port, http_port = free_port(), free_port()
    server = start_server(port, http_port, Path("/tmp/fh-bench-ring.log"))
    try:
        daphne, gunicorn = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{http_port}"
        api = requests.Session()
        session = api.post(f"{gunicorn}/auth/signup", json={
            "email": "ring@bench.invalid", "username": "ring", "password": "a long bench password 42"}, timeout=10)
        session.raise_for_status()
        api.headers["Authorization"] = f"Bearer {session.json()['access']}"
        project = api.post(f"{gunicorn}/projects", json={"name": "Ring"}, timeout=10).json()["id"]
        with connect(f"ws://127.0.0.1:{port}/ws/me?token={session.json()['access']}") as ws:
            results = {}
            for name, base in (("through the daphne holding the socket", daphne),
                               ("through the HTTP worker (gunicorn)", gunicorn)):
                samples(api, base, ws, project, 10)  # warm-up
                results[name] = sorted(samples(api, base, ws, project, args.rounds))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)
    print(f"\n{args.rounds} starts each; ms from sending the start to its timer.started frame on the socket\n")
    print("| start sent | p50 | p90 | p99 | max |\n| --- | --- | --- | --- | --- |")
    for name, values in results.items():
        p = statistics.quantiles(values, n=100)
        print(f"| {name} | {p[49]:.1f} | {p[89]:.1f} | {p[98]:.1f} | {values[-1]:.1f} |")


if __name__ == "__main__":
    main()
