"""The hot writes cost a fixed list of statements: POST /time-entries/start, POST
/time-entries/stop and a manual POST /time-entries, served in-process the way an HTTP
worker serves them (real transactions, so the after-commit work runs and is counted).
bench/README.md ("Profile of the hot paths") says what each costs; a new statement on
these paths should be a decision, and this is where it shows up."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from focushub.accounts.tokens import issue_access
from focushub.projects.services import project_create
from tests.support.cast import new_user, track

pytestmark = pytest.mark.django_db(transaction=True)

POSTGRES = not settings.EMBEDDED


def _statements(client: APIClient, path: str, body: dict | None = None) -> list[str]:
    """The statements of one request, each cut to its verb and table: what it is for."""
    with CaptureQueriesContext(connection) as captured:
        response = client.post(path, body, format="json")
    assert response.status_code in (200, 201), response.content[:500]
    return [_gist(query["sql"]) for query in captured.captured_queries]


def _gist(sql: str) -> str:
    """`VERB table [lock]`, or the statement itself when it names no table."""
    sql = " ".join(sql.split())
    table = re.search(r'(?:FROM|INTO|UPDATE) "?(\w+)"?', sql)
    if table is None:
        return re.sub(r' "s\d+_x\d+"', "", sql)
    lock = re.search(r" FOR (NO KEY UPDATE|UPDATE|KEY SHARE|SHARE)", sql)
    return f"{sql.split()[0]} {table.group(1)}{lock.group(0) if lock else ''}"


@pytest.fixture
def tracker(empty_redis):
    user = new_user()
    project = project_create(owner=user, name="Counted", visibility="public")
    # Yesterday's finished entry: the refresh of today's credit has history to read.
    track(user, project, start=timezone.now() - timedelta(days=1), minutes=30)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access(user.pk)}")
    return client, project


# The statements both writes share, at the start of their transaction.
AUTH = ["SELECT accounts_user"]  # the token's user (api/authentication.py), before any transaction
# @service (focushub/transactions.py); SQLite takes its one write lock at BEGIN.
OPEN = ["BEGIN", "SET CONSTRAINTS ALL IMMEDIATE"] if POSTGRES else ["BEGIN IMMEDIATE"]
LOCK_USER = ["SELECT accounts_user FOR NO KEY UPDATE" if POSTGRES else "SELECT accounts_user"]  # one writer per user
PROJECT = ["SELECT projects_projectmember"]  # the project and the caller's role on it (tracking rights)
# The project, locked against deletion while the entry is written.
LOCK_PROJECT = ["SELECT projects_project FOR KEY SHARE" if POSTGRES else "SELECT projects_project"]
# First entry of its day for this user: the rollup's UPDATE finds no row, so it INSERTs;
# then the day's credit (overlaps count once, focushub/tracking/credit.py): the day's
# entries, the stored credit, its upsert, the project's credited rows and their update.
ROLLUP_NEW_DAY = ["UPDATE tracking_dailyrollup", "INSERT tracking_dailyrollup"]
CREDIT = ["SELECT tracking_timeentry", "SELECT tracking_dailycredit", "INSERT tracking_dailycredit",
          "SELECT tracking_dailyrollup", "UPDATE tracking_dailyrollup"]
# The board scores: Redis in the scaled mode (no SQL); the SQL store upserts the score and
# drops the rows that fell to zero.
BOARDS = [] if settings.REDIS_URL else ["INSERT leaderboards_boardscore", "DELETE leaderboards_boardscore"]
# The event's transaction id, read once per transaction for the log's order (PostgreSQL).
XACT = ["SELECT pg_current_xact_id()::text"] if POSTGRES else []
EVENT = ["INSERT timeline_event"]
# After the commit: the badge check is queued; the embedded mode's broker is a table.
QUEUE = [] if settings.REDIS_URL else ["INSERT django_q_ormq"]


def test_start_stop_and_a_manual_entry_take_these_statements(tracker):
    client, project = tracker
    start = _statements(client, "/time-entries/start", {"project": project.pk})
    assert start == [
        *AUTH, *OPEN, *LOCK_USER, *PROJECT,
        "SELECT tracking_timeentry",  # the running timer, if any, to stop it first
        *LOCK_PROJECT,
        "SAVEPOINT", "INSERT tracking_timeentry", "RELEASE SAVEPOINT",  # one running timer per user (unique index)
        *EVENT, "COMMIT", *QUEUE,
    ]

    stop = _statements(client, "/time-entries/stop")
    assert stop == [
        *AUTH, *OPEN, *LOCK_USER,
        "SELECT tracking_timeentry",  # the running timer
        *LOCK_PROJECT,
        "UPDATE tracking_timeentry",  # its end and duration
        *ROLLUP_NEW_DAY, *CREDIT, *BOARDS, *XACT, *EVENT, "COMMIT", *QUEUE,
    ]

    # Three days ago, a day with nothing on it yet: the same rollup and credit work.
    day = (timezone.now() - timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    manual = _statements(client, "/time-entries", {"project": project.pk, "start_time": day.isoformat(),
                                                   "end_time": (day + timedelta(minutes=20)).isoformat()})
    assert manual == [
        *AUTH, *OPEN, *LOCK_USER, *PROJECT, *LOCK_PROJECT,
        "INSERT tracking_timeentry",
        *ROLLUP_NEW_DAY, *CREDIT, *BOARDS, *XACT, *EVENT, "COMMIT", *QUEUE,
    ]
