"""A time a client sends must say which instant it is: ISO 8601 with a UTC offset. A
time without one, or a bare date, is a 400 naming the field (never silently UTC), and
nothing is written."""

from datetime import timedelta

import pytest
from django.utils import timezone

from focushub.tracking.models import TimeEntry

pytestmark = pytest.mark.live


@pytest.mark.parametrize("start", ["2026-11-20T09:00:00", "2026-11-20", "2026-11-20 09:00"])
def test_a_time_without_an_offset_is_refused_and_nothing_is_written(team, start):
    response = team.contributor.api.post("/time-entries", json={
        "project": team.pid, "start_time": start, "end_time": "2026-11-20T10:00:00Z"})
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "validation_error"
    assert "UTC offset" in response.json()["errors"]["start_time"][0]
    assert not TimeEntry.objects.exists()


def test_offsets_are_honoured_and_the_answer_is_in_utc(team):
    day = (timezone.now() - timedelta(days=1)).date().isoformat()
    response = team.contributor.api.post("/time-entries", json={
        "project": team.pid, "start_time": f"{day}T09:00:00+01:00", "end_time": f"{day}T09:30:00Z"})
    assert response.status_code == 201, response.text
    assert (response.json()["start_time"], response.json()["duration"]) == (f"{day}T08:00:00Z", 5400)


def test_filters_and_edits_take_the_same_rule(team):
    listed = team.contributor.api.get("/time-entries", params={"from": "2026-11-20T00:00:00"})
    assert (listed.status_code, list(listed.json()["errors"])) == (400, ["from"])
    exported = team.contributor.api.get("/time-entries/export", params={"to": "2026-11-20"})
    assert (exported.status_code, list(exported.json()["errors"])) == (400, ["to"])
    started = team.contributor.api.post("/time-entries/start", json={"project": team.pid}).json()["entry"]
    edited = team.contributor.api.patch(f"/time-entries/{started['id']}", json={"start_time": "2026-11-20T08:00"})
    assert (edited.status_code, list(edited.json()["errors"])) == (400, ["start_time"])
