"""People, projects and time for the leaderboard tests. Everything a test asserts goes
through GET /leaderboard on the live daphne; time is logged through POST /time-entries,
so rollups, board scores and events are the ones the real services write.

People are created without a password (they use an access token): hashing is slow on
purpose and these tests need many people."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from focushub.accounts.models import User
from focushub.accounts.tokens import issue_access
from focushub.leaderboards.backends import get_backend
from tests.support.clients import Actor, Api
from tests.support.names import unique_name


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def just_now() -> datetime:
    return timezone.now().replace(microsecond=0) - timedelta(seconds=5)


def log_time(actor: Actor, project_id: int, *, seconds: int, end: datetime | None = None) -> dict:
    """A finished entry of `seconds` ending at `end`. By default it ends a moment ago, or
    where the actor's last default-placed entry began: one person's entries then never
    overlap, so each counts in full (overlaps count once, focushub.tracking.credit)."""
    if end is None:
        end = min(just_now(), actor.extra.get("logged_from", just_now()))
        actor.extra["logged_from"] = end - timedelta(seconds=seconds)
    response = actor.api.post(
        "/time-entries",
        json={
            "project": project_id,
            "start_time": (end - timedelta(seconds=seconds)).isoformat(),
            "end_time": end.isoformat(),
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


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
def person(live):
    def make(**fields) -> Actor:
        username = fields.pop("username", None) or unique_name("lb")
        user = User(username=username, email=f"{username}@example.com", **fields)
        user.set_unusable_password()
        user.save()
        token = issue_access(user.pk)
        return Actor(user=user, token=token, api=Api(live.url, token))

    return make


@pytest.fixture
def new_project():
    """new_project(owner, visibility=..., members=[actor, ...]) -> project id, via the API."""

    def make(owner: Actor, *, visibility: str = "public", members=()) -> int:
        response = owner.api.post("/projects", json={"name": unique_name("project"), "visibility": visibility})
        assert response.status_code == 201, response.text
        project_id = response.json()["id"]
        for member in members:
            added = owner.api.post(
                f"/projects/{project_id}/members", json={"username": member.username, "role": "contributor"}
            )
            assert added.status_code == 201, added.text
        return project_id

    return make


@pytest.fixture
def crew(person, new_project):
    """Four people on one public project, with 300, 200, 200 and 100 seconds all-time."""
    people = [person() for _ in range(4)]
    project_id = new_project(people[0], members=people[1:])
    for actor, seconds in zip(people, (300, 200, 200, 100), strict=True):
        log_time(actor, project_id, seconds=seconds)
    return people, project_id
