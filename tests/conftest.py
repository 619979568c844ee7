"""Shared fixtures. Most tests drive a real daphne (and, where needed, a real django-q2
cluster) over HTTP and websockets, against the test database pytest-django created:
PostgreSQL + Redis when DATABASE_URL/REDIS_URL are set, the embedded default otherwise."""

import os
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.test import Client, TransactionTestCase
from jsonschema import Draft202012Validator, FormatChecker

from focushub.badges.models import Badge
from focushub.leaderboards.pages import pages_changed
from focushub.leaderboards.redis_store import COMPLETE
from focushub.timeline.kinds import KINDS
from focushub.timeline.models import Event
from tests.support import cast
from tests.support.cast import make_team, quick_actor
from tests.support.clients import Actor, Api
from tests.support.cloudinary import CloudinaryStub, cloudinary_url
from tests.support.contract import SCHEMA_TABLES
from tests.support.processes import Daphne, QCluster

LOG_DIR = Path(settings.DATA_DIR) / "test-logs"
FORMATS = FormatChecker(["date-time"])
SPA_ORIGIN = "http://spa.example.test"  # the frontend origin the test server allows (CORS)
# Every test calls from 127.0.0.1, so per-IP auth throttles would trip across the suite;
# the throttling tests start their own daphne with low rates (tests/accounts).
os.environ.setdefault("LOGIN_IP_THROTTLE_RATE", "100000/min")
os.environ.setdefault("SIGNUP_THROTTLE_RATE", "100000/min")
# Tests about periods, streaks and rebuilds place time weeks and months back; the session
# server and this process trust back-dated time for them. The fair-play tests
# (tests/fair_play) start servers with the defaults and check the 7-day window.
os.environ.setdefault("BOARD_BACKDATE_DAYS", "36500")
settings.BOARD_BACKDATE_DAYS = int(os.environ["BOARD_BACKDATE_DAYS"])


def _flush_redis() -> None:
    """Empty Redis beside an empty database: the boards are complete (nothing to rebuild)."""
    if settings.REDIS_URL:
        client = redis.Redis.from_url(settings.REDIS_URL)
        client.flushdb()
        client.set(COMPLETE, 1)


@pytest.fixture(scope="session")
def server(django_db_setup, django_db_blocker):
    """One daphne for the session, serving the test database."""
    with django_db_blocker.unblock():
        _flush_redis()
        proc = Daphne(LOG_DIR, CORS_ALLOWED_ORIGINS=SPA_ORIGIN)
    yield proc
    proc.stop()
    # Whatever the tests asserted, no request of the whole session may have been a 500.
    failures = [line for line in proc.log_path.read_text(errors="replace").splitlines()
                if "Internal Server Error" in line]
    assert not failures, f"the live server answered 500 (see {proc.log_path}): {failures[:5]}"


_clusters: list[QCluster] = []  # the session's cluster, once a test has asked for it


@pytest.fixture(scope="session")
def qcluster(server, django_db_blocker):
    """A real django-q2 cluster, started on first use and kept for the session."""
    with django_db_blocker.unblock():
        proc = QCluster(LOG_DIR)
    _clusters.append(proc)
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def no_cluster(django_db_blocker):
    """No django-q2 cluster takes tasks while the module's tests run: the session's, if a
    test has started it, is stopped and started again afterwards. For tests that lose a
    queued task on purpose: a running cluster takes a task the moment it is queued (its
    Redis broker waits in BLPOP), before the test can lose it."""
    running = [proc for proc in _clusters if proc.proc.poll() is None]
    for proc in running:
        proc.stop()
    yield
    with django_db_blocker.unblock():
        for proc in running:
            proc.start_again()


def _wait_for_other_transactions(timeout: float = 10) -> None:
    """Before the database is flushed, let the live processes finish the transactions the
    test set off (a django-q2 worker evaluating badges, a daphne request): on PostgreSQL a
    transaction still holding a table lock while TRUNCATE takes its exclusive locks
    deadlocks one of the two. SQLite serialises writers and needs no wait."""
    if connection.vendor != "postgresql":
        return
    deadline, quiet_checks = time.monotonic() + timeout, 0
    with connection.cursor() as cursor:
        while time.monotonic() < deadline and quiet_checks < 2:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
            )
            quiet_checks = quiet_checks + 1 if cursor.fetchone()[0] == 0 else 0
            time.sleep(0.01)


_validators: dict[str, Draft202012Validator] = {}


def _events_match_their_declarations() -> None:
    """Zulip's discipline: every event any test caused, through any door and in any
    process, has a declared kind, an allowed audience and a payload its schema accepts
    (focushub/timeline/kinds.py). Checked before each flush, so no event escapes."""
    wrong = []
    for event_id, kind, audience, payload in Event.objects.values_list("id", "kind", "audience", "payload"):
        declared = KINDS.get(kind)
        if declared is None or audience not in declared.audiences:
            wrong.append(f"event {event_id}: kind {kind!r} with audience {audience!r} is not declared")
            continue
        validator = _validators.setdefault(kind, Draft202012Validator(declared.payload, format_checker=FORMATS))
        wrong += [f"event {event_id} ({kind}): {error.message}" for error in validator.iter_errors(payload)]
    assert not wrong, "events that break their declaration:\n" + "\n".join(wrong[:20])


def _empty_every_table(self) -> None:
    """Between transactional tests, empty every table with DELETE in one transaction,
    instead of Django's flush (a TRUNCATE of every table, then post_migrate): on
    PostgreSQL that took about 220 ms a test against 5 ms here, most of the suite's time.
    Foreign keys are deferred, so the order does not matter. The live processes' relays
    and workers keep reading and writing; a deadlock with one of them only means trying
    again (their statements are short)."""
    _events_match_their_declarations()
    for attempt in range(3):
        try:
            with transaction.atomic():
                tables = set(connection.introspection.django_table_names(only_existing=True, include_views=False))
                with connection.cursor() as cursor:
                    # SCHEMA_TABLES are kept: Django's flush re-creates them through
                    # post_migrate, and keeping them saves that work and changes nothing.
                    if connection.vendor == "postgresql":
                        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                    for table in sorted(tables - SCHEMA_TABLES):
                        cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
            # Rows went behind the services' back: the board pages the live servers keep
            # must not outlive them (focushub/leaderboards/pages.py).
            pages_changed()
            return
        except OperationalError as exc:
            if "deadlock detected" not in str(exc) or attempt == 2:
                raise
            time.sleep(0.2)


TransactionTestCase._fixture_teardown = _empty_every_table


@pytest.fixture
def empty_redis():
    """Redis (scaled mode) empty before and after the test: no board or throttle count
    of another test leaks in."""
    _flush_redis()
    yield
    _flush_redis()


@pytest.fixture
def live(server, transactional_db):
    """A test that talks to the live server: its rows must be committed to be seen there."""
    _flush_redis()
    yield server
    _flush_redis()  # drops tasks still queued (scaled mode), so no worker starts one now
    _wait_for_other_transactions()


@pytest.fixture
def person(live):
    """person(username=None, password=None, **user fields) -> one more committed user,
    signed in with an access token and talking to the session's server."""

    def make(username: str | None = None, **fields) -> Actor:
        return quick_actor(live, username, **fields)

    return make


@pytest.fixture
def new_project():
    """tests.support.cast.new_project, for the tests that take it as a fixture."""
    return cast.new_project


@pytest.fixture
def admin(person) -> Actor:
    return person(role="admin")


@pytest.fixture
def empty_catalog(live):
    """Start from no badges, so a test sees only the awards of the badges it defines
    (the default badges exist only until the first transactional test flushes them)."""
    Badge.objects.all().delete()


@pytest.fixture
def admin_client(admin) -> Client:
    """Django's test client, signed in to /admin/ as an admin."""
    client = Client()
    client.force_login(admin.user)
    return client


@pytest.fixture
def start_server(live):
    """start_server(port=None, **env) -> another daphne on the same test database, with
    some settings overridden (a fresh local cache, so throttle counts start at zero).
    Stopped after the test."""
    started: list[Daphne] = []

    def start(port: int | None = None, **env: str) -> Daphne:
        proc = Daphne(LOG_DIR, port=port, **env)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.stop()


@pytest.fixture
def anon(live) -> Api:
    return Api(live.url)


@pytest.fixture
def team(live):
    """A private project with its cast: owner, maintainer, contributor, viewer, helper,
    newcomer and stranger (tests/projects/cast.py), made through the API."""
    return make_team(live)


@pytest.fixture
def public_team(live):
    return make_team(live, visibility="public")


@pytest.fixture
def cloudinary_stub():
    stub = CloudinaryStub()
    yield stub
    stub.stop()


@pytest.fixture(scope="module")
def cloud_stack(server):
    """For a module: a Cloudinary stand-in and a daphne whose CLOUDINARY_URL points at it."""
    stub = CloudinaryStub()
    proc = Daphne(LOG_DIR, CLOUDINARY_URL=cloudinary_url(stub.url))
    yield proc, stub
    proc.stop()
    stub.stop()


@pytest.fixture
def cloud_server(cloud_stack, live) -> Daphne:
    return cloud_stack[0]


@pytest.fixture
def cloud_stub(cloud_stack) -> CloudinaryStub:
    """The module's stand-in, with no request recorded yet."""
    cloud_stack[1].requests.clear()
    return cloud_stack[1]
