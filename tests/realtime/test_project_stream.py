"""/ws/projects/{id}: who is tracking (from timer rows), who is online (per-process
reports with a TTL), and the project's timeline live, under the privacy rules."""

import pytest
from django.db import transaction

from focushub.projects.models import Project
from focushub.projects.presenters import project_brief
from focushub.timeline.selectors import events_for_project
from focushub.timeline.services import event_record
from tests.realtime.streams import close_code, first, first_event, kinds_through

pytestmark = pytest.mark.live


def presence_until(socket, predicate, timeout: float = 8) -> dict:
    return socket.recv_until(lambda m: m["type"] == "presence" and predicate(m), timeout=timeout)


def tracking(message: dict) -> list[str]:
    return [row["user"]["username"] for row in message["tracking"]]


def online(message: dict) -> dict[str, int]:
    return {row["user"]["username"]: row["devices"] for row in message["online"] or []}


def test_members_see_who_starts_and_stops_tracking(connect, team):
    socket = connect(f"/ws/projects/{team.pid}", token=team.owner.token)
    hello = first(socket, "hello")
    assert hello["project"]["id"] == team.pid and hello["project"]["role"] == "owner"
    assert tracking(first(socket, "presence")) == []

    started = team.contributor.api.post("/time-entries/start", json={"project": team.pid}).json()["entry"]
    now = presence_until(socket, lambda m: m["tracking"])
    assert now["tracking"] == [{"user": {"id": team.contributor.id, "username": team.contributor.username,
                                         "avatar_url": ""},
                                "entry": started["id"], "running_since": started["start_time"]}]
    team.contributor.api.post("/time-entries/stop")
    presence_until(socket, lambda m: not m["tracking"])


def test_members_see_who_is_online_and_a_crashed_server_s_sockets_vanish(connect, start_server, team):
    watcher = connect(f"/ws/projects/{team.pid}", token=team.owner.token)
    first(watcher, "hello")
    presence_until(watcher, lambda m: online(m) == {team.owner.username: 1})
    other = start_server()
    first(connect("/ws/me", token=team.maintainer.token, server=other), "hello")
    first(connect("/ws/me", token=team.maintainer.token, server=other), "hello")
    presence_until(watcher, lambda m: online(m).get(team.maintainer.username) == 2)
    other.kill()  # no goodbye: only the TTL of its report can clear it
    presence_until(watcher, lambda m: team.maintainer.username not in online(m), timeout=18)


def test_the_project_timeline_is_live_for_members(connect, team):
    socket = connect(f"/ws/projects/{team.pid}", token=team.viewer.token)
    first(socket, "hello")
    team.contributor.api.post("/time-entries/start", json={"project": team.pid})
    event = first_event(socket, "timer.started")
    assert event["event"]["actor"]["id"] == team.contributor.id


def test_a_stranger_gets_4404_on_a_private_project(connect, team):
    assert close_code(connect(f"/ws/projects/{team.pid}", token=team.stranger.token)) == 4404
    assert close_code(connect(f"/ws/projects/{team.pid}")) == 4404
    assert close_code(connect("/ws/projects/999999999")) == 4404


def test_a_public_project_is_open_to_anyone_but_only_its_public_events(connect, public_team):
    stranger = connect(f"/ws/projects/{public_team.pid}", token=public_team.stranger.token)
    anonymous = connect(f"/ws/projects/{public_team.pid}")
    member = connect(f"/ws/projects/{public_team.pid}", token=public_team.viewer.token)
    for socket in (stranger, anonymous, member):
        first(socket, "hello")
        first(socket, "presence")
    project = Project.objects.get(pk=public_team.pid)
    with transaction.atomic():
        event_record(actor_id=public_team.owner.id, kind="project.updated", project=project,
                     payload={"project": project_brief(project), "changes": ["description"]}, audience="project")
    public_team.contributor.api.post("/time-entries/start", json={"project": public_team.pid})

    assert kinds_through(member, "timer.started") == ["project.updated", "timer.started"]
    assert kinds_through(stranger, "timer.started") == ["timer.started"]
    assert kinds_through(anonymous, "timer.started") == ["timer.started"]


def test_non_members_see_who_tracks_but_not_who_is_online(connect, public_team):
    public_team.contributor.api.post("/time-entries/start", json={"project": public_team.pid})
    stranger = connect(f"/ws/projects/{public_team.pid}", token=public_team.stranger.token)
    assert first(stranger, "hello")["project"]["role"] is None
    presence = first(stranger, "presence")
    assert tracking(presence) == [public_team.contributor.username]
    assert presence["online"] is None


def test_a_watcher_who_loses_access_is_closed_with_4404(connect, public_team):
    stranger = connect(f"/ws/projects/{public_team.pid}", token=public_team.stranger.token)
    first(stranger, "hello")
    response = public_team.owner.api.patch(f"/projects/{public_team.pid}", json={"visibility": "private"})
    assert response.status_code == 200, response.text
    assert close_code(stranger, timeout=30) == 4404


def test_the_project_timeline_resumes_with_since(connect, team):
    socket = connect(f"/ws/projects/{team.pid}", token=team.owner.token)
    since = first(socket, "hello")["last_event_id"]
    socket.close()
    team.contributor.api.post("/time-entries/start", json={"project": team.pid})
    team.contributor.api.post("/time-entries/stop")
    resumed = connect(f"/ws/projects/{team.pid}", token=team.owner.token, since=since)
    # Everything after `since`: the start and the stop, and whatever the team's set-up
    # committed after the horizon hello reported (it trails the newest commit by design).
    replayed = events_for_project(team.pid, is_member=True).filter(id__gt=since).order_by("id")
    expected = list(replayed.values_list("kind", flat=True))
    assert expected[-2:] == ["timer.started", "timer.stopped"]
    assert kinds_through(resumed, "timer.stopped") == expected
