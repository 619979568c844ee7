"""Where a hot REST request's time goes (bench/README.md, "Profile of the hot paths").

    .venv/bin/python bench/rest_profile.py                 # ~1 min; scaled mode (PostgreSQL + Redis)
    .venv/bin/python bench/rest_profile.py --calls 300 --dump /tmp/prof   # also .pstats per path

In ONE process, the way one gunicorn WSGI worker serves (wsgi.py's application, called
with a WSGI environ, no sockets): GET /healthz, POST /time-entries/start, POST
/time-entries/stop, POST /time-entries (a manual entry) and GET /leaderboard (anonymous,
and with a token: `me`). For each: wall and CPU ms per request, the SQL statements per
request (connection.execute_wrapper: every round trip to PostgreSQL, with its text),
the Redis commands per request (the client's execute_command), and a cProfile split of
the request's CPU time into auth (JWT decode + user load), DRF (the view machinery minus the
handler), the handler's serialization, the service/selector, the event/announce path,
and Django's middleware and handler around it.

On the state bench/rest_throughput.py builds (database `bench_rest` under its role,
Redis db 8, seeded by its `--seed` with 60 users): rebuilt here.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import rest_throughput as rt

ROOT = rt.ROOT

# Functions whose cumulative time is a category (first match from the top wins, measured
# by cProfile as inclusive time of the outermost call).
CATEGORIES = [
    ("auth: JWT decode + user load", "api/authentication.py", "authenticate"),
    ("event/announce (event_record, doorbell)", "focushub/announce.py", None),
    ("event/announce (event_record, doorbell)", "focushub/timeline/services.py", "event_record"),
    ("serialization (output)", "rest_framework/serializers.py", "data"),
    ("input validation", "rest_framework/serializers.py", "is_valid"),
    ("JSON render", "rest_framework/renderers.py", "render"),
    ("services (the transaction)", "focushub/tracking/services.py", None),
    ("leaderboard selector", "focushub/leaderboards/selectors.py", "leaderboard_read"),
]


def environ(method: str, path: str, token: str | None, body: dict | None) -> dict:
    data = json.dumps(body).encode() if body is not None else b""
    path, _, query = path.partition("?")
    env = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000", "HTTP_ACCEPT": "application/json", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(data), "wsgi.errors": sys.stderr, "wsgi.multithread": True,
        "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.version": (1, 0),
    }
    if token:
        env["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    if method == "POST":
        env["CONTENT_TYPE"] = "application/json"
        env["CONTENT_LENGTH"] = str(len(data))
    return env


def call(app, method: str, path: str, token=None, body=None) -> int:
    status = []
    chunks = app(environ(method, path, token, body), lambda s, h, exc_info=None: status.append(s))
    b"".join(chunks)
    if hasattr(chunks, "close"):
        chunks.close()
    return int(status[0].split()[0])


def profile(args) -> None:
    os.environ.update(rt.mode_env("scaled", rt.SCRATCH / "profile", "focushub.settings"))
    sys.path.insert(0, str(ROOT))
    from django.db import connection

    import wsgi
    from focushub import redis_pool

    app = wsgi.application
    users = json.loads(Path(args.users_file).read_text())["users"]
    idle = users[: len(users) // 2]
    statements: list[str] = []

    def count_sql(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    redis_commands: list[str] = []
    client_class = type(redis_pool.redis_client())
    original = client_class.execute_command

    def count_redis(self, *command, **options):
        redis_commands.append(str(command[0]))
        return original(self, *command, **options)

    client_class.execute_command = count_redis
    base = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=20)
    manual_step = iter(range(10**6))

    def manual(user):
        k = next(manual_step)
        start = base - timedelta(minutes=7 * (k // len(idle)))
        return ("POST", "/time-entries", user["token"],
                {"project": user["project"], "start_time": start.isoformat(),
                 "end_time": (start + timedelta(minutes=10)).isoformat()})

    paths = {
        "GET /healthz": lambda user: ("GET", "/healthz", None, None),
        "POST /time-entries/start": lambda user: ("POST", "/time-entries/start", user["token"],
                                                  {"project": user["project"]}),
        "POST /time-entries/stop": lambda user: ("POST", "/time-entries/stop", user["token"], None),
        "POST /time-entries (manual)": manual,
        "GET /leaderboard": lambda user: ("GET", rt.BOARD, None, None),
        "GET /leaderboard + me": lambda user: ("GET", rt.BOARD, user["token"], None),
    }
    order = ["GET /healthz", "POST /time-entries/start", "POST /time-entries/stop", "POST /time-entries (manual)",
             "GET /leaderboard", "GET /leaderboard + me"]
    # start and stop alternate per user; each is timed on its own calls.
    report = []
    for name in order:
        make = paths[name]
        for i in range(20):  # warm-up: imports, caches, pool
            user = idle[i % len(idle)]
            if name == "POST /time-entries/stop":
                call(app, *paths["POST /time-entries/start"](user))
            assert call(app, *make(user)) < 300, name
            if name == "POST /time-entries/start":
                call(app, *paths["POST /time-entries/stop"](user))
        profiler = cProfile.Profile(time.process_time)  # CPU: waits on PostgreSQL left out
        wall = cpu = 0.0
        sql: Counter = Counter()
        redis: Counter = Counter()
        for i in range(args.calls):
            user = idle[i % len(idle)]
            if name == "POST /time-entries/stop":
                call(app, *paths["POST /time-entries/start"](user))
            statements.clear()
            redis_commands.clear()
            with connection.execute_wrapper(count_sql):
                t0, c0 = time.perf_counter(), time.process_time()
                profiler.enable()
                status = call(app, *make(user))
                profiler.disable()
                wall += time.perf_counter() - t0
                cpu += time.process_time() - c0
            assert status < 300, (name, status)
            sql.update(re.sub(r'"s\d+_x\d+"', '"…"', text) for text in statements)
            redis.update(redis_commands)
            if name == "POST /time-entries/start":
                call(app, *paths["POST /time-entries/stop"](user))
        stats = pstats.Stats(profiler)
        if args.dump:
            Path(args.dump).mkdir(parents=True, exist_ok=True)
            stats.dump_stats(Path(args.dump) / f"{name.replace(' ', '_').replace('/', '')}.pstats")
        report.append(summary(name, args.calls, wall, cpu, sql, redis, stats))
    print("\n\n".join(report))


def summary(name, calls, wall, cpu, sql, redis, stats) -> str:
    total = stats.total_tt
    cumulative = {}
    for (file, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
        for label, suffix, function in CATEGORIES:
            if file.endswith(suffix) and (function is None or func == function):
                cumulative[label] = max(cumulative.get(label, 0.0), ct)
    packages: Counter = Counter()
    for (file, _line, _func), (_cc, _nc, tt, _ct, _callers) in stats.stats.items():
        packages[package(file)] += tt
    lines = [f"## {name}: {wall / calls * 1000:.2f} ms wall, {cpu / calls * 1000:.2f} ms CPU per request "
             f"(profiled; {calls} calls)",
             f"SQL statements per request: {sum(sql.values()) / calls:.1f}; Redis commands: "
             f"{sum(redis.values()) / calls:.1f} ({', '.join(f'{k} {v / calls:.1f}' for k, v in redis.most_common())})"]
    for text, count in sql.most_common():
        lines.append(f"  {count / calls:4.1f} x {' '.join(text.split())[:150]}")
    lines.append("Inclusive time of (overlapping) parts, share of the request:")
    for label, seconds in sorted(cumulative.items(), key=lambda kv: -kv[1]):
        lines.append(f"  {seconds / total * 100:5.1f}%  {label}")
    lines.append("Own time by package:")
    for pkg, seconds in packages.most_common(12):
        lines.append(f"  {seconds / total * 100:5.1f}%  {pkg}")
    out = io.StringIO()
    stats.stream = out
    stats.sort_stats("cumulative").print_stats(25)
    lines.append("Top cumulative:\n" + "\n".join(out.getvalue().splitlines()[6:40]))
    return "\n".join(lines)


def package(file: str) -> str:
    if "site-packages/" in file:
        return file.split("site-packages/", 1)[1].split("/", 1)[0]
    if str(ROOT) in file:
        rest = file.split(str(ROOT) + "/", 1)[1]
        return "/".join(rest.split("/")[:2]) if rest.startswith("focushub") else rest.split("/", 1)[0]
    if file.startswith("~") or file.startswith("<"):
        return "builtins (C)"
    return "stdlib"


# Sampled stacks (py-spy) are split by the innermost frame that names a part: what a
# sample was doing on behalf of. Order does not matter; the frame nearest the leaf wins.
PARTS = [
    ("auth: JWT decode + user load", "api/authentication.py", "authenticate"),
    ("badge check queued (django-q2)", "focushub/badges/triggers.py", None),
    ("event record + doorbell", "focushub/timeline/services.py", "event_record"),
    ("event record + doorbell", "focushub/announce.py", None),
    ("event record + doorbell", "realtime/doorbell.py", None),
    ("service: the transaction", "focushub/tracking/services.py", None),
    ("service: the transaction", "focushub/transactions.py", None),
    ("leaderboard selector", "focushub/leaderboards/selectors.py", None),
    ("DRF serializer (output)", "rest_framework/serializers.py", "data"),
    ("DRF input validation", "rest_framework/serializers.py", "is_valid"),
    ("JSON render", "rest_framework/renderers.py", None),
    ("DRF view machinery", "rest_framework/views.py", None),
    ("Django handler + middleware", "django/core/handlers/", None),
    ("gunicorn: sockets, HTTP parsing", "gunicorn/", None),
]


def part_of(stack: list[str]) -> str:
    for frame in reversed(stack):  # leaf last in py-spy's raw format
        func, _, where = frame.partition(" (")
        for label, path, function in PARTS:
            if path in where and (function is None or func.rsplit(".", 1)[-1] == function):
                return label
    return "other"


def py_spy(args) -> None:
    """The same paths through a real gunicorn sync worker (`gunicorn -w 1`, pinned to
    core 1) driven by wrk (one connection, core 0), sampled by py-spy for --seconds each."""
    import rest_layouts as rl

    users = json.loads(Path(args.users_file).read_text())["users"]
    folder = rt.SCRATCH / "profile"
    env = rt.mode_env("scaled", folder, "focushub.settings")
    layout = rl.Layout("gunicorn-sync", env, folder)
    try:
        worker = next(pid for pid in rl.tree(layout.server.pid) if pid != layout.server.pid)
        for scenario in rl.SCENARIOS:
            script = rl.write_lua(folder, scenario, users, 1)
            rl.stop_all_timers(layout.port, users)
            rl.wrk(layout.port, script, 1, 2, True)  # warm-up
            rl.stop_all_timers(layout.port, users)
            out = folder / f"spy-{scenario.replace(' ', '-')}.txt"
            spy = subprocess.Popen([args.py_spy, "record", "--format", "raw", "--rate", "250", "--nonblocking",
                                    "--duration", str(int(args.seconds)), "--pid", str(worker), "--output", str(out)],
                                   stdout=subprocess.DEVNULL, stderr=open(folder / "py-spy.log", "ab"))  # noqa: SIM115
            result = rl.wrk(layout.port, script, 1, args.seconds, True)
            spy.wait()
            samples: Counter = Counter()
            for line in out.read_text().splitlines():
                stack, _, count = line.rpartition(" ")
                samples[part_of(stack.split(";"))] += int(count)
            total = sum(samples.values())
            rate = result["requests"] / (result["us"] / 1e6)
            print(f"## {scenario} under gunicorn -w 1 (py-spy, {args.seconds:g} s, {rate:,.0f} req/s at C = 1, "
                  f"{total / args.seconds / 250 * 1000 / rate:.2f} ms of sampled CPU per request)")
            for label, count in samples.most_common():
                print(f"  {count / total * 100:5.1f}%  {label}")
            rl.stop_all_timers(layout.port, users)
    finally:
        layout.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--dump", default=None, help="write one .pstats per path into this folder")
    parser.add_argument("--reuse", action="store_true", help="keep the database and users of the last run")
    parser.add_argument("--users-file", default=str(rt.SCRATCH / "profile" / "users.json"), help=argparse.SUPPRESS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--py-spy", default=None, metavar="PATH",
                        help="also sample a gunicorn sync worker under wrk with this py-spy binary")
    parser.add_argument("--seconds", type=int, default=10, help="py-spy: seconds sampled per path")
    args = parser.parse_args()
    if args.child:
        profile(args)
        return
    folder = rt.SCRATCH / "profile"
    folder.mkdir(parents=True, exist_ok=True)
    if not args.reuse:
        rt.reset_scaled()
        env = rt.mode_env("scaled", folder, "focushub.settings")
        subprocess.run([rt.PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        out = subprocess.run([rt.PY, str(ROOT / "bench" / "rest_throughput.py"), "--seed", "60", "--entries", "3"],
                             cwd=ROOT, env=env, check=True, capture_output=True, text=True)
        Path(args.users_file).write_text(out.stdout.strip().splitlines()[-1])
    try:
        subprocess.run([rt.PY, __file__, "--child", "--calls", str(args.calls), "--users-file", args.users_file]
                       + (["--dump", args.dump] if args.dump else []), cwd=ROOT, check=True)
        if args.py_spy:
            py_spy(args)
    finally:
        import redis

        redis.Redis.from_url(rt.REDIS_URL).flushdb()


if __name__ == "__main__":
    main()
