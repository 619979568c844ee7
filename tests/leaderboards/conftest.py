"""Time and board readings for the leaderboard tests. Everything a test asserts goes
through GET /leaderboard on the live daphne; time is logged through POST /time-entries,
so rollups, board scores and events are the ones the real services write. People and
projects come from tests/support/cast.py (the `person` and `new_project` fixtures)."""

from datetime import datetime, timedelta

import pytest

from focushub.leaderboards.backends import get_backend
from tests.support.cast import log_entry, moment, new_project
from tests.support.clients import Actor, Api


def log_time(actor: Actor, project_id: int, *, seconds: int, end: datetime | None = None) -> dict:
    """A finished entry of `seconds` ending at `end`. By default it ends a moment ago, or
    where the actor's last default-placed entry began: one person's entries then never
    overlap, so each counts in full (overlaps count once, focushub.tracking.credit)."""
    if end is None:
        end = min(moment(seconds=5), actor.extra.get("logged_from", moment(seconds=5)))
        actor.extra["logged_from"] = end - timedelta(seconds=seconds)
    return log_entry(actor, project_id, end - timedelta(seconds=seconds), end)


def read_board(api: Api, **params) -> dict:
    response = api.get("/leaderboard", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def standings(body: dict) -> list[tuple[str, int, int]]:
    """(username, rank, score) of each row, in order."""
    return [(row["user"]["username"], row["rank"], row["score"]) for row in body["rows"]]


def stored(board_key: str) -> dict[int, int]:
    """What the configured store holds for one board: user id -> score."""
    return get_backend().members(board_key)


@pytest.fixture
def crew(person):
    """Four people on one public project, with 300, 200, 200 and 100 seconds all-time."""
    people = [person() for _ in range(4)]
    project_id = new_project(people[0], members=people[1:])
    for actor, seconds in zip(people, (300, 200, 200, 100), strict=True):
        log_time(actor, project_id, seconds=seconds)
    return people, project_id
