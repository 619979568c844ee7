import pytest
from django.db import connection

from focushub.accounts.models import User
from focushub.projects.services import project_create


@pytest.fixture
def postgres_only(transactional_db):
    """The tests that use this hold one writer's transaction open while others commit.
    SQLite takes its single write lock for the whole transaction, so a second writer
    cannot even start there: the interleaving under test does not exist in the embedded
    mode, and its ids commit in order by construction (focushub/timeline/log.py). Such
    tests carry `needs_postgresql` and run in the scaled pass of bin/test."""
    assert connection.vendor == "postgresql", "mark the test with needs_postgresql"



def _tracker(name: str) -> tuple[User, int]:
    user = User.objects.create_user(email=f"{name}@example.com", username=name, password=None)
    return user, project_create(owner=user, name="work").pk


@pytest.fixture
def tracker(postgres_only):
    """A user with a project of their own, committed."""
    return _tracker("tracker")


@pytest.fixture
def other_tracker(tracker):
    """A second one: a writer held open keeps its user's row locked, so the writers that
    commit meanwhile are other people."""
    return _tracker("other")
