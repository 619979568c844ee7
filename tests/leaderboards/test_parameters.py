"""Bad query parameters: a 400 that names each bad parameter, never a 500."""

import pytest

from tests.leaderboards.conftest import read_board


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"metric": "lines"}, "metric"),
        ({"period": "year"}, "period"),
        ({"period": "WEEK"}, "period"),
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "1.5"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"offset": "9" * 40}, "offset"),
        ({"project": "abc"}, "project"),
        ({"project": "0"}, "project"),
        ({"project": "-3"}, "project"),
        ({"project": "9" * 40}, "project"),
        ({"project": "1\x00"}, "project"),
        ({"metric": "badges", "project": "1"}, "project"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(anon, params, field):
    response = anon.get("/leaderboard", params=params)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == "validation_error"
    assert list(body["errors"]) == [field]


def test_every_bad_parameter_is_reported_at_once(anon):
    response = anon.get("/leaderboard", params={"metric": "x", "period": "y", "limit": "z", "offset": "w"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"metric", "period", "limit", "offset"}


def test_absent_parameters_mean_the_defaults_and_unknown_ones_are_ignored(crew, anon):
    body = read_board(anon, colour="red")
    assert (body["metric"], body["period"], body["limit"], body["offset"], body["project"]) == (
        "time", "week", 20, 0, None,
    )


def test_a_parameter_sent_empty_is_a_400_naming_it(anon):
    response = anon.get("/leaderboard", params={"metric": "", "period": "", "limit": "", "offset": "", "project": ""})
    assert response.status_code == 400, response.text
    assert set(response.json()["errors"]) == {"metric", "period", "limit", "offset", "project"}


def test_limits_at_the_edges_are_accepted(crew, anon):
    assert len(read_board(anon, period="all", limit=1)["rows"]) == 1
    assert len(read_board(anon, period="all", limit=100)["rows"]) == 4
    assert read_board(anon, period="all", offset=10**9)["rows"] == []


def test_only_get_is_allowed(crew, anon):
    response = anon.post("/leaderboard", json={})
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_a_query_string_answers_the_same_however_often_it_is_sent(crew, anon):
    """Each process validates a valid query string once and remembers what it means
    (QueryInput.read); a bad one is refused every time, and a remembered one is not worn
    down by the readers that use it."""
    for _ in range(3):
        response = anon.get("/leaderboard", params={"limit": "0", "period": "all"})
        assert response.status_code == 400 and list(response.json()["errors"]) == ["limit"]
        body = read_board(anon, period="all", limit=2)
        assert (body["period"], body["limit"], len(body["rows"])) == ("all", 2, 2)
        assert read_board(anon, period="all", limit=2, offset=3)["offset"] == 3


def test_a_board_asked_for_as_indented_json_is_the_same_board_indented(crew, anon):
    compact = anon.get("/leaderboard", params={"period": "all"})
    indented = anon.get("/leaderboard", params={"period": "all"}, headers={"Accept": "application/json; indent=2"})
    assert compact.status_code == indented.status_code == 200
    assert indented.json() == compact.json()
    assert b'\n  "metric"' in indented.content and b"\n" not in compact.content
    assert compact.headers["Content-Type"] == "application/json"
