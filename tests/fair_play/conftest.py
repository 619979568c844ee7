"""A daphne with the default fair-play rules (every source counts, 7 days of
back-dating), beside the session server that trusts back-dated time for the period
tests. People here sign in with tokens and talk to this server."""

import pytest

from tests.conftest import LOG_DIR
from tests.support.clients import Actor, Api
from tests.support.processes import Daphne

DEFAULT_RULES = {"BOARD_BACKDATE_DAYS": "7", "BOARD_SOURCES": "timer,manual,edited"}


@pytest.fixture(scope="module")
def fair_server(server, django_db_blocker):
    with django_db_blocker.unblock():
        proc = Daphne(LOG_DIR, **DEFAULT_RULES)
    yield proc
    proc.stop()


@pytest.fixture
def fair_rules(settings):
    """The same rules for services run in this process."""
    settings.BOARD_BACKDATE_DAYS = 7
    settings.BOARD_SOURCES = ["edited", "manual", "timer"]


@pytest.fixture
def player(person, fair_server, fair_rules):
    """player(**fields) -> an Actor whose Api talks to the default-rules server."""

    def make(**fields) -> Actor:
        actor = person(**fields)
        actor.api = Api(fair_server.url, actor.token)
        return actor

    return make


def board(actor: Actor, **params) -> dict[int, int]:
    """user id -> score on a board, as GET /leaderboard shows it."""
    response = actor.api.get("/leaderboard", params={"metric": "time", **params})
    assert response.status_code == 200, response.text
    return {row["user"]["id"]: row["score"] for row in response.json()["rows"]}
