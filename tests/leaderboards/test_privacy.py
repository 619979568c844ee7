"""Who may read which board: everyone reads global and public-project boards; a private
project's boards exist only for its members (404, never 403)."""

import pytest

from tests.leaderboards.conftest import log_time, read_board, standings
from tests.support.clients import Api


@pytest.fixture
def secret(person, new_project):
    owner, member = person(), person()
    project_id = new_project(owner, visibility="private", members=[member])
    log_time(member, project_id, seconds=120)
    return owner, member, project_id


def test_members_read_a_private_projects_board(secret):
    owner, member, project_id = secret
    assert standings(read_board(owner.api, period="all", project=project_id)) == [(member.username, 1, 120)]


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_a_private_projects_board_does_not_exist_for_others(secret, anon, person, who):
    _, _, project_id = secret
    api = anon if who == "anonymous" else person().api
    hidden = api.get("/leaderboard", params={"project": project_id, "period": "all"})
    missing = api.get("/leaderboard", params={"project": project_id + 1000, "period": "all"})
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() == {"code": "not_found", "detail": "Not found."}


def test_anyone_reads_a_public_projects_board(person, new_project, anon):
    owner = person()
    project_id = new_project(owner, visibility="public")
    log_time(owner, project_id, seconds=60)
    assert standings(read_board(anon, period="all", project=project_id)) == [(owner.username, 1, 60)]


def test_time_on_a_private_project_counts_on_the_global_board_without_naming_it(secret, anon):
    _, member, _ = secret
    rows = read_board(anon, period="all")["rows"]
    assert [(row["user"]["id"], row["score"]) for row in rows] == [(member.id, 120)]
    assert set(rows[0]) == {"rank", "user", "score", "running_since"}


def test_a_bad_token_is_refused_rather_than_read_as_anonymous(live):
    response = Api(live.url, "not-a-token").get("/leaderboard")
    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"
