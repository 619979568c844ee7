"""manage.py seed_demo: fill a fresh install with demo people, projects, time and badges
(focushub.demo.services). Refuses to run twice unless --reset (or another --prefix)."""

import logging
import re
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from focushub.demo.services import DEMO_PASSWORD, demo_reset, demo_seed, demo_users

PREFIX = re.compile(r"\A[A-Za-z0-9-]{3,12}\Z")


def _bounded(low: int, high: int):
    def parse(raw: str) -> int:
        value = int(raw)
        if not low <= value <= high:
            raise ValueError(raw)
        return value

    parse.__name__ = f"integer from {low} to {high}"
    return parse


class Command(BaseCommand):
    help = "Create demo people, public and private projects, a few weeks of tracked time and badges."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=_bounded(1, 5000), default=50, help="people (default 50)")
        parser.add_argument("--projects", type=_bounded(1, 500), default=8, help="projects (default 8)")
        parser.add_argument("--days", type=_bounded(0, 365), default=21, help="days of history (default 21)")
        parser.add_argument("--seed", type=int, default=7, help="random seed, for repeatable data (default 7)")
        parser.add_argument("--prefix", default="demo", help="username prefix of the demo people (default demo)")
        parser.add_argument("--reset", action="store_true", help="delete this prefix's demo data first")

    def handle(self, *args, users: int, projects: int, days: int, seed: int, prefix: str, reset: bool, **options):
        if not PREFIX.match(prefix):
            raise CommandError("--prefix must be 3-12 letters, digits or '-'.")
        if reset:
            self.stdout.write(f"Deleted {demo_reset(prefix=prefix)} demo people with prefix {prefix!r}.")
        elif demo_users(prefix).exists():
            raise CommandError(f"Demo data with prefix {prefix!r} exists: add --reset, or choose another --prefix.")
        started = time.monotonic()

        def progress(line: str) -> None:
            self.stdout.write(f"  [{time.monotonic() - started:5.1f}s] {line}")

        # Every entry queues a badge check and django-q2 logs each queueing at INFO: ~900
        # lines that would bury the two that matter (the summary and the login).
        queue_log = logging.getLogger("django-q")
        level = queue_log.level
        queue_log.setLevel(max(level, logging.WARNING))
        try:
            result = demo_seed(prefix=prefix, users=users, projects=projects, days=days, seed=seed, progress=progress)
        finally:
            queue_log.setLevel(level)
        self.stdout.write(self.style.SUCCESS(
            f"Seeded {result.users} people, {result.projects} projects, {result.entries} entries, "
            f"{result.running} running timers, {result.badges} badges."
        ))
        self.stdout.write(f"Demo login: {result.login} / {DEMO_PASSWORD} (every demo person has this password)")
