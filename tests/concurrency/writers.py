"""Transactions held open on purpose, each in its own thread and so on its own database
connection: the interleavings the event log must survive (tests/concurrency)."""

import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from focushub.accounts.models import User
from focushub.projects.services import project_create
from focushub.tracking.services import time_entry_create

# Tests that hold one writer's transaction open while others commit. SQLite takes its
# single write lock for the whole transaction, so a second writer cannot even start: the
# interleaving does not exist in the embedded mode (its ids commit in order by
# construction). They run in the scaled pass of bin/test.
needs_postgresql = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="holds a writer open while others commit; SQLite allows one writer at a time",
)


class Rollback(Exception):
    """Raised inside a held transaction to roll it back."""


class HeldWriter(threading.Thread):
    """Runs `work()` (a real service call) inside a transaction, reports the event ids it
    wrote, then waits for `finish(commit=...)` before committing or rolling back."""

    def __init__(self, work):
        super().__init__(daemon=True)
        self.work = work
        self.written = threading.Event()
        self._go = threading.Event()
        self._commit = True
        self.done = threading.Event()
        self.event_ids: list[int] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with transaction.atomic():
                before = _max_event_id_seen_by_me()
                self.work()
                self.event_ids = _my_event_ids_after(before)
                self.written.set()
                self._go.wait(30)
                if not self._commit:
                    raise Rollback()
        except Rollback:
            pass
        except BaseException as exc:
            self.error = exc
            self.written.set()
        finally:
            connection.close()
            self.done.set()

    def finish(self, *, commit: bool = True) -> None:
        self._commit = commit
        self._go.set()
        assert self.done.wait(30), "the held writer did not finish"
        assert self.error is None, self.error


def _max_event_id_seen_by_me() -> int:
    from focushub.timeline.models import Event

    return Event.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _my_event_ids_after(after: int) -> list[int]:
    from focushub.timeline.models import Event

    # Our own uncommitted rows are visible to us; other writers' are not.
    return list(Event.objects.filter(id__gt=after).order_by("id").values_list("id", flat=True))


def manual_entry(user: User, project_id: int):
    def work():
        end = timezone.now() - timedelta(minutes=5)
        time_entry_create(user=user, project_id=project_id, start_time=end - timedelta(minutes=10), end_time=end)

    return work


def new_project(user: User):
    return lambda: project_create(owner=user, name="held")


def commit_now(work) -> None:
    """Run `work` in a transaction of its own thread and wait until it has committed."""
    writer = HeldWriter(work)
    writer.start()
    assert writer.written.wait(30)
    writer.finish(commit=True)
