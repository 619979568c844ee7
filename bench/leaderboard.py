"""Leaderboard read time as the number of people grows (bench/README.md), beside the naive query.

Run by hand against databases of its own (it TRUNCATEs every table it fills):

    createdb -h 127.0.0.1 -U postgres bench_boards
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_boards REDIS_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python bench/leaderboard.py --sizes 1000,100000,1000000

For each size N it fills N people with a score each on this week's global time board,
the same way in both stores (BoardScore rows on PostgreSQL, one Redis sorted set), with
one daily rollup per person for the naive query and a running timer for 2% of them, then
times reads. What is measured is the real read path of GET /leaderboard without HTTP:
focushub.leaderboards.selectors.leaderboard_read (the store's page and rank reads, the
users of the page, their running timers, the version), pinned to each store in turn.
The fill itself bypasses the services (COPY and pipelined ZADD: writing a million people
through them would take hours); the scores it writes are what the services would have
written, and the run checks that both stores return the same top page.

Columns: a spectator's first page (offset 0) and a deep page (the middle of the board),
a signed-in first page whose `me` is the median person, and the naive approach:
`SELECT user_id, SUM(seconds) FROM tracking_dailyrollup WHERE date in the week GROUP BY
user_id ORDER BY 2 DESC LIMIT 50`. Each cell is p50 / p99 in milliseconds over up to
--reads reads, cut short after --budget seconds (the count is reported). Results go to
bench/results/leaderboard-<date>.md (git-ignored).
"""

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "focushub.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-never-used-elsewhere-000")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from focushub.accounts.models import User  # noqa: E402
from focushub.leaderboards.backends import backend_override  # noqa: E402
from focushub.leaderboards.boards import Board, period_range  # noqa: E402
from focushub.leaderboards.models import BoardScore  # noqa: E402
from focushub.leaderboards.redis_store import RedisBoards, live_key  # noqa: E402
from focushub.leaderboards.selectors import leaderboard_read  # noqa: E402
from focushub.leaderboards.sql_store import SqlBoards  # noqa: E402
from focushub.projects.models import Project  # noqa: E402
from focushub.tracking.models import DailyRollup, TimeEntry  # noqa: E402

PAGE = 50
TABLES = ("accounts_user", "projects_project", "tracking_timeentry", "tracking_dailyrollup", "leaderboards_boardscore")
NAIVE = (
    "SELECT user_id, SUM(seconds) FROM tracking_dailyrollup WHERE date BETWEEN %s AND %s "
    "GROUP BY user_id ORDER BY 2 DESC LIMIT 50"
)


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def check_environment() -> None:
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the benchmark compares both stores.")
    if not connection.settings_dict["NAME"].startswith("bench"):
        sys.exit(f"Refusing to TRUNCATE {connection.settings_dict['NAME']!r}: use a database named bench*.")


def copy_rows(model, columns: list[str], rows) -> None:
    """COPY straight into the model's table (psycopg 3), far faster than INSERTs."""
    table = model._meta.db_table
    with connection.cursor() as cursor, cursor.cursor.copy(
        f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    ) as copy:
        for row in rows:
            copy.write_row(row)


def user_rows(count: int, now: datetime):
    """Every concrete column of User, defaults from the model, so new fields need no edit here."""
    fields = [field for field in User._meta.concrete_fields if not field.primary_key]
    columns = [field.column for field in fields]
    base = {field.attname: field.get_default() for field in fields}
    base.update(password="!", created_at=now, last_login=None)

    def rows():
        for index in range(1, count + 1):
            values = dict(base, username=f"b{index}", email=f"b{index}@bench.invalid")
            yield [values[field.attname] for field in fields]

    return columns, rows()


def fill(size: int, board: str, now: datetime, rng: random.Random) -> dict[int, int]:
    """N people, one project, one rollup and one board score each; returns user -> score."""
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    columns, rows = user_rows(size, now)
    copy_rows(User, columns, rows)
    first_id = User.objects.order_by("pk").values_list("pk", flat=True).first()
    user_ids = range(first_id, first_id + size)
    project = Project.objects.create(name="Bench", owner_id=first_id, visibility="public")
    # Long-tailed scores in whole minutes: realistic, and full of ties.
    scores = {user_id: 60 * max(1, int(rng.paretovariate(1.3) * 10)) for user_id in user_ids}
    day = now.date()
    copy_rows(
        DailyRollup, ["user_id", "project_id", "date", "seconds", "entries"],
        ((user_id, project.pk, day, score, 1) for user_id, score in scores.items()),
    )
    copy_rows(BoardScore, ["board", "user_id", "score"], ((board, u, s) for u, s in scores.items()))
    running = rng.sample(list(user_ids), k=max(1, size // 50))
    copy_rows(
        TimeEntry, ["user_id", "project_id", "start_time", "description", "created_at", "updated_at"],
        ((user_id, project.pk, now - timedelta(minutes=rng.randint(1, 300)), "", now, now) for user_id in running),
    )
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"VACUUM ANALYZE {table}")
    return scores


def fill_redis(store: RedisBoards, board: str, scores: dict[int, int]) -> None:
    key = live_key(board)
    store.client.delete(key)
    items = list(scores.items())
    pipe = store.client.pipeline(transaction=False)
    for start in range(0, len(items), 10_000):
        pipe.zadd(key, dict(items[start : start + 10_000]))
        if len(pipe) >= 10:
            pipe.execute()
    pipe.execute()


def timed(call: Callable[[], object], reads: int, budget: float) -> tuple[float, float, int]:
    """p50, p99 (ms) and the number of reads, stopping early once `budget` seconds are spent."""
    call()  # warm caches and connections
    samples: list[float] = []
    deadline = time.perf_counter() + budget
    while len(samples) < reads and (len(samples) < 5 or time.perf_counter() < deadline):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.99 + 0.5) - 1)], len(ordered)


def cell(result: tuple[float, float, int], reads: int) -> str:
    p50, p99, count = result
    return f"{p50:.2f} / {p99:.2f}" + ("" if count >= reads else f" (n={count})")


def measure(size: int, scores: dict[int, int], stores, now: datetime, reads: int, budget: float) -> list[list[str]]:
    median_user = sorted(scores, key=lambda user_id: (-scores[user_id], user_id))[size // 2]
    deep = max(0, size // 2 - PAGE // 2)

    def read(offset: int, viewer: int | None) -> Callable[[], dict]:
        return lambda: leaderboard_read(
            metric="time", period="week", project_id=None, limit=PAGE, offset=offset, viewer_id=viewer
        )

    out, tops = [], []
    for store in stores:
        with backend_override(store):
            tops.append([(row["user"]["id"], row["rank"], row["score"]) for row in read(0, None)()["rows"]])
            say(f"  N={size:,} {store.name}: reading")
            out.append([
                f"{size:,}", store.name,
                cell(timed(read(0, None), reads, budget), reads),
                cell(timed(read(deep, None), reads, budget), reads),
                cell(timed(read(0, median_user), reads, budget), reads),
            ])
    if sorted(tops[0], key=lambda r: (r[1], r[0])) != sorted(tops[1], key=lambda r: (r[1], r[0])):
        sys.exit("The two stores disagree on the top page: the fill is broken.")
    first, last = period_range("week", now.date())

    def naive():
        with connection.cursor() as cursor:
            cursor.execute(NAIVE, [first, last])
            return cursor.fetchall()

    say(f"  N={size:,} naive GROUP BY")
    baseline = cell(timed(naive, reads, budget), reads)
    for row in out:
        row.append(baseline)
    return out


def machine() -> list[str]:
    def run(command: str) -> str:
        return subprocess.run(command, shell=True, capture_output=True, text=True).stdout.strip()

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    redis_version = RedisBoards().client.info("server")["redis_version"]
    memory = run("free -g | awk '/Mem:/ {print $2}'")
    return [
        f"- CPU: {run('nproc')} cores ({platform.processor() or platform.machine()}), RAM {memory} GB",
        f"- Python {platform.python_version()}, PostgreSQL {postgres}, Redis {redis_version}",
        f"- {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; client and servers on the same machine",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,100000,1000000", help="comma-separated people counts")
    parser.add_argument("--reads", type=int, default=200, help="reads per cell (default 200)")
    parser.add_argument("--budget", type=float, default=15.0, help="seconds at most per cell (default 15)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None, help="markdown file (default bench/results/...)")
    args = parser.parse_args()
    check_environment()
    call_command("migrate", verbosity=0)
    sizes = [int(size) for size in args.sizes.split(",")]
    now = datetime.now(UTC)
    board = Board.current("time", "week", None, now).key
    stores = [SqlBoards(), RedisBoards()]
    rng = random.Random(args.seed)
    rows = []
    for size in sizes:
        started = time.perf_counter()
        scores = fill(size, board, now, rng)
        fill_redis(stores[1], board, scores)
        say(f"N={size:,}: filled in {time.perf_counter() - started:.1f}s")
        rows += measure(size, scores, stores, now, args.reads, args.budget)
    stores[1].client.delete(live_key(board))
    header = [
        "people", "store", "page @0 (spectator)", "page @N/2", "page @0 + me (median)", "naive GROUP BY LIMIT 50",
    ]
    table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + ["| " + " | ".join(r) + " |" for r in rows]
    text = "\n".join([
        f"# Leaderboard read time, {now:%Y-%m-%d}", "", *machine(), "",
        f"p50 / p99 in ms over {args.reads} reads of {PAGE} rows through leaderboard_read "
        f"(cells cut at {args.budget:.0f}s show n).", "", *table, "",
    ])
    out = args.out or ROOT / "bench" / "results" / f"leaderboard-{now:%Y-%m-%d}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print("\n" + text)
    say(f"written to {out}")


if __name__ == "__main__":
    main()
