import pytest

from tests.projects.cast import make_team, quick_actor


@pytest.fixture
def team(live):
    return make_team(live)


@pytest.fixture
def public_team(live):
    return make_team(live, visibility="public")


@pytest.fixture
def person(live):
    """Make one more signed-in user: person(timezone="Asia/Tokyo")."""
    return lambda **fields: quick_actor(live, **fields)
