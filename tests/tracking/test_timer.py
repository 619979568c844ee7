"""The timer over real HTTP: start, stop, current. Starting a timer while another runs
stops the running one at the same instant (docs/tracking.md, "Time entries")."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from focushub.timeline.models import Event
from focushub.tracking.models import TimeEntry
from focushub.tracking.presenters import entry_data
from focushub.tracking.services import time_entry_auto_stop

ENTRY_FIELDS = {
    "id", "project", "description", "start_time", "end_time", "duration", "source", "created_at", "updated_at",
}


def test_starting_a_timer_returns_the_running_entry_and_nothing_stopped(team):
    response = team.contributor.api.post("/time-entries/start/", json={"project": team.pid, "description": "Draft"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"entry", "stopped"} and body["stopped"] is None
    entry = body["entry"]
    assert set(entry) == ENTRY_FIELDS
    assert (entry["description"], entry["end_time"], entry["duration"]) == ("Draft", None, None)
    # The project comes embedded, so a client draws the entry without a second request.
    project = team.contributor.api.get(f"/projects/{team.pid}").json()
    assert entry["project"] == {k: project[k] for k in ("id", "name", "color", "visibility")}
    assert entry["start_time"].endswith("Z")
    assert team.contributor.api.get("/time-entries/current").json() == entry
    assert Event.objects.get(kind="timer.started").payload == body  # the event carries the same two fields


def test_the_rest_entry_is_the_same_object_websocket_frames_carry(team):
    body = team.contributor.api.post("/time-entries/start", json={"project": team.pid}).json()["entry"]
    stopped = team.contributor.api.post("/time-entries/stop").json()
    assert stopped == entry_data(TimeEntry.objects.get(pk=body["id"]))


def test_starting_while_running_stops_the_running_timer_at_the_same_instant(team):
    first = team.contributor.api.post("/time-entries/start", json={"project": team.pid}).json()["entry"]
    answer = team.contributor.api.post("/time-entries/start", json={"project": team.pid}).json()
    second, stopped = answer["entry"], answer["stopped"]
    assert stopped["id"] == first["id"]
    start, end = parse_datetime(first["start_time"]), parse_datetime(stopped["end_time"])
    new_start = parse_datetime(second["start_time"])
    # The same instant, except that an entry lasts at least one second.
    assert end == max(new_start, start + timedelta(seconds=1))
    assert stopped["duration"] == (end - start).total_seconds()
    assert TimeEntry.objects.filter(end_time__isnull=True).count() == 1
    events = list(Event.objects.order_by("id"))[-2:]
    assert [event.kind for event in events] == ["timer.stopped", "timer.started"]
    assert events[1].payload == answer and events[0].payload["entry"] == stopped


def test_stopping_returns_the_finished_entry_and_a_second_stop_is_409(team):
    started = team.contributor.api.post("/time-entries/start", json={"project": team.pid}).json()["entry"]
    stopped = team.contributor.api.post("/time-entries/stop")
    assert stopped.status_code == 200
    assert stopped.json()["id"] == started["id"]
    assert stopped.json()["duration"] >= 1
    again = team.contributor.api.post("/time-entries/stop/")
    assert again.status_code == 409
    assert again.json()["code"] == "no_running_timer"
    assert team.contributor.api.get("/time-entries/current/").json() is None


def test_a_client_cannot_choose_the_duration_or_start_of_a_timer(team):
    body = team.contributor.api.post(
        "/time-entries/start", json={"project": team.pid, "duration": 99999, "start_time": "2001-01-01T00:00:00Z"}
    ).json()["entry"]
    assert body["duration"] is None
    assert abs(parse_datetime(body["start_time"]) - timezone.now()) < timedelta(seconds=30)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "project"),
        ({"project": "abc"}, "project"),
        ({"project": None}, "project"),
        ({"project": 0}, "project"),
        ({"project": 2**70}, "project"),
        ({"project": 1, "description": "d" * 501}, "description"),
        ({"project": 1, "description": ["x"]}, "description"),
    ],
)
def test_bad_start_requests_are_400_and_start_nothing(team, body, field):
    response = team.contributor.api.post("/time-entries/start", json=body)
    assert response.status_code == 400, response.text
    assert field in response.json()["errors"]
    assert not TimeEntry.objects.exists()


def test_a_failed_start_leaves_the_running_timer_alone(team):
    running = team.contributor.api.post("/time-entries/start", json={"project": team.pid}).json()["entry"]
    viewer_project = team.viewer.api.post("/projects", json={"name": "Viewer's own"}).json()
    refused = team.contributor.api.post("/time-entries/start", json={"project": viewer_project["id"]})
    assert refused.status_code == 404
    assert team.contributor.api.get("/time-entries/current").json()["id"] == running["id"]


def test_the_timer_is_per_user(team):
    mine = team.contributor.api.post("/time-entries/start", json={"project": team.pid}).json()["entry"]
    answer = team.maintainer.api.post("/time-entries/start", json={"project": team.pid}).json()
    theirs = answer["entry"]
    assert answer["stopped"] is None  # someone else's running timer is not mine to stop
    assert team.contributor.api.get("/time-entries/current").json()["id"] == mine["id"]
    assert team.contributor.api.get(f"/time-entries/{theirs['id']}").status_code == 404


def test_a_timer_never_claims_more_than_the_maximum_even_when_stopped_late(team):
    started = team.contributor.api.post("/time-entries/start", json={"project": team.pid}).json()["entry"]
    # The timer was forgotten and the auto-stop job did not run.
    long_ago = timezone.now().replace(microsecond=0) - timedelta(hours=settings.TIMER_MAX_HOURS + 18)
    TimeEntry.objects.filter(pk=started["id"]).update(start_time=long_ago)
    stopped = team.contributor.api.post("/time-entries/stop").json()
    assert stopped["duration"] == settings.TIMER_MAX_HOURS * 3600


def test_auto_stop_ends_an_overdue_timer_at_start_plus_the_maximum(team):
    started = team.contributor.api.post("/time-entries/start", json={"project": team.pid}).json()["entry"]
    hours = settings.TIMER_MAX_HOURS
    start = timezone.now().replace(microsecond=0) - timedelta(hours=hours + 1)
    TimeEntry.objects.filter(pk=started["id"]).update(start_time=start)

    entry = time_entry_auto_stop(entry_id=started["id"])

    assert entry.end_time == start + timedelta(hours=hours)
    assert entry.duration == hours * 3600
    event = Event.objects.get(kind="timer.auto_stopped")
    assert (event.actor_id, event.payload["entry"]["id"], event.payload["max_hours"]) == (
        team.contributor.id, started["id"], hours
    )
    assert time_entry_auto_stop(entry_id=started["id"]) is None


def test_auto_stop_leaves_a_young_timer_running(team):
    started = team.contributor.api.post("/time-entries/start", json={"project": team.pid}).json()["entry"]
    assert time_entry_auto_stop(entry_id=started["id"]) is None
    assert team.contributor.api.get("/time-entries/current").json()["id"] == started["id"]
