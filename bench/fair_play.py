"""The cost of fair play (credited time = the union of counting entries) on PostgreSQL.

Run by hand, never in CI (see bench/README.md, "Fair play"):

    .venv/bin/python bench/fair_play.py                         # ~2 min
    .venv/bin/python bench/fair_play.py --ops 100 --people 1000,20000
    git worktree add /tmp/before <commit before fair play>
    BENCH_CODE=/tmp/before .venv/bin/python bench/fair_play.py --people ""   # the same cells on the old code

It drops and creates the database `bench_fair` (and touches no other) and migrates it.

Per-change cost, for one person whose history holds H = 10, 1 000 and 50 000 finished
entries (three a day going back, overlapping in pairs), each measured over --ops calls
in one process, one transaction per call, same run. After each timed call the entry it
made is removed untimed, so every call finds the same few entries on its day:
  insert (baseline)     a plain ORM INSERT of a finished entry in its own transaction:
                        the floor under any write.
  manual, no union      time_entry_create with the credit refresh replaced by a no-op
                        (in this process only): what the union adds, isolated. For the
                        service as it was before fair play, run this script with
                        BENCH_CODE pointing at an older checkout (cells that need the
                        credit module are skipped there).
  manual                time_entry_create as it is.
  start+stop            time_entry_start then time_entry_stop (two transactions).
  credit refresh        credit_refresh alone for one day, in a transaction.
The per-change cost must not grow with H: the union is recomputed only for the days the
entry touches.

Scheduled rebuild: rebuild_rollups_for_day(today) with P = 1 000 and 100 000 people who
each have two overlapping entries today; seconds for the whole day.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
CODE = Path(os.environ.get("BENCH_CODE", ROOT))
sys.path.insert(0, str(CODE))
PG_ADMIN = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
PG_NAME = "bench_fair"
os.environ["DATABASE_URL"] = PG_ADMIN.rsplit("/", 1)[0] + "/" + PG_NAME  # never any other database
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "focushub.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-never-used-elsewhere-000")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DB_CONN_MAX_AGE", "3600")
os.environ.setdefault("FOCUSHUB_DATA_DIR", str(ROOT / "var" / "bench-fair"))
Path(os.environ["FOCUSHUB_DATA_DIR"]).mkdir(parents=True, exist_ok=True)


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def fresh_database() -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_NAME}")


def person_with_history(n: int):
    from django.utils import timezone

    from focushub.accounts.models import User
    from focushub.projects.services import project_create
    from focushub.tracking.models import TimeEntry

    user = User.objects.create_user(email=f"h{n}@example.com", username=f"history{n}", password=None)
    project = project_create(owner=user, name=f"History {n}")
    now = timezone.now().replace(microsecond=0)
    rows = []
    for i in range(n):
        day = now - timedelta(days=2 + i // 3)
        start = day.replace(hour=8 + 3 * (i % 3), minute=0, second=0)
        end = start + timedelta(hours=4)  # overlaps the next one of the day by an hour
        rows.append(TimeEntry(user=user, project=project, start_time=start, end_time=end, duration=14400,
                              **provenance(start)))
    TimeEntry.objects.bulk_create(rows, batch_size=5000)
    return user, project


def provenance(start) -> dict:
    """source and placed_at where the model has them (not on code from before fair play)."""
    from focushub.tracking.models import TimeEntry

    fields = {field.name for field in TimeEntry._meta.get_fields()}
    return {"source": "timer", "placed_at": start} if "placed_at" in fields else {}


def timed(ops: int, call, user) -> list[float]:
    from focushub.tracking.models import TimeEntry

    samples = []
    for i in range(ops):
        newest = TimeEntry.objects.filter(user=user).order_by("-pk").values_list("pk", flat=True).first()
        began = time.perf_counter()
        call(i)
        samples.append((time.perf_counter() - began) * 1000)
        TimeEntry.objects.filter(user=user, pk__gt=newest).delete()
    return samples


def per_change(history: int, ops: int) -> dict[str, list[float]]:
    from django.db import transaction
    from django.utils import timezone

    from focushub.tracking import services as tracking
    from focushub.tracking.models import TimeEntry

    try:
        from focushub.tracking import credit
    except ImportError:
        credit = None

    user, project = person_with_history(history)
    base = timezone.now().replace(microsecond=0) - timedelta(hours=30)

    def span(i: int, minutes: int = 20):
        start = base + timedelta(minutes=minutes * (i % 60))
        return start, start + timedelta(minutes=minutes + 5)  # each overlaps the next

    def insert(i):
        start, end = span(i)
        with transaction.atomic():
            TimeEntry.objects.create(user=user, project=project, start_time=start, end_time=end, duration=1500,
                                     **provenance(start))

    def manual(i):
        start, end = span(i)
        tracking.time_entry_create(user=user, project_id=project.pk, start_time=start, end_time=end)

    def start_stop(i):
        tracking.time_entry_start(user=user, project_id=project.pk)
        tracking.time_entry_stop(user=user)

    def refresh(i):
        with transaction.atomic():
            credit.credit_refresh(user_id=user.pk, days={(base + timedelta(minutes=20 * (i % 60))).date()},
                                  project_ids={project.pk})

    results = {"insert (baseline)": timed(ops, insert, user)}
    if credit is not None:
        real = credit.credit_refresh
        credit.credit_refresh = lambda **kwargs: ({}, {})
        try:
            results["manual, no union"] = timed(ops, manual, user)
        finally:
            credit.credit_refresh = real
    results["manual"] = timed(ops, manual, user)
    results["start+stop"] = timed(ops, start_stop, user)
    if credit is not None:
        results["credit refresh"] = timed(ops, refresh, user)
    return results


def rebuild(people: int) -> float:
    from django.utils import timezone

    from focushub.accounts.models import User
    from focushub.projects.models import Project, ProjectMember
    from focushub.tracking.aggregation import rebuild_rollups_for_day
    from focushub.tracking.models import TimeEntry

    owner = User.objects.create_user(email=f"own{people}@example.com", username=f"owner{people}", password=None)
    project = Project.objects.create(name=f"Crowd {people}", owner=owner)
    ProjectMember.objects.create(project=project, user=owner, role="owner")
    prefix = f"p{people}_"
    User.objects.bulk_create(
        [User(email=f"{prefix}{i}@example.com", username=f"{prefix}{i}", password="!") for i in range(people)],
        batch_size=5000,
    )
    ids = list(User.objects.filter(username__startswith=prefix).values_list("pk", flat=True))
    midnight = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    rows = []
    for user_id in ids:
        rows.append(TimeEntry(user_id=user_id, project=project, start_time=midnight + timedelta(minutes=10),
                              end_time=midnight + timedelta(minutes=40), duration=1800, **provenance(midnight)))
        rows.append(TimeEntry(user_id=user_id, project=project, start_time=midnight + timedelta(minutes=30),
                              end_time=midnight + timedelta(minutes=50), duration=1200, **provenance(midnight)))
    TimeEntry.objects.bulk_create(rows, batch_size=5000)
    began = time.perf_counter()
    rebuild_rollups_for_day(midnight.date())
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ops", type=int, default=200)
    parser.add_argument("--history", default="10,1000,50000")
    parser.add_argument("--people", default="1000,100000")
    args = parser.parse_args()
    fresh_database()
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    say(f"machine: {os.cpu_count()} cores; PostgreSQL {PG_NAME}; {args.ops} calls per cell; code {CODE}")
    rows = []
    for history in (int(h) for h in args.history.split(",")):
        say(f"history {history}")
        for name, samples in per_change(history, args.ops).items():
            rows.append((history, name, statistics.median(samples), sorted(samples)[int(0.99 * len(samples)) - 1]))
    print("\n| history | operation | median ms | p99 ms |\n| ---: | --- | ---: | ---: |")
    for history, name, median, p99 in rows:
        print(f"| {history} | {name} | {median:.2f} | {p99:.2f} |")
    print("\n| people | rebuild of one day (s) |\n| ---: | ---: |")
    for people in (int(p) for p in args.people.split(",") if p):
        say(f"rebuild with {people} people")
        print(f"| {people} | {rebuild(people):.1f} |", flush=True)


if __name__ == "__main__":
    main()
