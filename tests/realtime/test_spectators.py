"""/ws/leaderboard: a snapshot, then an update after each committed change, coalesced to
at most four a second, for every scope GET /leaderboard serves. The tests wait for the
update itself, never for a fixed time."""

import time
from datetime import timedelta

import pytest

from tests.realtime.streams import close_code, first
from tests.support.cast import log_span

pytestmark = pytest.mark.live


def scores(message: dict) -> list[tuple[str, int, int]]:
    return [(row["user"]["username"], row["rank"], row["score"]) for row in message["rows"]]


def test_a_spectator_gets_a_snapshot_then_an_update_after_an_api_change(connect, anon, public_team):
    log_span(public_team.owner, public_team.pid, minutes=30)
    socket = connect("/ws/leaderboard", period="all")
    snapshot = first(socket, "leaderboard.snapshot")
    assert snapshot["rows"] == anon.get("/leaderboard?period=all").json()["rows"]
    assert (snapshot["metric"], snapshot["period"], snapshot["project"]) == ("time", "all", None)
    assert scores(snapshot) == [(public_team.owner.username, 1, 1800)]

    log_span(public_team.contributor, public_team.pid, minutes=45)
    update = first(socket, "leaderboard.update")
    assert scores(update) == [(public_team.contributor.username, 1, 2700), (public_team.owner.username, 2, 1800)]
    assert update["version"] > snapshot["version"]
    assert update["rows"] == anon.get("/leaderboard?period=all").json()["rows"]


def test_a_running_timer_shows_as_running_since(connect, public_team):
    socket = connect("/ws/leaderboard", period="all")
    first(socket, "leaderboard.snapshot")
    log_span(public_team.owner, public_team.pid, minutes=5)
    first(socket, "leaderboard.update")
    started = public_team.owner.api.post("/time-entries/start", json={"project": public_team.pid}).json()["entry"]
    update = first(socket, "leaderboard.update")
    assert update["rows"][0]["running_since"] == started["start_time"]


def test_many_changes_are_coalesced_to_at_most_four_updates_a_second(connect, anon, public_team):
    socket = connect("/ws/leaderboard", period="all")
    first(socket, "leaderboard.snapshot")
    people = [public_team.owner, public_team.maintainer, public_team.contributor, public_team.helper]
    started = time.monotonic()
    for i in range(24):
        log_span(people[i % 4], public_team.pid, minutes=1 + i, ago=timedelta(minutes=60 * i))
    elapsed = time.monotonic() - started
    final = anon.get("/leaderboard?period=all").json()["rows"]
    updates = [first(socket, "leaderboard.update")]
    while updates[-1]["rows"] != final:  # read until the update that shows every change
        updates.append(first(socket, "leaderboard.update"))
    # The changes took `elapsed`; at most four updates a second for that long, plus the
    # one for the last change (a slower machine only widens the bound).
    assert len(updates) <= 4 * (elapsed + 1.5) + 1
    assert len(updates) < 24


@pytest.mark.parametrize("metric,period", [("time", "day"), ("time", "month"), ("badges", "week")])
def test_every_metric_and_period_can_be_watched(connect, anon, metric, period):
    snapshot = first(connect("/ws/leaderboard", metric=metric, period=period, limit=5), "leaderboard.snapshot")
    rest = anon.get(f"/leaderboard?metric={metric}&period={period}&limit=5").json()
    assert (snapshot["metric"], snapshot["period"], snapshot["rows"]) == (metric, period, rest["rows"])


def test_a_project_board_follows_the_project_privacy(connect, team, public_team):
    log_span(team.contributor, team.pid, minutes=20)
    anonymous = connect("/ws/leaderboard", project=team.pid)
    assert first(anonymous, "error")["code"] == "not_found"
    assert close_code(anonymous) == 4404
    assert close_code(connect("/ws/leaderboard", project=team.pid, token=team.stranger.token)) == 4404
    member = first(connect("/ws/leaderboard", project=team.pid, token=team.viewer.token, period="all"),
                   "leaderboard.snapshot")
    assert scores(member) == [(team.contributor.username, 1, 1200)]
    public = connect("/ws/leaderboard", project=public_team.pid, period="all")
    assert first(public, "leaderboard.snapshot")["project"] == public_team.pid
    log_span(public_team.owner, public_team.pid, minutes=3)
    assert scores(first(public, "leaderboard.update")) == [(public_team.owner.username, 1, 180)]


@pytest.mark.parametrize("query", [{"metric": "speed"}, {"period": "decade"}, {"limit": "0"}, {"project": "x"}])
def test_bad_parameters_get_an_error_then_4400(connect, query):
    socket = connect("/ws/leaderboard", **query)
    error = first(socket, "error")
    assert error["code"] == "validation_error" and set(error["errors"]) == set(query)
    assert close_code(socket) == 4400
