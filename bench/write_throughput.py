"""Event-write throughput with W concurrent writers on PostgreSQL: the lock-free event log
beside the global lock it replaced and a baseline with no ordering at all, same run.

Run by hand, never in CI (see bench/README.md, "Event-write throughput"):

    .venv/bin/python bench/write_throughput.py                      # W = 1, 8, 32; 10 s each; ~2 min
    .venv/bin/python bench/write_throughput.py --writers 8 --seconds 3
    .venv/bin/python bench/write_throughput.py --rounds 3 --seconds 5 \
        --modes lock-free,global-lock,baseline,baseline-lock           # pooled rounds; ~4.5 min

It drops and creates the database `bench_writes` (and touches no other), migrates it
with `manage.py migrate`, creates one user and one project per writer (ORM user with an
unusable password, project through project_create) and then, for each W and mode, forks
W writer processes from the set-up parent (each opens its own connection). Every writer
loops start, stop, manual create, each call one transaction writing one timeline event;
after a warm-up it measures for --seconds, then finishes its cycle uncounted (so no timer
is left running). commits/s = calls completed without error in the measured seconds,
over all writers; p50/p99 = latency of those calls.

Modes:
  lock-free          focushub.tracking.services.time_entry_start / time_entry_stop /
                     time_entry_create as they are: event_record inserts without a lock,
                     the reader (focushub.timeline.log.LogCursor) orders.
  global lock (old)  the same services with event_record wrapped, in the writer processes
                     only, to run `SELECT pg_advisory_xact_lock(0x466F637573)` before its
                     INSERT: the design the lock-free log removed.
  baseline           the same writes without services or any lock: raw psycopg
                     transactions (ClientCursor, like Django's) that INSERT the entry /
                     UPDATE it to stop / INSERT a finished entry, and INSERT the
                     timeline_event row with the same columns. It skips what the services
                     also do (user row lock, project KEY SHARE, rollups, board scores, the
                     badge-check queue row after commit, the ORM), so it is a floor for the
                     writes, not only for the ordering.
  baseline + global lock  (only with --modes ...,baseline-lock) the baseline transactions
                     with the old advisory lock before the event INSERT: the lock's cost on
                     a path where it is most of the transaction.

Afterwards it counts errors per cell (exceptions, @service deadlock/serialization retries,
deadlocks from pg_stat_database), reads the whole log through LogCursor(0).read(limit)
and checks it returns every committed event exactly once in id order, and (live check)
reads the log with LogCursor.at_latest() WHILE lock-free writers run and checks the same.
No REDIS_URL: board scores are SQL rows and the django-q2 broker is the ORM, so every
write lands in PostgreSQL. DB_CONN_MAX_AGE defaults to 3600 here (one connection per
writer): at 0, the ORM broker's close_old_connections() in each after-commit enqueue closes
the connection after every call and the next one reconnects. Results go to
bench/results/writes-<date>.md (git-ignored) and stdout.
"""

import argparse
import itertools
import logging
import os
import platform
import subprocess
import sys
import time
import traceback
from collections import Counter
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_NAME = "bench_writes"
DSN = f"postgres://postgres@127.0.0.1:5432/{PG_NAME}"
os.environ["DATABASE_URL"] = DSN  # never any other database
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "focushub.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-never-used-elsewhere-000")
os.environ.setdefault("LOG_LEVEL", "WARNING")
# One connection per writer for the whole cell. With the default 0, django-q2's ORM broker
# (close_old_connections() in every enqueue, i.e. in each service's after-commit badge queue)
# closes the connection after every call and the next call reconnects: measured ~14 ms a call here.
os.environ.setdefault("DB_CONN_MAX_AGE", "3600")

import multiprocessing as mp  # noqa: E402

import psycopg  # noqa: E402
from psycopg.types.json import Jsonb  # noqa: E402

OLD_LOCK = 0x466F637573  # the key the removed event_record lock used ("Focus")
MODES = {"lock-free": "lock-free", "global-lock": "global lock (old)", "baseline": "baseline"}
# Not run by default: the baseline transactions with the old lock before the event INSERT,
# the cost of the lock alone on a path with little else in the transaction.
EXTRA_MODES = {"baseline-lock": "baseline + global lock"}
LABELS = {**MODES, **EXTRA_MODES}
CYCLE = ("start", "stop", "create")
ENTRY_SQL = (
    "INSERT INTO tracking_timeentry (user_id, project_id, start_time, end_time, duration, description, "
    "source, placed_at, created_at, updated_at) VALUES (%s, %s, %s, %s, %s, '', %s, %s, %s, %s) RETURNING id"
)
STOP_SQL = "UPDATE tracking_timeentry SET end_time = %s, duration = %s, updated_at = %s WHERE id = %s"
EVENT_SQL = (
    "INSERT INTO timeline_event (actor_id, kind, project_id, payload, audience, created_at) "
    "VALUES (%s, %s, %s, %s, %s, %s) RETURNING id"
)


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(q * len(ordered) + 0.5) - 1))] if ordered else float("nan")


def pg_stats() -> dict[str, int]:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        row = conn.execute(
            "SELECT deadlocks, xact_commit, xact_rollback, sessions FROM pg_stat_database WHERE datname = %s",
            [PG_NAME],
        ).fetchone()
    return {"deadlocks": row[0], "commits": row[1], "rollbacks": row[2], "sessions": row[3]}


# -- the writers: forked from the set-up parent, one connection each ----------------------


class WarningCounter(logging.Handler):
    """Counts WARNING+ records in a writer (the @service retry logs one per deadlock)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.messages[f"{record.name}: {record.getMessage().splitlines()[0][:160]}"] += 1


class ServiceOps:
    """The real domain services (modes lock-free and global lock)."""

    def __init__(self, user_id: int, project_id: int, old_lock: bool):
        from django.db import connection

        from focushub.accounts.models import User

        self.user = User.objects.get(pk=user_id)
        self.project_id = project_id
        self.locks_taken = 0
        self.k = 0
        if old_lock:
            self._install_old_lock(connection)

    def _install_old_lock(self, connection) -> None:
        import focushub.timeline.services as timeline_services
        import focushub.tracking.services as tracking_services

        original = timeline_services.event_record

        def event_record_with_global_lock(**kwargs):
            # What event_record did before the lock-free log: a transaction-scoped
            # advisory lock right before the INSERT, held until COMMIT.
            if not connection.in_atomic_block:
                raise RuntimeError("event_record must run inside the transaction of the change")
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [OLD_LOCK])
            self.locks_taken += 1
            return original(**kwargs)

        # The services import event_record by name: patch it where they look it up.
        timeline_services.event_record = event_record_with_global_lock
        tracking_services.event_record = event_record_with_global_lock

    def call(self, op: str) -> None:
        from django.utils import timezone

        from focushub.tracking.services import time_entry_create, time_entry_start, time_entry_stop

        if op == "start":
            time_entry_start(user=self.user, project_id=self.project_id)
        elif op == "stop":
            time_entry_stop(user=self.user)
        else:
            self.k += 1
            end = timezone.now() - timedelta(seconds=120 + 37 * self.k % 3600)
            time_entry_create(user=self.user, project_id=self.project_id, start_time=end - timedelta(minutes=20),
                              end_time=end)

    def close(self) -> None:
        from django.db import connections

        connections.close_all()


class RawOps:
    """The baseline: the same entry and event rows, raw transactions, nothing else."""

    def __init__(self, user_id: int, project_id: int, audience: str, old_lock: bool = False):
        self.old_lock = old_lock
        self.conn = psycopg.connect(DSN, autocommit=True, cursor_factory=psycopg.ClientCursor)
        self.user_id, self.project_id, self.audience = user_id, project_id, audience
        self.running: tuple[int, datetime, datetime] | None = None
        self.locks_taken = 0
        self.k = 0

    @staticmethod
    def _iso(value: datetime | None) -> str | None:
        return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def _data(self, entry_id: int, start: datetime, end: datetime | None, created: datetime, updated: datetime):
        duration = None if end is None else int((end - start).total_seconds())
        # The same payload the services write: the entry with its project's brief.
        visibility = "public" if self.audience == "public" else "private"
        brief = {"id": self.project_id, "name": "bench", "color": "#4f46e5", "visibility": visibility}
        return {"id": entry_id, "project": brief, "description": "", "start_time": self._iso(start),
                "end_time": self._iso(end), "duration": duration, "source": "timer",
                "created_at": self._iso(created), "updated_at": self._iso(updated)}

    def _event(self, kind: str, payload: dict, at: datetime) -> None:
        if self.old_lock:
            self.conn.execute("SELECT pg_advisory_xact_lock(%s)", [OLD_LOCK])
            self.locks_taken += 1
        self.conn.execute(EVENT_SQL, [self.user_id, kind, self.project_id, Jsonb(payload), self.audience, at])

    def call(self, op: str) -> None:
        now = datetime.now(UTC)
        second = now.replace(microsecond=0)
        with self.conn.transaction():
            if op == "start":
                (entry_id,) = self.conn.execute(
                    ENTRY_SQL, [self.user_id, self.project_id, second, None, None, "timer", now, now, now]
                ).fetchone()
                self.running = (entry_id, second, now)
                self._event("timer.started", {"entry": self._data(entry_id, second, None, now, now), "stopped": None},
                            now)
            elif op == "stop":
                if self.running is None:
                    raise RuntimeError("no running timer")
                entry_id, start, created = self.running
                end = max(second, start + timedelta(seconds=1))
                self.conn.execute(STOP_SQL, [end, int((end - start).total_seconds()), now, entry_id])
                self._event("timer.stopped", {"entry": self._data(entry_id, start, end, created, now)}, now)
                self.running = None
            else:
                self.k += 1
                end = second - timedelta(seconds=120 + 37 * self.k % 3600)
                start = end - timedelta(minutes=20)
                (entry_id,) = self.conn.execute(
                    ENTRY_SQL, [self.user_id, self.project_id, start, end, 1200, "manual", now, now, now]
                ).fetchone()
                self._event("entry.created", {"entry": self._data(entry_id, start, end, now, now)}, now)

    def close(self) -> None:
        self.conn.close()


def writer(mode: str, slot: int, person: dict, go, start_at, warmup: float, seconds: float, out) -> None:
    try:
        counter = WarningCounter()
        logging.getLogger().addHandler(counter)
        from focushub import transactions

        transactions.retries.clear()
        if mode.startswith("baseline"):
            ops = RawOps(person["user"], person["project"], person["audience"], old_lock=mode == "baseline-lock")
        else:
            ops = ServiceOps(person["user"], person["project"], old_lock=mode == "global-lock")
        out.put(("ready", slot, None))
        go.wait()
        t0 = start_at.value
        t1 = t0 + seconds
        samples: dict[str, list[float]] = {op: [] for op in CYCLE}
        errors: Counter[str] = Counter()
        i = 0
        cpu_at: dict[str, tuple[float, float]] = {}  # "t0"/"t1" -> (wall, this process's CPU seconds)
        while (now := time.monotonic()) < t1 or i % len(CYCLE):
            for mark, at in (("t0", t0), ("t1", t1)):
                if mark not in cpu_at and now >= at:
                    cpu_at[mark] = (now, time.process_time())
            op = CYCLE[i % len(CYCLE)]
            i += 1
            began = time.monotonic()
            try:
                ops.call(op)
            except Exception as exc:  # counted and reported, never hidden
                errors[f"{op}: {type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''}"] += 1
                continue
            done = time.monotonic()
            if t0 <= done <= t1:
                samples[op].append((done - began) * 1000)
        ops.close()
        cpu_at.setdefault("t1", (time.monotonic(), time.process_time()))
        (w0, c0), (w1, c1) = cpu_at.get("t0", cpu_at["t1"]), cpu_at["t1"]
        out.put(("done", slot, {"samples": samples, "errors": dict(errors), "retries": dict(transactions.retries),
                                "warnings": dict(counter.messages), "locks": ops.locks_taken, "calls": i,
                                "cpu": (c1 - c0) * seconds / max(w1 - w0, 1e-9)}))
    except BaseException:
        out.put(("failed", slot, traceback.format_exc()))


def fork_writers(ctx, mode: str, people: list[dict], warmup: float, seconds: float):
    """Fork one writer per person; returns (processes, queue, go event, start time value)."""
    from django.db import connections

    connections.close_all()  # no connection crosses the fork: each writer opens its own
    out, go, start_at = ctx.Queue(), ctx.Event(), ctx.Value("d", 0.0)
    procs = [ctx.Process(target=writer, args=(mode, slot, person, go, start_at, warmup, seconds, out))
             for slot, person in enumerate(people)]
    for proc in procs:
        proc.start()
    ready = 0
    while ready < len(procs):
        kind, slot, payload = out.get(timeout=120)
        if kind == "failed":
            raise RuntimeError(f"writer {slot} failed while starting:\n{payload}")
        ready += 1
    start_at.value = time.monotonic() + warmup
    go.set()
    return procs, out, start_at


def collect(procs, out, warmup: float, seconds: float) -> list[dict]:
    results, failures = [], []
    deadline = time.monotonic() + warmup + seconds + 300
    while len(results) + len(failures) < len(procs):
        kind, _slot, payload = out.get(timeout=max(1.0, deadline - time.monotonic()))
        (failures if kind == "failed" else results).append(payload)
    for proc in procs:
        proc.join(30)
    if failures:
        raise RuntimeError("writer failed:\n" + "\n".join(failures))
    return results


def cpu_times() -> tuple[int, int, int]:
    """(busy, iowait, total) jiffies of the whole machine, from /proc/stat."""
    user, nice, system, idle, iowait, irq, softirq, steal = (
        int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    busy = user + nice + system + irq + softirq + steal
    return busy, iowait, busy + idle + iowait


def backend_pids() -> list[int]:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'",
                            [PG_NAME]).fetchall()
    return [row[0] for row in rows]


def process_cpu(pids: list[int]) -> dict[int, float]:
    """CPU seconds (user + system) of each live process."""
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return out


def run_cell(ctx, mode: str, people: list[dict], warmup: float, seconds: float) -> dict:
    before = pg_stats()
    procs, out, start_at = fork_writers(ctx, mode, people, warmup, seconds)
    pids = backend_pids()  # the writers' backends: all connected before they were let go
    time.sleep(max(0.0, start_at.value - time.monotonic()))
    cpu0, pg0 = cpu_times(), process_cpu(pids)
    time.sleep(max(0.0, start_at.value + seconds - time.monotonic()))
    cpu1, pg1 = cpu_times(), process_cpu(pids)
    results = collect(procs, out, warmup, seconds)
    total = max(1, cpu1[2] - cpu0[2])
    busy = (cpu1[0] - cpu0[0]) / os.sysconf("SC_CLK_TCK") / seconds  # cores busy, whatever runs
    writers_cpu = sum(r["cpu"] for r in results) / seconds
    postgres_cpu = sum(pg1[pid] - pg0[pid] for pid in pg1 if pid in pg0) / seconds
    time.sleep(0.5)  # exited backends have flushed their statistics by now
    after = pg_stats()
    samples = [ms for r in results for values in r["samples"].values() for ms in values]
    errors: Counter[str] = Counter()
    retries: Counter[str] = Counter()
    warnings: Counter[str] = Counter()
    for r in results:
        errors.update(r["errors"])
        retries.update(r["retries"])
        warnings.update(r["warnings"])
    return {
        "mode": mode, "w": len(people), "seconds": seconds, "samples": samples, "rates": [len(samples) / seconds],
        "errors": errors, "retries": retries, "warnings": warnings, "locks": sum(r["locks"] for r in results),
        "all_calls": sum(r["calls"] for r in results), "deadlocks": after["deadlocks"] - before["deadlocks"],
        "rollbacks": after["rollbacks"] - before["rollbacks"], "sessions": after["sessions"] - before["sessions"],
        "cpu": [writers_cpu, postgres_cpu, max(0.0, busy - writers_cpu - postgres_cpu),
                100 * (cpu1[1] - cpu0[1]) / total],
    }


def merge(cell: dict | None, more: dict) -> dict:
    """Add another round of the same (mode, W)."""
    if cell is None:
        return more
    out = dict(cell)
    for key in ("samples", "rates"):
        out[key] = cell[key] + more[key]
    for key in ("errors", "retries", "warnings"):
        out[key] = cell[key] + more[key]
    for key in ("seconds", "locks", "all_calls", "deadlocks", "rollbacks", "sessions"):
        out[key] = cell[key] + more[key]
    rounds = len(cell["rates"])
    out["cpu"] = [(a * rounds + b) / (rounds + 1) for a, b in zip(cell["cpu"], more["cpu"], strict=True)]
    return out


def summary(cell: dict) -> dict:
    samples = cell["samples"]
    return dict(cell, rate=len(samples) / cell["seconds"], p50=pct(samples, .5), p99=pct(samples, .99))


# -- checks of the log -------------------------------------------------------------------


def read_all(cursor, limit: int, timeout: float = 60.0) -> tuple[list[int], list[int], int]:
    """Read until the log is drained and no gap holds the horizon: (ids, late ids, reads waiting)."""
    ids, late, waiting = [], [], 0
    deadline = time.monotonic() + timeout
    while True:
        got = cursor.read(limit)
        ids += [e.pk for e in got.events]
        late += [e.pk for e in got.late]
        waiting += got.waiting
        if not got.events and not got.waiting:
            return ids, late, waiting
        if time.monotonic() > deadline:
            raise RuntimeError(f"the log did not drain in {timeout:.0f} s (horizon {cursor.horizon})")
        if got.waiting and not got.events:
            time.sleep(0.01)


def verdict(ids: list[int], late: list[int], expected: list[int]) -> tuple[bool, str]:
    dupes = len(ids) - len(set(ids))
    in_order = all(a < b for a, b in itertools.pairwise(ids))
    missing = len(set(expected) - set(ids))
    extra = len(set(ids) - set(expected))
    ok = ids == expected and not late
    return ok, (f"{len(ids):,} events returned, {len(expected):,} committed; in id order: {in_order}; "
                f"duplicates: {dupes}; missing: {missing}; unexpected: {extra}; late: {len(late)}")


def check_full_log(limit: int) -> tuple[bool, str]:
    from django.db import connection

    from focushub.timeline.log import LogCursor

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM timeline_event")
        count = cursor.fetchone()[0]
        cursor.execute("SELECT id FROM timeline_event ORDER BY id")
        expected = [row[0] for row in cursor.fetchall()]
    ids, late, _ = read_all(LogCursor(0), limit)
    ok, text = verdict(ids, late, expected)
    ok = ok and len(ids) == count
    return ok, f"LogCursor(0).read({limit}) after the run: {text}; SELECT count(*) = {count:,}"


def check_live(ctx, people: list[dict], seconds: float, limit: int) -> tuple[bool, str]:
    """Lock-free writers for `seconds` while this process follows the log, as a relay does."""
    from django.db import connection

    from focushub.timeline.log import LogCursor

    cursor = LogCursor.at_latest()
    base = cursor.horizon
    procs, out, start_at = fork_writers(ctx, "lock-free", people, 0.0, seconds)
    ids, late, waiting, reads = [], [], 0, 0
    while time.monotonic() < start_at.value + seconds:
        got = cursor.read(limit)
        reads += 1
        ids += [e.pk for e in got.events]
        late += [e.pk for e in got.late]
        waiting += got.waiting
        time.sleep(0.005)
    collect(procs, out, 0.0, seconds)
    more, more_late, more_waiting = read_all(cursor, limit)
    ids, late, waiting = ids + more, late + more_late, waiting + more_waiting
    with connection.cursor() as db:
        db.execute("SELECT id FROM timeline_event WHERE id > %s ORDER BY id", [base])
        expected = [row[0] for row in db.fetchall()]
    ok, text = verdict(ids, late, expected)
    return ok, (f"LogCursor.at_latest() read every ~5 ms while {len(people)} lock-free writers ran {seconds:.0f} s: "
                f"{text}; {reads} reads during the run, {waiting} of them held at a gap")


# -- set-up, machine, report -------------------------------------------------------------


def reset_database() -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_NAME}")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=dict(os.environ), check=True)


def create_people(count: int) -> list[dict]:
    from focushub.accounts.models import User
    from focushub.projects.services import project_create
    from focushub.timeline.services import audience_for

    people = []
    for i in range(count):
        user = User.objects.create_user(email=f"w{i}@bench.invalid", username=f"bench_writer_{i:03d}", password=None)
        project = project_create(owner=user, name=f"Bench writer {i}")
        people.append({"user": user.pk, "project": project.pk, "audience": audience_for(project)})
    return people


def machine() -> list[str]:
    with psycopg.connect(PG_ADMIN) as conn:
        show = {name: conn.execute(f"SHOW {name}").fetchone()[0]
                for name in ("server_version", "fsync", "synchronous_commit", "max_connections")}
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.machine())
    return [
        f"- {platform.system()} {platform.release()}, os.cpu_count() = {os.cpu_count()} ({cpu}); "
        "shared with other jobs",
        f"- PostgreSQL {show['server_version'].split()[0]} (fsync {show['fsync']}, synchronous_commit "
        f"{show['synchronous_commit']}), Python {platform.python_version()}, Django {metadata.version('django')}, "
        f"psycopg {psycopg.__version__}",
        f"- {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; writers and PostgreSQL on the same cores",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", default="1,8,32", help="comma-separated writer counts W (default 1,8,32)")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per cell (default 10)")
    parser.add_argument("--warmup", type=float, default=1.0, help="warm-up seconds per cell (default 1)")
    parser.add_argument("--modes", default=",".join(MODES),
                        help=f"comma-separated: {', '.join(LABELS)} (default: all but the last)")
    parser.add_argument("--live-seconds", type=float, default=3.0,
                        help="seconds of the live log check with 8 writers (0: skip)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run every (W, mode) cell this many times and pool them; each round starts with "
                        "the next mode (default 1)")
    parser.add_argument("--limit", type=int, default=500, help="LogCursor read limit")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    writers = [int(w) for w in args.writers.split(",")]
    modes = args.modes.split(",")
    if unknown := set(modes) - set(LABELS):
        sys.exit(f"unknown modes: {', '.join(sorted(unknown))}")
    started = time.monotonic()
    reset_database()

    import django

    django.setup()
    people = create_people(max([*writers, 8]))
    say(f"{PG_NAME}: dropped, created, migrated; {len(people)} users and projects")
    ctx = mp.get_context("fork")
    pooled: dict[tuple[int, str], dict] = {}
    for round_ in range(1, args.rounds + 1):
        for w in writers:
            shift = (round_ - 1) % len(modes)  # each round starts with another mode: no mode always goes first
            for mode in modes[shift:] + modes[:shift]:
                cell = summary(run_cell(ctx, mode, people[:w], args.warmup, args.seconds))
                pooled[(w, mode)] = merge(pooled.get((w, mode)), cell)
                bad = sum(cell["errors"].values()) + sum(cell["retries"].values()) + cell["deadlocks"]
                say((f"round {round_}: " if args.rounds > 1 else "")
                    + f"W={w} {LABELS[mode]}: {cell['rate']:,.0f} commits/s, p50 {cell['p50']:.1f} ms, "
                    f"p99 {cell['p99']:.1f} ms" + (f"; ERRORS/RETRIES/DEADLOCKS {bad}" if bad else ""))
    cells = [summary(cell) for cell in pooled.values()]
    checks = []
    if "lock-free" in modes:
        checks.append(check_full_log(args.limit))
        if args.live_seconds > 0:
            checks.append(check_live(ctx, people[:8], args.live_seconds, args.limit))
            checks.append(check_full_log(args.limit))
    for ok, text in checks:
        say(("OK " if ok else "FAILED ") + text)

    base = {c["w"]: c["rate"] for c in cells if c["mode"] == "baseline"}
    header = ["mode", "W", "commits/s", "% of baseline", "p50 ms", "p99 ms"]
    if args.rounds > 1:
        header.append("commits/s per round")
    rows = [[LABELS[c["mode"]], str(c["w"]), f"{c['rate']:,.0f}",
             f"{100 * c['rate'] / base[c['w']]:.0f}%" if base.get(c["w"]) else "",
             f"{c['p50']:.1f}", f"{c['p99']:.1f}"] + ([" / ".join(f"{r:,.0f}" for r in c["rates"])]
                                                      if args.rounds > 1 else [])
            for c in cells]
    err_header = ["mode", "W", "calls (all)", "exceptions", "@service retries", "deadlocks (pg_stat)",
                  "rollbacks (pg_stat)", "connections opened", "advisory locks taken",
                  "CPU cores: writers / PG backends / rest", "iowait"]
    err_rows = [[LABELS[c["mode"]], str(c["w"]), f"{c['all_calls']:,}", str(sum(c["errors"].values())),
                 str(sum(c["retries"].values())), str(c["deadlocks"]), str(c["rollbacks"]), str(c["sessions"]),
                 f"{c['locks']:,}" if c["mode"] in ("global-lock", "baseline-lock") else "-",
                 " / ".join(f"{v:.2f}" for v in c["cpu"][:3]), f"{c['cpu'][3]:.0f}%"]
                for c in cells]

    def table(head, body):
        return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)] + ["| " + " | ".join(r) + " |" for r in body]

    details = []
    for c in cells:
        for label, counter in (("exception", c["errors"]), ("retry", c["retries"]), ("warning", c["warnings"])):
            details += [f"- {LABELS[c['mode']]}, W={c['w']}, {label} x{n}: `{what}`" for what, n in counter.items()]
    total_bad = sum(sum(c["errors"].values()) + sum(c["retries"].values()) + c["deadlocks"] for c in cells)
    now = datetime.now(UTC)
    text = "\n".join([
        f"# Event-write throughput, {now:%Y-%m-%d}", "", *machine(), "",
        f"W writer processes, one user and project each, closed loop of start / stop / manual create "
        f"(one transaction and one timeline event per call); {args.warmup:g} s warm-up then {args.seconds:g} s "
        "measured per row" + (f", {args.rounds} rounds pooled (each round runs the modes of a W in turn, "
                              "starting one mode later)" if args.rounds > 1 else "")
        + ". commits/s = calls completed in the measured seconds over all writers; "
        "% of baseline = against the baseline row of the same W. lock-free and global lock (old) run the real "
        "services (user row lock, project KEY SHARE, entry, rollups, SQL board scores, event, badge-check queue "
        "row after commit; ~12 statements a call); baseline writes only the entry and the event row in raw "
        "transactions, so it bounds the write path as a whole, not just its ordering: the ordering cost is "
        "lock-free against global lock (old). No REDIS_URL; "
        f"DB_CONN_MAX_AGE={os.environ['DB_CONN_MAX_AGE']} (one connection per writer).", "",
        *table(header, rows), "",
        "Errors (whole cell, warm-up and tail included; every count must be 0 except calls and locks):", "",
        *table(err_header, err_rows), "",
        *(details or ["No exception, retry, deadlock or warning in any mode."]), "",
        "Event log checks:", "",
        *[f"- {'OK' if ok else 'FAILED'}: {text}" for ok, text in checks], "",
    ])
    out = args.out or ROOT / "bench" / "results" / f"writes-{now:%Y-%m-%d}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print("\n" + text)
    say(f"done in {time.monotonic() - started:.0f}s; written to {out}")
    if total_bad or not all(ok for ok, _ in checks):
        sys.exit(1)


if __name__ == "__main__":
    main()
