"""Websocket fan-out benchmark (run by hand, not in CI; see README "Benchmarks").

N spectators watch /ws/leaderboard on ONE daphne; a change is committed through the API
(POST /time-entries); we measure how long until every spectator holds the
leaderboard.update (p50, p99, max), the connect time, and the server's RSS. Each size is
run on the embedded default (in-process layer, SQLite), with Redis, and against a
baseline measured in the same run: a bare `websockets` server broadcasting a frame of
the same size to the same N clients. The load generator runs in its own processes.

    .venv/bin/python bench/ws_fanout.py                    # 1k, 5k, 10k; all modes
    .venv/bin/python bench/ws_fanout.py --sizes 1000 --modes baseline,embedded
    .venv/bin/python bench/ws_fanout.py --deflate-only     # permessage-deflate memory
    .venv/bin/python bench/ws_fanout.py --sizes 10000 --repeat 2 \
        --modes baseline,serve-1,serve-2,nginx-2           # the scaled layouts, ~4 min

The scaled layouts run the server as deployed, `serve.py` with WEB_PROCESSES daphnes on
one address (HTTP_WORKERS=0, WORKER_CLUSTERS=0) on PostgreSQL (database `bench_ws`,
dropped and created here) and the private Redis: `serve-1` and `serve-2` (the spectators
connect to the shared address, the kernel spreads them), and `nginx-2`, the same two
behind nginx (deploy/nginx/focushub.conf, only its EDIT lines changed). The change is
posted to the shared address; the spectators of every process must get it.

Everything it starts (daphne, serve.py, nginx, a private redis-server, a scratch SQLite
database under var/bench-ws) is stopped at the end; the shared Redis on 6379 is never
touched.
"""

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import platform
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "var" / "bench-ws"
PY = sys.executable
LOADERS = 2  # load-generator processes (the machine this was written for has 2 cores)
IN_FLIGHT = 100  # concurrent handshakes per load process
MOVER = "bench_mover"
BACKLOG = 4096
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_NAME = "bench_ws"
SECRET = "ws-fanout-benchmark-only-secret-key-0123456789abcdef"
SERVED = {"serve-1": (1, False), "serve-2": (2, False), "nginx-2": (2, True)}  # mode: (daphnes, nginx)


def raise_nofile() -> None:
    """10 k sockets need 10 k descriptors in the server and across the loaders."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def tree_rss_mb(pid: int) -> float:
    """RSS of pid and its descendants (serve.py's daphnes)."""
    import rest_layouts

    return sum(rss_mb(member) for member in rest_layouts.tree(pid) if Path(f"/proc/{member}").exists())


def wait_port(port: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("server did not start")


# -- the load generator (its own processes) ----------------------------------------------


async def _spectate(url: str, count: int, deflate: bool, report) -> None:
    from websockets.asyncio.client import connect

    sockets, connect_times = [], []
    gate = asyncio.Semaphore(IN_FLIGHT)
    extensions = set()

    async def open_one() -> None:
        async with gate:
            started = time.monotonic()
            ws = await connect(url, compression="deflate" if deflate else None, open_timeout=120,
                               ping_interval=None, close_timeout=1, max_size=2**22)
            await ws.recv()  # snapshot
            connect_times.append(time.monotonic() - started)
            extensions.add(ws.response.headers.get("Sec-WebSocket-Extensions", ""))
            sockets.append(ws)

    started = time.monotonic()
    await asyncio.gather(*(open_one() for _ in range(count)))
    report.send({"ready": True, "connect": connect_times, "wall": time.monotonic() - started,
                 "extensions": sorted(extensions)})
    arrivals: list[float] = []

    async def wait_update(ws) -> None:
        await asyncio.wait_for(ws.recv(), timeout=60)
        arrivals.append(time.monotonic())

    results = await asyncio.gather(*(wait_update(ws) for ws in sockets), return_exceptions=True)
    report.send({"arrivals": arrivals, "missed": sum(isinstance(r, BaseException) for r in results)})
    report.recv()  # the coordinator has measured RSS; close
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)


def loader(url: str, count: int, deflate: bool, report) -> None:
    raise_nofile()
    asyncio.run(_spectate(url, count, deflate, report))


# -- the baseline: a bare websockets server --------------------------------------------


async def _baseline(port: int, frame: str, deflate: bool) -> None:
    from websockets.asyncio.server import broadcast, serve

    spectators: set = set()

    async def handler(ws) -> None:
        if ws.request.path == "/control":
            async for _ in ws:
                broadcast(spectators, frame)
                await ws.send("sent")
            return
        spectators.add(ws)
        try:
            await ws.send(frame)
            await ws.wait_closed()
        finally:
            spectators.discard(ws)

    async with serve(handler, "127.0.0.1", port, compression="deflate" if deflate else None,
                     ping_interval=None, backlog=BACKLOG):
        await asyncio.Future()


# -- FocusHub servers and data ----------------------------------------------------------


def focushub_env(redis_url: str | None) -> dict[str, str]:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="focushub.settings", FOCUSHUB_DATA_DIR=str(DATA),
               SQLITE_PATH=str(DATA / ("redis.sqlite3" if redis_url else "embedded.sqlite3")),
               PYTHONUNBUFFERED="1", LOG_LEVEL="WARNING")
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY"):
        env.pop(name, None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def seed() -> None:
    """In a child with the mode's env: 20 ranked users and the mover; prints the mover's token."""
    import django

    django.setup()
    from focushub.accounts.models import User
    from focushub.accounts.tokens import issue_access
    from focushub.projects.services import project_create
    from focushub.tracking.services import time_entry_create

    mover = User.objects.filter(username=MOVER).first()
    if mover is None:
        mover = User.objects.create_user(email="mover@bench.example", username=MOVER, password=None)
        project = project_create(owner=mover, name="Bench", visibility="public")
        end = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
        for i in range(20):
            user = User.objects.create_user(email=f"u{i}@bench.example", username=f"bench_user_{i:02d}", password=None)
            mine = project_create(owner=user, name=f"P{i}", visibility="public")
            time_entry_create(user=user, project_id=mine.pk, start_time=end - timedelta(minutes=30 + 10 * i),
                              end_time=end)
    project = mover.owned_projects.first()
    print(json.dumps({"token": issue_access(mover.pk), "project": project.pk}))


class FocusHub:
    def __init__(self, redis_url: str | None):
        env = focushub_env(redis_url)
        subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        out = subprocess.run([PY, __file__, "--seed"], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
        self.mover = json.loads(out.stdout.strip().splitlines()[-1])
        self.port = free_port()
        self.log = open(DATA / f"daphne-{self.port}.log", "wb")  # noqa: SIM115 - closed in stop()
        # Twisted listens with a backlog of 50 unless told otherwise; a burst of thousands
        # of handshakes then waits for SYN retries (1 s, 3 s). Operators pass the same -e.
        endpoint = f"tcp:port={self.port}:interface=127.0.0.1:backlog={BACKLOG}"
        self.proc = subprocess.Popen([PY, "-m", "daphne", "-e", endpoint, "asgi:application"],
                                     cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        wait_port(self.port, self.proc)
        self.url = f"ws://127.0.0.1:{self.port}/ws/leaderboard?period=all"
        self.trigger()  # warm up: the first request of a process imports the API's modules

    def trigger(self) -> float:
        """Commit a change through the API: the mover tracks 4 more hours (and tops the board).
        Each call's 4 hours lie 5 hours before the last one's: overlapping time counts once
        (focushub/tracking/credit.py), so a second entry on the same hours would move nothing."""
        import requests

        self.triggers = getattr(self, "triggers", 0) + 1
        end = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1 + 5 * self.triggers)
        body = {"project": self.mover["project"], "start_time": (end - timedelta(hours=4)).isoformat(),
                "end_time": end.isoformat()}
        started = time.monotonic()
        response = requests.post(f"http://127.0.0.1:{self.port}/time-entries", json=body, timeout=30,
                                 headers={"Authorization": f"Bearer {self.mover['token']}"})
        response.raise_for_status()
        return started

    def rss(self) -> float:
        return rss_mb(self.proc.pid)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def reset_postgres() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_NAME}")


class Served(FocusHub):
    """serve.py as deployed on PostgreSQL + Redis: `processes` daphnes on one address,
    optionally behind nginx; the spectators connect to the front, the change is posted
    to the shared address."""

    def __init__(self, redis_url: str, processes: int, nginx: bool):
        import rest_layouts

        env = dict(focushub_env(redis_url), DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{PG_NAME}",
                   SECRET_KEY=SECRET)
        env.pop("SQLITE_PATH")
        subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        out = subprocess.run([PY, __file__, "--seed"], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
        self.mover = json.loads(out.stdout.strip().splitlines()[-1])
        self.port = free_port()
        self.log = open(DATA / f"serve-{self.port}.log", "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([PY, "serve.py"], cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, env=dict(
            env, PORT=str(self.port), HTTP_PORT=str(free_port()), WEB_PROCESSES=str(processes), HTTP_WORKERS="0",
            WORKER_CLUSTERS="0"))
        wait_port(self.port, self.proc)
        self.trigger()  # warm up every process: the first request imports the API's modules
        self.nginx = None
        front = self.port
        if nginx:
            self.nginx, front = rest_layouts.start_nginx(DATA / "nginx", web_port=self.port, http_port=self.port,
                                                         out=self.log, connections=2 * 10_000 + 1024)
        self.url = f"ws://127.0.0.1:{front}/ws/leaderboard?period=all"
        for _ in range(processes * 2):
            self.trigger()

    def rss(self) -> float:
        return tree_rss_mb(self.proc.pid)

    def stop(self) -> None:
        if self.nginx is not None:
            self.nginx.send_signal(signal.SIGQUIT)
            self.nginx.wait(30)
        super().stop()


class Baseline:
    def __init__(self, frame: str, deflate: bool = False):
        self.port = free_port()
        self.proc = subprocess.Popen([PY, __file__, "--serve-baseline", str(self.port)] + (["--deflate"] * deflate),
                                     stdin=subprocess.PIPE, text=True)
        self.proc.stdin.write(frame)
        self.proc.stdin.close()
        wait_port(self.port, self.proc)
        self.url = f"ws://127.0.0.1:{self.port}/spectate"

    def trigger(self) -> float:
        from websockets.sync.client import connect

        with connect(f"ws://127.0.0.1:{self.port}/control", compression=None) as control:
            started = time.monotonic()
            control.send("go")
            control.recv(timeout=60)
        return started

    def rss(self) -> float:
        return rss_mb(self.proc.pid)

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


# -- one measurement --------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def measure(server, n: int, *, deflate: bool = False) -> dict:
    idle = server.rss()
    pipes, loaders = [], []
    for i in range(LOADERS):
        parent, child = mp.Pipe()
        share = n // LOADERS + (1 if i < n % LOADERS else 0)
        proc = mp.Process(target=loader, args=(server.url, share, deflate, child))
        proc.start()
        pipes.append(parent)
        loaders.append(proc)
    ready = [pipe.recv() for pipe in pipes]
    time.sleep(1.0)  # let the server settle before measuring memory
    loaded = server.rss()
    started = server.trigger()
    results = [pipe.recv() for pipe in pipes]
    for pipe in pipes:
        pipe.send("close")
    for proc in loaders:
        proc.join(60)
    latencies = [t - started for r in results for t in r["arrivals"]]
    connects = [t for r in ready for t in r["connect"]]
    return {
        "n": n, "delivered": len(latencies), "missed": sum(r["missed"] for r in results),
        "p50": pct(latencies, 0.50), "p99": pct(latencies, 0.99), "max": max(latencies, default=float("nan")),
        "rate": len(latencies) / max(latencies) if latencies else 0.0,
        "connect_p50": pct(connects, 0.50), "connect_p99": pct(connects, 0.99),
        "connect_wall": max(r["wall"] for r in ready),
        "rss_idle": idle, "rss_loaded": loaded, "kb_per_conn": (loaded - idle) * 1024 / n,
        "extensions": sorted({e for r in ready for e in r["extensions"]}),
    }


def start_redis() -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--daemonize", "no"], stdout=subprocess.DEVNULL)
    wait_port(port, proc)
    return proc, f"redis://127.0.0.1:{port}/0"


def machine() -> str:
    free = subprocess.run(["free", "-g"], capture_output=True, text=True).stdout.strip()
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return f"{platform.platform()}, Python {platform.python_version()}, nproc {os.cpu_count()}, {cpu}\n{free}"


def row(mode: str, r: dict) -> str:
    return (f"| {mode} | {r['n']} | {r['delivered']} | {r['p50'] * 1000:.0f} | {r['p99'] * 1000:.0f} | "
            f"{r['max'] * 1000:.0f} | {r['rate']:.0f} | "
            f"{r['connect_p50'] * 1000:.1f} / {r['connect_p99'] * 1000:.0f} | "
            f"{r['connect_wall']:.1f} | {r['rss_loaded']:.0f} | {r['kb_per_conn']:.1f} |")


HEADER = ("| server | spectators | delivered | p50 ms | p99 ms | max ms | msgs/s | connect p50/p99 ms | "
          "connect all s | RSS MB | KB/conn |\n|---|---|---|---|---|---|---|---|---|---|---|")


def run(sizes: list[int], modes: list[str], repeat: int = 1) -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    for stale in DATA.glob("*.sqlite3*"):
        stale.unlink()
    print(machine(), flush=True)
    print(HEADER, flush=True)
    frame = latest_frame()
    print(f"{machine()}\n(update frame: {len(frame)} bytes)\n", flush=True)
    print(HEADER, flush=True)
    scaled = any(mode in SERVED for mode in modes)
    redis_proc, redis_url = start_redis() if "redis" in modes or scaled else (None, None)
    if scaled:
        reset_postgres()
    names = {"embedded": "FocusHub, in-process layer", "redis": "FocusHub, Redis", "baseline": "bare websockets",
             "serve-1": "serve.py, 1 daphne", "serve-2": "serve.py, 2 daphnes",
             "nginx-2": "nginx → serve.py, 2 daphnes"}
    try:
        for n in sizes:
            for round_ in range(repeat):
                for mode in modes:
                    if mode == "baseline":
                        server = Baseline(frame)
                    elif mode in SERVED:
                        server = Served(redis_url, *SERVED[mode])
                    else:
                        server = FocusHub(redis_url if mode == "redis" else None)
                    try:
                        result = measure(server, n)
                    finally:
                        server.stop()
                    print(row(names[mode] + (f" (run {round_ + 1})" if repeat > 1 else ""), result), flush=True)
                    if result["missed"]:
                        print(f"  ({result['missed']} spectators got no update within 60 s)", flush=True)
    finally:
        if redis_proc is not None:
            redis_proc.kill()


def latest_frame() -> str:
    """A leaderboard.update as FocusHub sends it, so the baseline broadcasts the same bytes."""
    from websockets.sync.client import connect

    server = FocusHub(None)
    try:
        with connect(server.url, compression=None) as ws:
            ws.recv(timeout=10)
            server.trigger()
            return ws.recv(timeout=10)
    finally:
        server.stop()


def deflate_only(n: int) -> None:
    """permessage-deflate: what daphne negotiates, and what it costs a server per connection."""
    print(machine(), flush=True)
    frame = json.dumps({"type": "leaderboard.update", "rows": [{"rank": i, "score": i * 60} for i in range(20)]})
    for deflate in (False, True):
        server = Baseline(frame, deflate=deflate)
        try:
            r = measure(server, n, deflate=deflate)
        finally:
            server.stop()
        print(f"bare websockets, deflate {'on' if deflate else 'off'}: {r['kb_per_conn']:.1f} KB/conn, "
              f"p99 {r['p99'] * 1000:.0f} ms, negotiated {r['extensions']}", flush=True)
    server = FocusHub(None)
    try:
        r = measure(server, n, deflate=True)
    finally:
        server.stop()
    print(f"daphne, client offering deflate: {r['kb_per_conn']:.1f} KB/conn, negotiated {r['extensions']}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,5000,10000")
    parser.add_argument("--modes", default="baseline,embedded,redis")
    parser.add_argument("--repeat", type=int, default=1, help="measure each size and mode this many times")
    parser.add_argument("--deflate-only", type=int, nargs="?", const=2000, metavar="N")
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--serve-baseline", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--deflate", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    raise_nofile()
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))  # rest_layouts: nginx and process trees
    if args.seed:
        seed()
    elif args.serve_baseline:
        asyncio.run(_baseline(args.serve_baseline, sys.stdin.read(), args.deflate))
    elif args.deflate_only:
        deflate_only(args.deflate_only)
    else:
        if not shutil.which("redis-server") and set(args.modes.split(",")) - {"baseline", "embedded"}:
            sys.exit("redis-server is needed for the Redis and serve.py modes (or pass --modes baseline,embedded)")
        run([int(s) for s in args.sizes.split(",")], args.modes.split(","), args.repeat)


if __name__ == "__main__":
    main()
