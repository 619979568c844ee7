"""REST throughput per server layout (bench/README.md, "REST per core: the layouts"),
beside the gunicorn baseline of issue 12 measured in the same run.

    .venv/bin/python bench/rest_layouts.py                  # 5 layouts x 4 scenarios, 2 rounds: ~9 min
    .venv/bin/python bench/rest_layouts.py --rounds 1 --duration 4 --layouts gunicorn-sync,http-1

The scaled mode only (PostgreSQL + Redis), on the state bench/rest_throughput.py builds
(its database `bench_rest` under its role, Redis db 8, seeded by its `--seed`: one
seeding logic for both). Layouts, each started fresh in each round:

  gunicorn-sync  `gunicorn -w 1 wsgi:application` (one sync worker), pinned to core 1:
                 the baseline of issue 12
  daphne-1       one daphne (`daphne asgi:application`, the old layout), pinned to core 1
  http-1         serve.py, HTTP_WORKERS=1 WEB_PROCESSES=0, pinned to core 1 (taskset on
                 the serve.py process tree: its children inherit the affinity)
  http-1-before  the same as http-1, served by another checkout (--before CHECKOUT,
                 e.g. `git worktree add /tmp/before <commit>`): a change measured beside it
  http-2         serve.py, HTTP_WORKERS=2 WEB_PROCESSES=0, both cores
  nginx-http-2   nginx (deploy/nginx/focushub.conf, only its EDIT lines changed, as
                 tests/test_nginx.py does) in front of serve.py, HTTP_WORKERS=2
                 WEB_PROCESSES=1 (the daphne is the config's backup; idle)

The load generator is wrk (C connections, one wrk thread each, so each connection is
one Lua state: one user), keep-alive, closed loop; pinned to core 0 when the server is
pinned to core 1, on both cores otherwise. PostgreSQL and Redis are never pinned.
Scenarios: GET /healthz; POST /time-entries/start then POST /time-entries/stop by the
same user (each POST a request); POST /time-entries (a manual entry: 10-minute entries
7 minutes apart going back from now, within the last 7 days). For both writes each
connection takes 12 users in turn (two sets of 96 users), so no day fills up;
GET /leaderboard?metric=time&period=week&limit=20 anonymous, and the same with a token
(`leaderboard + me`: the 12 users of each connection in turn, some on the page, some
below it). Every cell: a warm-up wrk
run, then the measured one. Before and after the start/stop cell every user's timer is
stopped (so a cell never starts with a timer running). CPU: cores used by the server's
process tree and by wrk during the measured run. PG sessions: peak open on the database.
The same /healthz is driven once by ab and by the Python generator of
bench/rest_throughput.py against the baseline, to show wrk is not the limit.
"""

import argparse
import json
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import contextlib

import rest_throughput as rt

ROOT = rt.ROOT
PY = rt.PY
sys.path.insert(0, str(ROOT))
from tests.support import nginx  # noqa: E402 - the nginx the suite tests, run the same way

LAYOUTS = ["gunicorn-sync", "daphne-1", "http-1", "http-2", "nginx-http-2"]
SCENARIOS = ["healthz", "start+stop", "manual entry", "leaderboard", "leaderboard + me"]
PINNED = {"gunicorn-sync", "daphne-1", "http-1", "http-1-before"}
SERVER_CORE, LOADER_CORE = "1", "0"
# Users per connection for the writes, in turn: a user's day stays a few dozen entries
# however long the run (the credit refresh reads the day's entries, so a day of
# thousands would slow the later rows).
ROTATE = 12


def start_nginx(folder: Path, *, web_port: int, http_port: int, out, connections: int = 4096):
    """deploy/nginx/focushub.conf with only its EDIT lines changed, run as tests/test_nginx.py
    runs it (tests/support/nginx.py), in front of one serve.py: its PORT (web_port) and
    HTTP_PORT. Returns the process and the port it listens on once it answers."""
    port = rt.free_port()
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    text = nginx.site(web_ports=[web_port], http_ports=[http_port], listen=f"127.0.0.1:{port} backlog=4096")
    command = nginx.write_config(folder, text, workers="auto", connections=connections,
                                 error_log=str(folder / "error.log"))
    proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while True:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return proc, port
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"nginx did not start; see {folder / 'error.log'}")
        time.sleep(0.1)


def say(message: str) -> None:
    rt.say(message)


# -- processes ---------------------------------------------------------------------------


def tree(pid: int) -> list[int]:
    """pid and its descendants (serve.py's gunicorn master and workers, daphne)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo += children.get(current, [])
    return out


def tree_cpu(pid: int) -> float:
    total = 0.0
    for member in tree(pid):
        with contextlib.suppress(OSError, IndexError):
            total += rt.cpu_seconds(member)
    return total


def wait_answering(port: int, proc: subprocess.Popen, log: Path) -> None:
    import requests

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}; see {log}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server did not answer; see {log}")


class Layout:
    """One layout's processes; `port` is where the load goes."""

    def __init__(self, name: str, env: dict[str, str], folder: Path, before: Path | None = None):
        self.name = name
        self.procs: list[subprocess.Popen] = []
        self.log = folder / f"{name}.log"
        pin = ["taskset", "-c", SERVER_CORE] if name in PINNED else []
        out = open(self.log, "ab")  # noqa: SIM115 - handed to the children, closed in stop()
        self.out = out
        port = rt.free_port()
        if name == "gunicorn-sync":
            args = [PY, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
                    "--no-control-socket", "wsgi:application"]
            server_env = env
        elif name == "daphne-1":
            args = [PY, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "asgi:application"]
            server_env = env
        else:
            workers = "1" if name.startswith("http-1") else "2"
            web = "1" if name.startswith("nginx") else "0"
            self.web_port = rt.free_port()
            args = [PY, "serve.py"]
            server_env = dict(env, PORT=str(self.web_port), HTTP_PORT=str(port), HTTP_WORKERS=workers,
                              WEB_PROCESSES=web, WORKER_CLUSTERS="0")
        # http-1-before: the same layout served by another checkout (--before), same venv.
        code = before if name == "http-1-before" else ROOT
        self.server = subprocess.Popen(pin + args, cwd=code, env=server_env, stdout=out, stderr=subprocess.STDOUT)
        self.procs.append(self.server)
        wait_answering(port, self.server, self.log)
        self.port = port
        if name.startswith("nginx"):
            self.port = self._nginx(folder, http_port=port)

    def _nginx(self, folder: Path, http_port: int) -> int:
        proc, port = start_nginx(folder / "nginx", web_port=self.web_port, http_port=http_port, out=self.out)
        self.procs.append(proc)
        return port

    def cpu(self) -> float:
        return sum(tree_cpu(proc.pid) for proc in self.procs)

    def stop(self) -> None:
        for proc in reversed(self.procs):
            proc.send_signal(signal.SIGTERM if proc is self.server else signal.SIGQUIT)
            try:
                proc.wait(40)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.out.close()


# -- wrk ---------------------------------------------------------------------------------

LUA_COMMON = """
local users = %(users)s
local counter = 0
local threads = {}
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  step = 0
end
function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    local seen = thread:get("first_bad")
    if seen then io.write("BAD " .. seen .. "\\n") end
  end
  local e = summary.errors
  io.write(string.format('WRK {"requests": %%d, "us": %%d, "p50": %%d, "p99": %%d, "status": %%d, "socket": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""

LUA_REQUEST = {
    "healthz": """
function request()
  return wrk.format("GET", "/healthz", {["Accept"] = "application/json"})
end
""",
    "leaderboard": """
function request()
  return wrk.format("GET", "%(board)s", {["Accept"] = "application/json"})
end
""",
    "leaderboard + me": """
function request()
  step = step + 1
  local me = users[id * %(rotate)d + (step %% %(rotate)d) + 1]
  return wrk.format("GET", "%(board)s", {["Accept"] = "application/json", ["Authorization"] = "Bearer " .. me.token})
end
""",
    "start+stop": """
function response(status, headers, body)
  if status >= 300 and not first_bad then first_bad = status .. " " .. string.sub(body, 1, 200) end
end
function request()
  step = step + 1
  local k = math.floor((step - 1) / 2)
  local me = users[id * %(rotate)d + (k %% %(rotate)d) + 1]
  local headers = {["Authorization"] = "Bearer " .. me.token, ["Content-Type"] = "application/json",
                   ["Accept"] = "application/json"}
  if step %% 2 == 1 then
    return wrk.format("POST", "/time-entries/start", headers, '{"project": ' .. me.project .. '}')
  end
  return wrk.format("POST", "/time-entries/stop", headers, "")
end
""",
    "manual entry": """
function response(status, headers, body)
  if status >= 300 and not first_bad then first_bad = status .. " " .. string.sub(body, 1, 200) end
end
local base = %(base)d
function request()
  step = step + 1
  local me = users[id * %(rotate)d + (step %% %(rotate)d) + 1]
  local k = math.floor(step / %(rotate)d) %% 1400
  local start = base - k * 420 - 600
  local body = string.format('{"project": %%d, "start_time": "%%s", "end_time": "%%s"}', me.project,
    os.date("!%%Y-%%m-%%dT%%H:%%M:%%SZ", start), os.date("!%%Y-%%m-%%dT%%H:%%M:%%SZ", start + 600))
  return wrk.format("POST", "/time-entries", {["Authorization"] = "Bearer " .. me.token,
    ["Content-Type"] = "application/json", ["Accept"] = "application/json"}, body)
end
""",
}


def lua_table(users: list[dict]) -> str:
    return "{" + ", ".join(f'{{token = "{u["token"]}", project = {u["project"]}}}' for u in users) + "}"


def write_lua(folder: Path, scenario: str, users: list[dict], concurrency: int) -> Path:
    idle = users[: len(users) // 2]
    share = concurrency * ROTATE
    if scenario in ("start+stop", "leaderboard + me"):
        chosen = idle[:share]
    elif scenario == "manual entry":
        chosen = idle[share: 2 * share]
    else:
        chosen = []  # anonymous
    assert scenario not in ("start+stop", "manual entry") or len(chosen) == share, "seed more users (--users)"
    # The entries end at least 10 minutes ago and go back 1,400 x 7 min (< 7 days): all
    # still count on this week's or last week's boards, as a real manual entry would.
    values = {"users": lua_table(chosen), "board": rt.BOARD, "rotate": ROTATE,
              "base": int(time.time()) - 600}
    path = folder / f"{scenario.replace(' ', '-').replace('+', '-')}.lua"
    path.write_text(LUA_COMMON % values + LUA_REQUEST[scenario] % values)
    return path


def wrk(port: int, script: Path, concurrency: int, seconds: float, pinned: bool) -> dict:
    pin = ["taskset", "-c", LOADER_CORE] if pinned else []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([*pin, "wrk", "-t", str(concurrency), "-c", str(concurrency), "-d", f"{seconds:g}s",
                          "--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{port}"],
                         capture_output=True, text=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next(line for line in out.stdout.splitlines() if line.startswith("WRK "))
    result = json.loads(line[4:])
    result["first_bad"] = [line[4:] for line in out.stdout.splitlines() if line.startswith("BAD ")]
    result["loader_cpu"] = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return result


def stop_all_timers(port: int, users: list[dict]) -> None:
    """Stop every seeded idle user's timer (a 409 when none runs is fine), once the
    requests wrk left in flight have been answered."""
    import requests

    time.sleep(1)

    with requests.Session() as session:
        for user in users[: len(users) // 2]:
            session.post(f"http://127.0.0.1:{port}/time-entries/stop", timeout=30,
                         headers={"Authorization": f"Bearer {user['token']}"})


def cell(layout: Layout, scenario: str, users: list[dict], args, folder: Path) -> dict:
    script = write_lua(folder, scenario, users, args.concurrency)
    pinned = layout.name in PINNED
    if scenario == "start+stop":
        stop_all_timers(layout.port, users)
    wrk(layout.port, script, args.concurrency, args.warmup, pinned)
    if scenario == "start+stop":
        stop_all_timers(layout.port, users)
    sessions = rt.Sessions()
    cpu0, wall0 = layout.cpu(), time.monotonic()
    result = wrk(layout.port, script, args.concurrency, args.duration, pinned)
    cpu1, wall1 = layout.cpu(), time.monotonic()
    result["sessions"] = sessions.stop(wall1 - wall0).split(" ·")[0]
    result["server_cpu"] = (cpu1 - cpu0) / (wall1 - wall0)
    result["loader_cpu"] /= wall1 - wall0
    result["rps"] = result["requests"] / (result["us"] / 1e6)
    if scenario == "start+stop":
        stop_all_timers(layout.port, users)
    return result


# -- the generator check -----------------------------------------------------------------


def generator_check(layout: Layout, args) -> list[str]:
    """The same /healthz on the baseline through wrk, ab and the Python generator."""
    lines = []
    script = write_lua(Path(tempfile.gettempdir()), "healthz", [], args.concurrency)
    result = wrk(layout.port, script, args.concurrency, args.duration, True)
    lines.append(f"wrk: {result['requests'] / (result['us'] / 1e6):,.0f} req/s")
    n = max(1000, int(result["requests"]))
    ab = subprocess.run(["taskset", "-c", LOADER_CORE, "ab", "-k", "-c", str(args.concurrency), "-n", str(n),
                         f"http://127.0.0.1:{layout.port}/healthz"], capture_output=True, text=True, check=True)
    rps = next(line.split(":")[1].split()[0] for line in ab.stdout.splitlines() if line.startswith("Requests per"))
    lines.append(f"ab -k: {float(rps):,.0f} req/s")
    health = rt.build(layout.port, "GET", "/healthz", None, None)
    server = type("S", (), {"port": layout.port, "postgres": False,
                            "proc": type("P", (), {"pid": layout.server.pid})()})()
    py = rt.cell(server, [[("healthz", health)] for _ in range(args.concurrency)], args.warmup, args.duration)
    count = sum(len(v) for v in py["samples"].values())
    lines.append(f"Python generator (bench/rest_throughput.py, unpinned): {count / args.duration:,.0f} req/s "
                 f"at {py['loader_cpu']:.0f}% of a core")
    return lines


# -- the run -----------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--layouts", default=",".join(LAYOUTS))
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--rounds", type=int, default=2, help="each layout measured this many times (rotated)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--users", type=int, default=400)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--before", type=Path, default=None, metavar="CHECKOUT",
                        help="also run http-1 from this checkout (`git worktree add`), as layout http-1-before")
    args = parser.parse_args()
    layouts, scenarios = args.layouts.split(","), args.scenarios.split(",")
    if args.before and "http-1-before" not in layouts:
        layouts.insert(layouts.index("http-1") + 1 if "http-1" in layouts else len(layouts), "http-1-before")
    if why := rt.scaled_available():
        sys.exit(f"PostgreSQL/Redis unreachable: {why}")
    folder = rt.SCRATCH / "layouts"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    started = time.monotonic()
    rt.reset_scaled()
    env = rt.mode_env("scaled", folder, "focushub.settings")
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    out = subprocess.run([PY, str(ROOT / "bench" / "rest_throughput.py"), "--seed", str(args.users),
                          "--entries", "3"], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    users = json.loads(out.stdout.strip().splitlines()[-1])["users"]
    say(f"migrated and seeded {args.users} users in {time.monotonic() - started:.0f}s")
    results: dict[tuple[str, str], list[dict]] = {}
    check: list[str] = []
    try:
        for round_ in range(args.rounds):
            order = layouts[round_ % len(layouts):] + layouts[: round_ % len(layouts)]
            for name in order:
                layout = Layout(name, env, folder, args.before)
                try:
                    if name == "gunicorn-sync" and not check:
                        check = generator_check(layout, args)
                        say("generator check on the baseline's /healthz: " + "; ".join(check))
                    for scenario in scenarios:
                        result = cell(layout, scenario, users, args, folder)
                        results.setdefault((name, scenario), []).append(result)
                        say(f"round {round_ + 1} {name} {scenario}: {result['rps']:,.0f} req/s, "
                            f"p50 {result['p50'] / 1000:.1f} ms, p99 {result['p99'] / 1000:.1f} ms, "
                            f"non-2xx {result['status']}, socket errors {result['socket']}, "
                            f"CPU server {result['server_cpu']:.2f} / wrk {result['loader_cpu']:.2f}, "
                            f"PG peak {result['sessions']}"
                            + (f"; first non-2xx: {result['first_bad']}" if result["first_bad"] else ""))
                finally:
                    layout.stop()
    finally:
        import redis

        redis.Redis.from_url(rt.REDIS_URL).flushdb()
    write(results, layouts, scenarios, check, args, started)


def write(results, layouts, scenarios, check, args, started) -> None:
    baseline = statistics.median(r["rps"] for r in results.get(("gunicorn-sync", "healthz"), [{"rps": float("nan")}]))
    cores = {"gunicorn-sync": 1, "daphne-1": 1, "http-1": 1, "http-1-before": 1, "http-2": 2, "nginx-http-2": 2}
    header = ["layout", "scenario", "req/s (median)", "runs", "per core vs baseline", "p50 / p99 ms",
              "non-2xx", "CPU cores server / wrk", "PG sessions peak"]
    rows = []
    for name in layouts:
        for scenario in scenarios:
            runs = results.get((name, scenario), [])
            if not runs:
                continue
            rps = statistics.median(r["rps"] for r in runs)
            per_core = rps / cores[name] / baseline * 100
            rows.append([name, scenario, f"{rps:,.0f}", " / ".join(f"{r['rps']:,.0f}" for r in runs),
                         f"{per_core:.0f}%", " · ".join(f"{r['p50'] / 1000:.1f} / {r['p99'] / 1000:.1f}" for r in runs),
                         str(sum(r["status"] + r["socket"] for r in runs)),
                         " · ".join(f"{r['server_cpu']:.2f} / {r['loader_cpu']:.2f}" for r in runs),
                         "/".join(sorted({r["sessions"] for r in runs}))])
    table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + ["| " + " | ".join(r) + " |" for r in rows]
    now = datetime.now(UTC)
    text = "\n".join([
        f"# REST throughput per layout, {now:%Y-%m-%d}", "", *rt.machine(["scaled"])[:2],
        f"- {now:%Y-%m-%d %H:%M} UTC; the servers, nginx, PostgreSQL, Redis and wrk all share these cores", "",
        f"C = {args.concurrency} (wrk, one thread per connection), {args.warmup:g} s warm-up then "
        f"{args.duration:g} s measured per cell, {args.rounds} rounds; baseline = gunicorn-sync /healthz "
        f"median {baseline:,.0f} req/s. Pinned layouts: server on core {SERVER_CORE}, wrk on core {LOADER_CORE}.",
        "", "Generator check (baseline /healthz): " + "; ".join(check), "", *table, "",
    ])
    rt.write_report(args.out or ROOT / "bench" / "results" / f"rest-layouts-{now:%Y-%m-%d-%H%M}.md", text, started)


if __name__ == "__main__":
    main()
