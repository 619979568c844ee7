"""REST throughput on the hot paths (bench/README.md), beside a baseline measured in the same run.

Run by hand, never in CI (see bench/README.md, "REST throughput"):

    .venv/bin/python bench/rest_throughput.py                         # both modes, C = 8 and 32, ~4 min
    .venv/bin/python bench/rest_throughput.py --modes embedded --concurrency 8 --duration 5

For each mode it builds a state of its own, seeds it, starts ONE real daphne
(`python -m daphne -b 127.0.0.1 -p PORT asgi:application`, no qcluster: badge checks just
queue) and drives it from a load generator in its own process: C keep-alive HTTP/1.1
connections (plain asyncio, closed loop: each sends its next request as soon as the last
answer is read), each connection a different user. Every cell warms up, then measures for
a fixed time: requests/s, latency p50/p99, the non-2xx answers (must be 0) and daphne's CPU.

- embedded: SQLite under a scratch FOCUSHUB_DATA_DIR (/tmp/fh-bench-rest/embedded, wiped),
  no DATABASE_URL/REDIS_URL.
- scaled: PostgreSQL database `bench_rest` (dropped and created here), owned by a role
  `bench_rest` (created here: no superuser, CONNECTION LIMIT 40, so the server under test
  can never take the connections other users of the shared PostgreSQL need), and Redis
  db 8 (FLUSHDB here and at the end). No other database or Redis db is touched. daphne
  pools its connections, as shipped (DB_POOL_MAX defaults to ASGI_THREADS).
- scaled-nopool: the same with DB_POOL_MAX=0: a connection opened and closed per request,
  as before the pool. In both scaled modes the PostgreSQL sessions of the database are
  sampled every 0.1 s while a row is measured: the peak number open and the number of
  sessions opened per second (pg_stat_database.sessions).

Scenarios, per mode and concurrency:
  healthz      GET /healthz: the baseline, same server and stack (DRF view, no auth, no DB)
  start/stop   each user alternates POST /time-entries/start {project} and POST /time-entries/stop
  board        GET /leaderboard?metric=time&period=week&limit=20, anonymous
  board + me   the same with the user's token (adds `me`)
  current      GET /time-entries/current of a user whose timer runs
Results go to bench/results/rest-<date>.md (git-ignored) and stdout.
"""

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import platform
import shutil
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
SCRATCH = Path("/tmp/fh-bench-rest")
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_NAME = "bench_rest"
# A role of our own, not a superuser, so that CONNECTION LIMIT holds: whatever the server
# under test does with connections, other users of the shared PostgreSQL keep theirs.
PG_ROLE = "bench_rest"
PG_LIMIT = 40
REDIS_URL = "redis://127.0.0.1:6379/8"
SECRET = "rest-throughput-benchmark-only-secret-key-0123456789"
BOARD = "/leaderboard?metric=time&period=week&limit=20"


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def write_report(out: Path, text: str, started: float) -> None:
    """Write a run's Markdown report (bench/results/ unless --out), then print it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print("\n" + text)
    say(f"done in {time.monotonic() - started:.0f}s; written to {out}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- seeding: a child process with the mode's environment -------------------------------


def seed(users: int, entries: int) -> None:
    """N users, one project each, a shared public project everyone is in, `entries` finished
    entries each (one on the shared project) through the services, so rollups and boards are
    what real use writes; the second half of the users get a running timer. Prints JSON."""
    import random

    import django

    django.setup()
    from focushub.accounts.models import User
    from focushub.accounts.tokens import issue_access
    from focushub.projects.services import member_add, project_create
    from focushub.tracking.services import time_entry_create, time_entry_start

    rng = random.Random(1)
    now = datetime.now(UTC).replace(microsecond=0)
    people = [
        User.objects.create_user(email=f"r{i}@bench.invalid", username=f"bench_rest_{i:04d}", password=None)
        for i in range(users)
    ]
    shared = project_create(owner=people[0], name="Bench shared", visibility="public")
    out = []
    for i, user in enumerate(people):
        own = project_create(owner=user, name=f"Bench {i}", visibility="public")
        if i:
            member_add(actor=people[0], project_id=shared.pk, username=user.username)
        for k in range(entries):
            end = now - timedelta(minutes=5 + 100 * k + rng.randint(0, 30))
            time_entry_create(user=user, project_id=shared.pk if k == 0 else own.pk,
                              start_time=end - timedelta(minutes=rng.randint(10, 90)), end_time=end)
        if i >= users // 2:
            time_entry_start(user=user, project_id=own.pk)
        out.append({"token": issue_access(user.pk), "project": own.pk})
    print(json.dumps({"users": out, "shared": shared.pk}))


# -- the load generator: its own process ------------------------------------------------


class Conn:
    def __init__(self, port: int):
        self.port = port
        self.reader = self.writer = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def request(self, raw: bytes) -> int:
        if self.writer is None:
            await self.open()
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip().lower()
        if "content-length" in headers:
            await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding") == "chunked":
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        if headers.get("connection") == "close":
            self.writer.close()
            self.writer = None
        return status


def build(port: int, method: str, path: str, token: str | None, body: dict | None) -> bytes:
    data = json.dumps(body).encode() if body is not None else b""
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Accept: application/json"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    if method == "POST":
        lines += ["Content-Type: application/json", f"Content-Length: {len(data)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


async def _drive(port: int, cycles: list[list[tuple[str, bytes]]], warmup: float, duration: float, pipe) -> dict:
    """One connection per cycle; a cycle is a list of (label, request) repeated until the
    end, then completed (uncounted) so a start always gets its stop."""
    loop = asyncio.get_running_loop()
    conns = [Conn(port) for _ in cycles]
    await asyncio.gather(*(conn.open() for conn in conns))
    pipe.send("ready")
    t0 = loop.time() + warmup
    t1 = t0 + duration
    cpu = {}

    async def meter() -> None:
        await asyncio.sleep(max(0.0, t0 - loop.time()))
        cpu["start"] = time.process_time()
        await asyncio.sleep(max(0.0, t1 - loop.time()))
        cpu["end"] = time.process_time()

    samples: dict[str, list[float]] = {}
    bad: dict[str, int] = {}
    statuses: dict[str, int] = {}

    async def one(conn, cycle) -> None:
        i = 0
        while loop.time() < t1 or i % len(cycle):
            label, raw = cycle[i % len(cycle)]
            i += 1
            started = loop.time()
            try:
                status = await conn.request(raw)
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                bad[label] = bad.get(label, 0) + 1
                statuses[type(exc).__name__] = statuses.get(type(exc).__name__, 0) + 1
                conn.writer = None
                continue
            done = loop.time()
            if not 200 <= status < 300:
                bad[label] = bad.get(label, 0) + 1
                statuses[str(status)] = statuses.get(str(status), 0) + 1
            elif t0 <= done <= t1:
                samples.setdefault(label, []).append((done - started) * 1000)
        if conn.writer is not None:
            conn.writer.close()

    await asyncio.gather(meter(), *(one(conn, cycle) for conn, cycle in zip(conns, cycles, strict=True)))
    return {"samples": samples, "bad": bad, "statuses": statuses,
            "loader_cpu": (cpu["end"] - cpu["start"]) / duration * 100}


def loader(port: int, cycles, warmup: float, duration: float, pipe) -> None:
    pipe.send(asyncio.run(_drive(port, cycles, warmup, duration, pipe)))


# -- the server --------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def mode_env(mode: str, data: Path, settings: str) -> dict[str, str]:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE=settings, FOCUSHUB_DATA_DIR=str(data),
               PYTHONUNBUFFERED="1", LOG_LEVEL="WARNING", ACCESS_TOKEN_TTL="3600")
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "SQLITE_PATH", "MEDIA_ROOT", "SENTRY_DSN"):
        env.pop(name, None)
    if mode.startswith("scaled"):
        env.update(DATABASE_URL=f"postgres://{PG_ROLE}@127.0.0.1:5432/{PG_NAME}", REDIS_URL=REDIS_URL,
                   SECRET_KEY=SECRET)
    if mode == "scaled-nopool":
        env["DB_POOL_MAX"] = "0"
    return env


def reset_scaled() -> None:
    import psycopg
    import redis

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [PG_ROLE]).fetchone():
            conn.execute(f"CREATE ROLE {PG_ROLE} LOGIN")
        conn.execute(f"ALTER ROLE {PG_ROLE} LOGIN NOSUPERUSER CONNECTION LIMIT {PG_LIMIT}")
        conn.execute(f"CREATE DATABASE {PG_NAME} OWNER {PG_ROLE}")
    redis.Redis.from_url(REDIS_URL).flushdb()


def scaled_available() -> str | None:
    try:
        import psycopg
        import redis

        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            pass
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:  # any failure means: skip the mode, say why
        return f"{type(exc).__name__}: {exc}"
    return None


class Server:
    def __init__(self, env: dict[str, str], data: Path):
        self.port = free_port()
        self.postgres = "DATABASE_URL" in env
        self.log = open(data / "daphne.log", "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([PY, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), "asgi:application"],
                                     cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"daphne exited with {self.proc.returncode}; see {data / 'daphne.log'}")
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("daphne did not start")
            time.sleep(0.1)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


# -- scenarios and cells -------------------------------------------------------------------


def scenarios(port: int, users: list[dict], concurrency: int) -> dict[str, list]:
    """name -> one request cycle per connection. Toggling users come from the first half
    (no running timer), `current` from the second half (timer running)."""
    half = len(users) // 2
    idle, running = users[:half][:concurrency], users[half:][:concurrency]
    health = build(port, "GET", "/healthz", None, None)
    board = build(port, "GET", BOARD, None, None)
    return {
        "GET /healthz (baseline)": [[("healthz", health)] for _ in range(concurrency)],
        "POST start / POST stop": [
            [("start", build(port, "POST", "/time-entries/start", u["token"], {"project": u["project"]})),
             ("stop", build(port, "POST", "/time-entries/stop", u["token"], None))]
            for u in idle
        ],
        "GET /leaderboard (anonymous)": [[("board", board)] for _ in range(concurrency)],
        "GET /leaderboard + me (token)": [[("board+me", build(port, "GET", BOARD, u["token"], None))] for u in idle],
        "GET /time-entries/current": [
            [("current", build(port, "GET", "/time-entries/current", u["token"], None))] for u in running
        ],
    }


class Sessions:
    """PostgreSQL sessions of the benchmark's database while a row is measured, sampled
    every 0.1 s from an admin connection of its own: the peak open at once, and how many
    were opened per second (pg_stat_database.sessions counts every session started)."""

    def __init__(self) -> None:
        import psycopg

        self.conn = psycopg.connect(PG_ADMIN, autocommit=True)
        self.peak = 0
        self.done = threading.Event()
        self.opened0 = self._opened()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _opened(self) -> int:
        self.conn.execute("SELECT pg_stat_clear_snapshot()")
        return self.conn.execute("SELECT sessions FROM pg_stat_database WHERE datname = %s", [PG_NAME]).fetchone()[0]

    def _sample(self) -> None:
        while not self.done.wait(0.1):
            count = self.conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [PG_NAME])
            self.peak = max(self.peak, count.fetchone()[0])

    def stop(self, seconds: float) -> str:
        self.done.set()
        self.thread.join()
        opened = (self._opened() - self.opened0) / seconds
        self.conn.close()
        return f"{self.peak} · {opened:,.0f}/s"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(q * len(ordered) + 0.5) - 1))] if ordered else float("nan")


def cell(server: Server, cycles, warmup: float, duration: float) -> dict:
    parent, child = mp.Pipe()
    proc = mp.get_context("spawn").Process(target=loader, args=(server.port, cycles, warmup, duration, child))
    proc.start()
    if parent.recv() != "ready":  # connections open; the loader's warm-up starts now
        raise RuntimeError("loader failed")
    time.sleep(warmup)
    sessions = Sessions() if server.postgres else None
    cpu0, wall0 = cpu_seconds(server.proc.pid), time.monotonic()
    time.sleep(duration)
    cpu1, wall1 = cpu_seconds(server.proc.pid), time.monotonic()
    result = parent.recv()
    proc.join(30)
    result["cpu"] = (cpu1 - cpu0) / (wall1 - wall0) * 100
    result["sessions"] = sessions.stop(wall1 - wall0) if sessions else ""
    result["cycle"] = cycles[0]
    return result


def fmt_rows(mode: str, scenario: str, c: int, result: dict, duration: float, baseline: dict) -> list[list[str]]:
    samples, bad = result["samples"], result["bad"]
    labels = list(dict.fromkeys(label for label, _ in result["cycle"]))
    rows = []
    total = sum(len(v) for v in samples.values())
    errors = sum(bad.values())
    base = baseline.get((mode, c))
    share = f"{100 * total / duration / base:.0f}%" if base else "100%"
    everything = [ms for v in samples.values() for ms in v]
    cpu = f"{result['cpu']:.0f}% / {result['loader_cpu']:.0f}%"
    if len(labels) == 1:
        return [[mode, scenario, str(c), f"{total / duration:,.0f}", f"{pct(everything, .5):.1f}",
                 f"{pct(everything, .99):.1f}", str(errors), share, cpu, result["sessions"]]]
    rows.append([mode, scenario + " (both)", str(c), f"{total / duration:,.0f}", f"{pct(everything, .5):.1f}",
                 f"{pct(everything, .99):.1f}", str(errors), share, cpu, result["sessions"]])
    for label in labels:
        values = samples.get(label, [])
        rows.append([mode, f"  … {label}", str(c), f"{len(values) / duration:,.0f}", f"{pct(values, .5):.1f}",
                     f"{pct(values, .99):.1f}", str(bad.get(label, 0)), "", "", ""])
    return rows


def run_mode(mode: str, args, baseline: dict) -> list[list[str]]:
    data = SCRATCH / mode
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    if mode.startswith("scaled"):
        reset_scaled()
    env = mode_env(mode, data, args.settings)
    started = time.monotonic()
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    out = subprocess.run([PY, __file__, "--seed", str(args.users), "--entries", str(args.entries)],
                         cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    seeded = json.loads(out.stdout.strip().splitlines()[-1])
    say(f"{mode}: migrated and seeded {args.users} users in {time.monotonic() - started:.1f}s")
    server = Server(env, data)
    rows = []
    try:
        for c in args.concurrency:
            for name, cycles in scenarios(server.port, seeded["users"], c).items():
                result = cell(server, cycles, args.warmup, args.duration)
                if name.endswith("(baseline)"):
                    baseline[(mode, c)] = sum(len(v) for v in result["samples"].values()) / args.duration
                new = fmt_rows(mode, name, c, result, args.duration, baseline)
                rows += new
                extra = f" non-2xx {result['statuses']}" if result["statuses"] else ""
                say(f"{mode} C={c} {name}: {new[0][3]} req/s, p50 {new[0][4]} ms, p99 {new[0][5]} ms, "
                    f"CPU daphne/loader {new[0][8]}, PG sessions peak · opened {new[0][9]}{extra}")
    finally:
        server.stop()
        if mode.startswith("scaled"):
            import redis

            redis.Redis.from_url(REDIS_URL).flushdb()
    return rows


def machine(modes: list[str]) -> list[str]:
    def sh(command: str) -> str:
        return subprocess.run(command, shell=True, capture_output=True, text=True).stdout.strip()

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.machine())
    memory = sh("free -g | awk '/Mem:/ {print $2}'")
    versions = [f"Python {platform.python_version()}", f"Django {metadata.version('django')}",
                f"daphne {metadata.version('daphne')}", f"SQLite {__import__('sqlite3').sqlite_version}"]
    if any(mode.startswith("scaled") for mode in modes):
        import psycopg
        import redis

        with psycopg.connect(PG_ADMIN) as conn:
            versions.append(f"PostgreSQL {conn.execute('SHOW server_version').fetchone()[0].split()[0]}")
        versions.append(f"Redis {redis.Redis.from_url(REDIS_URL).info('server')['redis_version']}")
    return [
        f"- {platform.system()} {platform.release()}, nproc {sh('nproc')} ({cpu}), "
        f"RAM {memory} GB (`free -g` total); shared with other jobs",
        f"- {', '.join(versions)}",
        f"- {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; daphne, the databases and the load generator "
        "(one asyncio process) all share these cores",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modes", default="embedded,scaled,scaled-nopool",
                        help="comma-separated: embedded, scaled, scaled-nopool")
    parser.add_argument("--concurrency", default="8,32", help="comma-separated connection counts")
    parser.add_argument("--duration", type=float, default=8.0, help="measured seconds per cell (default 8)")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds per cell (default 2)")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--entries", type=int, default=3, help="finished entries seeded per user")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--settings", default="focushub.settings",
                        help="DJANGO_SETTINGS_MODULE of the server (to try a variant; on PYTHONPATH)")
    parser.add_argument("--seed", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed is not None:
        seed(args.seed, args.entries)
        return
    args.concurrency = [int(c) for c in args.concurrency.split(",")]
    if max(args.concurrency) > args.users // 2:
        sys.exit("--users must be at least twice the largest concurrency (one user per connection).")
    modes = args.modes.split(",")
    if any(mode.startswith("scaled") for mode in modes) and (why := scaled_available()):
        say(f"scaled modes skipped: PostgreSQL/Redis unreachable ({why})")
        modes = [mode for mode in modes if not mode.startswith("scaled")]
    started = time.monotonic()
    baseline: dict = {}
    rows = []
    for mode in modes:
        rows += run_mode(mode, args, baseline)
    header = ["mode", "scenario", "C", "req/s", "p50 ms", "p99 ms", "non-2xx", "req/s vs healthz",
              "CPU daphne / loader", "PG sessions: peak · opened"]
    table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + ["| " + " | ".join(r) + " |" for r in rows]
    now = datetime.now(UTC)
    text = "\n".join([
        f"# REST throughput, {now:%Y-%m-%d}", "", *machine(modes), "",
        f"One daphne process; C keep-alive connections, one user each, closed loop; "
        f"{args.warmup:.0f} s warm-up then {args.duration:.0f} s measured per row; {args.users} users seeded. "
        "CPU: share of one core used by daphne / by the load generator during the measured seconds.", "", *table, "",
    ])
    write_report(args.out or ROOT / "bench" / "results" / f"rest-{now:%Y-%m-%d}.md", text, started)


if __name__ == "__main__":
    main()
