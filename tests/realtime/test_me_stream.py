"""/ws/me: hello, timers started and stopped from a socket or over REST reaching every
tab, service errors as error frames, and the user's own rank changes."""

from datetime import timedelta

import pytest

from tests.realtime.streams import first, first_event, gather, quiet
from tests.support.clock import now_clear_of_midnight

pytestmark = pytest.mark.live


def test_hello_names_the_user_the_running_timer_and_the_newest_event(connect, team):
    quiet_hello = first(connect("/ws/me", token=team.contributor.token), "hello")
    assert quiet_hello["timer"] is None
    assert quiet_hello["user"] == {"id": team.contributor.id, "username": team.contributor.username,
                                   "avatar_url": ""}
    started = team.contributor.api.post("/time-entries/start", json={"project": team.pid})
    assert started.status_code == 201, started.text
    cursor = quiet_hello["last_event_id"]
    socket = connect("/ws/me", token=team.contributor.token, since=cursor)
    hello = first(socket, "hello")
    assert hello["timer"]["id"] == started.json()["entry"]["id"]
    assert hello["timer"]["end_time"] is None
    # last_event_id is the relay's horizon: the start's event is inside it (replayed after
    # hello) or just past it (arriving live); either way this socket receives it.
    assert hello["last_event_id"] >= cursor
    assert first(socket, "timer.started")["id"] > cursor


def test_a_timer_started_and_stopped_on_one_socket_reaches_every_tab(connect, team):
    tab1 = connect("/ws/me", token=team.contributor.token)
    tab2 = connect("/ws/me", token=team.contributor.token)
    first(tab1, "hello"), first(tab2, "hello")

    # The reply and the broadcast may arrive in either order (docs/realtime.md).
    tab1.send({"type": "timer.start", "project": team.pid, "description": "writing", "ref": "s1"})
    got = gather(tab1, "ok", "timer.started")
    reply = got["ok"]
    assert reply["ref"] == "s1" and reply["request"] == "timer.start"
    assert reply["entry"]["description"] == "writing" and reply["stopped"] is None
    for started in (got["timer.started"], first(tab2, "timer.started")):
        assert started["entry"]["id"] == reply["entry"]["id"]
        assert started["event"]["kind"] == "timer.started" and started["event"]["id"] == started["id"]

    tab2.send({"type": "timer.stop", "ref": 7})
    got = gather(tab2, "ok", "timer.stopped")
    assert got["ok"]["ref"] == 7 and got["ok"]["entry"]["end_time"] is not None
    for stopped in (got["timer.stopped"], first(tab1, "timer.stopped")):
        assert stopped["entry"]["id"] == reply["entry"]["id"] and stopped["reason"] == "user"


def test_starting_over_a_running_timer_pushes_both_changes(connect, team):
    socket = connect("/ws/me", token=team.contributor.token)
    first(socket, "hello")
    socket.send({"type": "timer.start", "project": team.pid, "ref": "a"})
    socket.send({"type": "timer.start", "project": team.pid, "ref": "b"})
    messages = quiet(socket)
    replies = {m["ref"]: m for m in messages if m["type"] == "ok"}
    first_entry, second = replies["a"]["entry"], replies["b"]
    assert second["stopped"]["id"] == first_entry["id"]
    timers = [(m["type"], m["entry"]["id"]) for m in messages if m["type"].startswith("timer.")]
    assert timers == [("timer.started", first_entry["id"]), ("timer.stopped", first_entry["id"]),
                      ("timer.started", second["entry"]["id"])]


def test_a_timer_started_over_rest_reaches_the_socket(connect, team):
    socket = connect("/ws/me", token=team.contributor.token)
    first(socket, "hello")
    response = team.contributor.api.post("/time-entries/start", json={"project": team.pid})
    assert response.status_code == 201, response.text
    started = first(socket, "timer.started", timeout=3)
    assert started["entry"]["id"] == response.json()["entry"]["id"]
    assert started["event"]["actor"]["id"] == team.contributor.id


def test_teammates_see_the_change_as_a_timeline_event(connect, team):
    owner = connect("/ws/me", token=team.owner.token)
    stranger = connect("/ws/me", token=team.stranger.token)
    first(owner, "hello"), first(stranger, "hello")
    team.contributor.api.post("/time-entries/start", json={"project": team.pid})
    event = first_event(owner, "timer.started", timeout=3)
    assert event["event"]["project"] == team.pid
    assert event["id"] == event["event"]["id"]
    assert [m for m in quiet(stranger) if m["type"] != "pong"] == []


def test_service_errors_come_back_as_error_frames_with_the_ref(connect, team):
    socket = connect("/ws/me", token=team.stranger.token)
    first(socket, "hello")
    socket.send({"type": "timer.start", "project": team.pid, "ref": "private"})
    assert first(socket, "error") | {"detail": None} == {
        "type": "error", "code": "not_found", "detail": None, "ref": "private"}
    socket.send({"type": "timer.stop", "ref": "none"})
    error = first(socket, "error")
    assert (error["code"], error["ref"]) == ("no_running_timer", "none")
    viewer = connect("/ws/me", token=team.viewer.token)
    first(viewer, "hello")
    viewer.send({"type": "timer.start", "project": team.pid, "ref": 1})
    assert first(viewer, "error")["code"] == "forbidden"
    viewer.send({"type": "timer.start", "project": team.pid, "description": "x" * 501, "ref": 2})
    error = first(viewer, "error")
    assert error["code"] == "validation_error" and "description" in error["errors"]


def test_ping_gets_pong_with_the_ref(connect, person):
    socket = connect("/ws/me", token=person().token)
    first(socket, "hello")
    socket.send({"type": "ping", "ref": "p"})
    assert first(socket, "pong") == {"type": "pong", "ref": "p"}


def test_a_user_hears_when_their_own_rank_changes(connect, public_team):
    owner, contributor = public_team.owner, public_team.contributor
    end = now_clear_of_midnight(timedelta(seconds=70))  # all of it on this week's board
    for actor, seconds in ((owner, 30), (contributor, 10)):
        response = actor.api.post("/time-entries", json={
            "project": public_team.pid, "start_time": (end - timedelta(seconds=seconds)).isoformat(),
            "end_time": end.isoformat()})
        assert response.status_code == 201, response.text
    socket = connect("/ws/me", token=contributor.token)
    first(socket, "hello")
    response = contributor.api.post("/time-entries", json={
        "project": public_team.pid, "start_time": (end - timedelta(seconds=70)).isoformat(),
        "end_time": (end - timedelta(seconds=20)).isoformat()})
    assert response.status_code == 201, response.text
    rank = first(socket, "leaderboard.rank", timeout=4)
    assert (rank["metric"], rank["period"], rank["rank"], rank["previous"]) == ("time", "week", 1, 2)
    assert rank["score"] == 60


def test_a_timer_stopped_by_losing_access_says_why(connect, team):
    team.contributor.api.post("/time-entries/start", json={"project": team.pid})
    socket = connect("/ws/me", token=team.contributor.token)
    assert first(socket, "hello")["timer"] is not None
    removed = team.owner.api.delete(f"/projects/{team.pid}/members/{team.contributor.id}")
    assert removed.status_code == 204, removed.text
    assert first(socket, "timer.stopped", timeout=3)["reason"] == "access_revoked"
