import pytest
from django.db import connection

from focushub.accounts.models import User
from focushub.projects.services import project_create


@pytest.fixture
def postgres_only(transactional_db):
    """The ordering mechanism under test exists because PostgreSQL runs event writers in
    parallel; SQLite serialises them (one writer at a time), so these interleavings
    cannot even be set up there."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL-only interleaving: SQLite serialises writers")


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
