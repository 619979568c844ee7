"""manage.py seed_demo: fill a fresh install with demo people, projects, time and badges
(focushub.demo.services). Refuses to run twice unless --reset (or another --prefix).

What a person running it needs is the summary at the end: what was made, the login, and
where to look. So the run is quiet: a bar redrawn in place on a terminal, a few lines in a
log (a redrawn bar would be hundreds there), and no log lines below WARNING while it
seeds: every entry queues a badge check and django-q2 logs each one at INFO, hundreds of
lines that would bury the summary. `-v 2` keeps the logging as configured, `-v 0` drops the
progress; the summary is always printed.
"""

import logging
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from focushub.demo.services import DEMO_PASSWORD, Progress, SeedResult, demo_reset, demo_seed, demo_users

PREFIX = re.compile(r"\A[A-Za-z0-9-]{3,12}\Z")
BAR_WIDTH = 30
LOG_MARKS = (25, 50, 75)  # percentages at which a non-terminal gets a progress line


def _bounded(low: int, high: int):
    def parse(raw: str) -> int:
        value = int(raw)
        if not low <= value <= high:
            raise ValueError(raw)
        return value

    parse.__name__ = f"integer from {low} to {high}"
    return parse


def _terminal_bar(out: OutputWrapper) -> Progress:
    """One line redrawn in place (carriage return), ended by a newline when complete."""

    def draw(done: int, total: int, what: str) -> None:
        filled = BAR_WIDTH * done // total
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        out.write(f"\r[{bar}] {100 * done // total:3d}%  {what:<34}", ending="\n" if done == total else "")
        out.flush()

    return draw


def _log_lines(out: OutputWrapper, started: float) -> Progress:
    """A line as the run passes each of LOG_MARKS: enough for a log to show it moves."""
    marks = list(LOG_MARKS)

    def report(done: int, total: int, what: str) -> None:
        percent = 100 * done // total
        if marks and percent >= marks[0]:
            marks[:] = [mark for mark in marks if mark > percent]
            out.write(f"{percent:3d}%  {what} ({time.monotonic() - started:.0f} s)")

    return report


def _silent(done: int, total: int, what: str) -> None:
    """-v 0: no progress at all."""


@contextmanager
def _quiet_logging(verbosity: int) -> Iterator[None]:
    """Below -v 2, no log record under WARNING while seeding (the module docstring says why)."""
    if verbosity >= 2:
        yield
        return
    logging.disable(logging.INFO)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


def _server_url() -> str:
    """Where bin/run serves (its HOST and PORT, same defaults), for the links to follow."""
    return f"http://{os.environ.get('HOST') or '127.0.0.1'}:{os.environ.get('PORT') or '8000'}"


def _summary(result: SeedResult, seconds: float) -> list[str]:
    url = _server_url()
    return [
        f"Seeded {result.users} people, {result.projects} projects, {result.entries} time entries "
        f"({result.running} still running) and {result.badges} badges in {seconds:.0f} s.",
        f"Demo login: {result.login} / {DEMO_PASSWORD} (every demo person has this password)",
        f"  live leaderboard  {url}/live",
        f"  API, sign in      {url}/docs  (POST /auth/login with the login above)",
    ]


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
        verbosity = options["verbosity"]
        started = time.monotonic()
        if verbosity == 0:
            progress = _silent
        elif self.stdout.isatty():
            progress = _terminal_bar(self.stdout)
        else:
            progress = _log_lines(self.stdout, started)
        with _quiet_logging(verbosity):
            result = demo_seed(prefix=prefix, users=users, projects=projects, days=days, seed=seed, progress=progress)
        first, *rest = _summary(result, time.monotonic() - started)
        self.stdout.write(self.style.SUCCESS(first))
        for line in rest:
            self.stdout.write(line)
