"""The lock order (focushub/projects/locks.py) is enforced where locks are taken, every
writing service goes through @service, and the cycle that used to deadlock cannot."""

import ast
import logging
import threading
from pathlib import Path

import pytest
from django.db import connection

from focushub import transactions
from focushub.accounts.models import User
from focushub.projects.locks import projects_lock_shared, user_lock, users_lock
from focushub.projects.services import project_create
from focushub.timeline.models import Event
from focushub.transactions import LockOrderError, service
from tests.concurrency.writers import HeldWriter, needs_postgresql

ROOT = Path(__file__).resolve().parents[2] / "focushub"


def test_every_writing_service_opens_its_transaction_through_service():
    offenders = []
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef):
                for decorator in node.decorator_list:
                    if ast.unparse(decorator) in ("transaction.atomic", "atomic"):
                        offenders.append(f"{path.relative_to(ROOT.parent)}:{node.lineno} {node.name}")
    assert offenders == [], "use @focushub.transactions.service, not @transaction.atomic"


@pytest.mark.django_db(transaction=True)
def test_a_user_lock_after_a_project_lock_is_refused():
    user = User.objects.create_user(email="a@example.com", username="alice", password=None)
    other = User.objects.create_user(email="b@example.com", username="bob", password=None)
    project = project_create(owner=user, name="p")

    @service
    def out_of_order():
        users_lock([user.pk])
        projects_lock_shared([project.pk])
        user_lock(user.pk)  # already held: fine
        users_lock([other.pk])

    with pytest.raises(LockOrderError):
        out_of_order()


@pytest.mark.django_db(transaction=True)
def test_a_lock_outside_a_service_is_refused():
    with pytest.raises(LockOrderError):
        users_lock([1])


@needs_postgresql
def test_a_request_holding_nothing_never_waits_for_a_worker_holding_the_user_row(tracker):
    """The reported cycle: a badge worker holds the user's row while a request creates a
    project for that user (its event and membership point at the user). The request must
    finish while the worker still holds the row, and then both commit."""
    user, _ = tracker
    worker = HeldWriter(service(lambda: user_lock(user.pk)))
    worker.start()
    assert worker.written.wait(10)
    created: list = []

    def request():
        try:
            created.append(project_create(owner=user, name="while the worker holds the row"))
        finally:
            connection.close()

    thread = threading.Thread(target=request)
    thread.start()
    # A request that waited for the row could only finish once the worker lets go, which
    # it does only when told (or after its own 30 s): finishing before that is the proof.
    thread.join(20)
    finished_while_held = not thread.is_alive()
    worker.finish(commit=True)
    thread.join(30)
    assert finished_while_held, "the request waited for the worker's row lock"
    assert Event.objects.filter(kind="project.created", project_id=created[0].pk).exists()


@needs_postgresql
def test_a_deadlock_is_retried_by_the_service_wrapper(postgres_only, caplog):
    """Two transactions locking two rows in opposite orders: PostgreSQL aborts one as the
    deadlock victim; @service retries it, so both callers succeed."""
    first = User.objects.create_user(email="c@example.com", username="carol", password=None)
    second = User.objects.create_user(email="d@example.com", username="dave", password=None)
    barrier = threading.Barrier(2, timeout=10)
    results: list[str] = []
    attempts: dict[str, int] = {"one": 0, "two": 0}

    def lock(pk):
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM accounts_user WHERE id = %s FOR UPDATE", [pk])

    @service
    def crosswise(a, b, name):
        attempts[name] += 1
        lock(a)
        if attempts[name] == 1:  # meet only on the first attempt; the retry goes straight on
            barrier.wait()
        lock(b)
        results.append(name)

    def run(a, b, name):
        try:
            crosswise(a, b, name)
        finally:
            connection.close()

    before = sum(transactions.retries.values())
    threads = [threading.Thread(target=run, args=(first.pk, second.pk, "one")),
               threading.Thread(target=run, args=(second.pk, first.pk, "two"))]
    with caplog.at_level(logging.WARNING, logger="focushub.transactions"):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert sorted(results) == ["one", "two"]
    assert sum(transactions.retries.values()) == before + 1
    assert any("deadlock detected" in record.getMessage() for record in caplog.records)
