"""Time entries over real HTTP: manual entries, the list and its filters, one entry,
edits and deletion (docs/tracking.md; docs/api.md). Only the owner of an entry ever sees it."""

import base64
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from focushub.accounts.models import User
from focushub.accounts.tokens import issue_access
from focushub.projects import services as project_services
from focushub.timeline.models import Event
from focushub.tracking import services
from focushub.tracking.models import DailyRollup, TimeEntry
from tests.support.cast import log_entry

_NOW: list = []


@pytest.fixture(autouse=True)
def _one_now_per_test():
    """Times in a test are relative to one instant: computed a second apart on a busy
    machine, "5 h ago" and "3 h ago" would be 7201 s apart."""
    _NOW[:] = [timezone.now().replace(microsecond=0)]


def _at(**delta) -> str:
    now = _NOW[0] if _NOW else timezone.now().replace(microsecond=0)  # parametrize lists: at import
    return (now - timedelta(**delta)).isoformat()


def test_a_manual_entry_gets_its_duration_from_the_server(team):
    body = log_entry(team.contributor, team.pid, _at(hours=3), _at(hours=2), description="Review", duration=5)
    assert body["duration"] == 3600
    assert body["description"] == "Review"
    assert sum(DailyRollup.objects.filter(user_id=team.contributor.id).values_list("seconds", flat=True)) == 3600
    assert Event.objects.get(kind="entry.created").payload["entry"]["id"] == body["id"]


def test_an_entry_may_last_exactly_a_day(team):
    assert log_entry(team.contributor, team.pid, _at(hours=24), _at())["duration"] == 86400


def test_an_end_a_moment_ahead_of_the_servers_clock_is_stored_as_its_now(team):
    """A client clock running up to 60 s fast is forgiven, but no entry ends after it was
    written: the end is the server's now."""
    sent_end = _at(seconds=-30)
    entry = log_entry(team.contributor, team.pid, _at(minutes=5), sent_end)
    end, written = datetime.fromisoformat(entry["end_time"]), datetime.fromisoformat(entry["updated_at"])
    assert end <= written < datetime.fromisoformat(sent_end)
    assert entry["duration"] == (end - datetime.fromisoformat(entry["start_time"])).total_seconds()


# Times are built when the test runs, not at collection: "60 s in the future" must stay
# in the future however long the suite takes to reach this test.
@pytest.mark.parametrize(
    ("times", "field"),
    [
        (lambda: {"start_time": _at(hours=1), "end_time": _at(hours=1)}, "end_time"),
        (lambda: {"start_time": _at(hours=1), "end_time": _at(hours=2)}, "end_time"),
        (lambda: {"start_time": _at(hours=25), "end_time": _at(hours=0)}, "end_time"),
        (lambda: {"start_time": _at(seconds=-120), "end_time": _at(seconds=-180)}, "start_time"),
        (lambda: {"start_time": _at(hours=1), "end_time": _at(seconds=-120)}, "end_time"),
        (lambda: {"start_time": "1969-12-31T23:00:00Z", "end_time": "1969-12-31T23:30:00Z"}, "start_time"),
        (lambda: {"start_time": "yesterday", "end_time": _at()}, "start_time"),
        (lambda: {"start_time": "0000-01-01T00:00:00Z", "end_time": _at()}, "start_time"),
        (lambda: {"start_time": "9999-12-31T23:59:59-05:00", "end_time": _at()}, "start_time"),
        (lambda: {"start_time": 12, "end_time": _at()}, "start_time"),
        (lambda: {"end_time": _at()}, "start_time"),
        (lambda: {"start_time": _at(hours=1)}, "end_time"),
        (lambda: {"start_time": _at(hours=1), "end_time": _at(), "description": "x" * 501}, "description"),
        (lambda: {"start_time": _at(hours=1), "end_time": _at(), "project": "seven"}, "project"),
    ],
)
def test_invalid_manual_entries_are_400_with_the_field_named(team, times, field):
    body = {"project": team.pid, **times()}
    response = team.contributor.api.post("/time-entries", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "validation_error"
    assert field in response.json()["errors"]
    assert not TimeEntry.objects.exists()
    assert not DailyRollup.objects.exists()


@pytest.mark.parametrize("raw", [b"{", b"[]", b"null", b'{"project": 1, "description": "\\ud800"}'])
def test_malformed_entry_bodies_are_400(team, raw):
    for method, path in (("POST", "/time-entries"), ("POST", "/time-entries/start")):
        response = team.contributor.api.request(method, path, data=raw, headers={"Content-Type": "application/json"})
        assert response.status_code == 400, (path, response.text)
    assert not TimeEntry.objects.exists()


def test_anonymous_and_bad_tokens_get_401_on_every_entry_path(anon, team):
    bad = type(anon)(anon.base_url, "not-a-jwt")
    refresh_shaped = type(anon)(anon.base_url, team.contributor.token + "x")
    for client in (anon, bad, refresh_shaped):
        for method, path in (
            ("GET", "/time-entries"), ("POST", "/time-entries"), ("GET", "/time-entries/1"),
            ("PATCH", "/time-entries/1"), ("DELETE", "/time-entries/1"), ("POST", "/time-entries/start"),
            ("POST", "/time-entries/stop"), ("GET", "/time-entries/current"), ("GET", "/time-entries/export"),
            ("GET", "/activity/overview"),
        ):
            response = client.request(method, path, json={})
            assert response.status_code == 401, (method, path, response.text)
            assert response.json()["code"] in {"not_authenticated", "token_invalid"}


def test_the_list_holds_only_my_entries_newest_first(team):
    old = log_entry(team.contributor, team.pid, _at(hours=5), _at(hours=4))
    new = log_entry(team.contributor, team.pid, _at(hours=3), _at(hours=2))
    log_entry(team.maintainer, team.pid, _at(hours=3), _at(hours=2))
    page = team.contributor.api.get("/time-entries").json()
    assert [e["id"] for e in page["results"]] == [new["id"], old["id"]]
    assert page["next"] is None and page["previous"] is None


def test_the_list_filters_by_project_time_window_and_running(team):
    other = team.contributor.api.post("/projects", json={"name": "Other"}).json()
    a = log_entry(team.contributor, team.pid, _at(hours=10), _at(hours=9))
    b = log_entry(team.contributor, other["id"], _at(hours=6), _at(hours=5))
    c = team.contributor.api.post("/time-entries/start", json={"project": team.pid}).json()["entry"]

    def ids(**query):
        response = team.contributor.api.get("/time-entries?" + urlencode(query))
        assert response.status_code == 200, response.text
        return [e["id"] for e in response.json()["results"]]

    assert ids(project=team.pid) == [c["id"], a["id"]]
    assert ids(running="true") == [c["id"]]
    assert ids(running="false") == [b["id"], a["id"]]
    # Overlap with [from, to): an entry that runs across `from` is included.
    assert ids(**{"from": _at(hours=9, minutes=30), "to": _at(hours=5, minutes=30)}) == [b["id"], a["id"]]
    assert ids(**{"from": _at(hours=1)}) == [c["id"]]
    assert ids(**{"to": _at(hours=8)}) == [a["id"]]


def _cursor(raw: bytes) -> str:
    return "cursor=" + base64.b64encode(raw).decode()


@pytest.mark.parametrize(
    "query",
    [
        "from=yesterday", "to=2026-13-01T00:00:00Z", "running=maybe", "project=abc", "project=-3",
        f"from={_at(hours=1)}&to={_at(hours=2)}", _cursor(b"o=abc"), _cursor(b"p=garbage"),
    ],
)
def test_bad_list_parameters_are_400(team, query):
    response = team.contributor.api.get("/time-entries?" + query.replace("+", "%2B"))
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "validation_error"


def test_the_cursor_walks_every_entry_once_even_with_equal_start_times(team):
    start, end = _at(hours=6), _at(hours=5)
    created = {log_entry(team.contributor, team.pid, start, end)["id"] for _ in range(3)}
    created |= {log_entry(team.contributor, team.pid, _at(hours=4), _at(hours=3))["id"] for _ in range(2)}
    seen, url = [], "/time-entries?limit=2"
    while url:
        page = team.contributor.api.get(url).json()
        assert len(page["results"]) <= 2
        seen += [e["id"] for e in page["results"]]
        url = page["next"] and page["next"].replace(team.contributor.api.base_url, "")
    assert sorted(seen) == sorted(created)
    assert len(seen) == len(set(seen))
    cursor = parse_qs(urlparse(team.contributor.api.get("/time-entries?limit=2").json()["next"]).query)["cursor"][0]
    assert team.contributor.api.get(f"/time-entries?cursor={cursor}&limit=2").status_code == 200


def test_someone_elses_entry_is_404_on_every_path(team):
    theirs = log_entry(team.maintainer, team.pid, _at(hours=3), _at(hours=2))
    for method in ("GET", "PATCH", "DELETE"):
        response = team.contributor.api.request(method, f"/time-entries/{theirs['id']}", json={"description": "x"})
        assert response.status_code == 404, (method, response.text)
    assert TimeEntry.objects.get(pk=theirs["id"]).description == ""


@pytest.mark.parametrize("bad_id", ["abc", "0", "-1", "99999999999999999999999", "1e3"])
def test_ids_that_are_not_entry_ids_are_404(team, bad_id):
    assert team.contributor.api.get(f"/time-entries/{bad_id}").status_code == 404
    assert team.contributor.api.delete(f"/time-entries/{bad_id}").status_code == 404


def test_editing_times_re_derives_the_duration_and_the_rollups(team):
    entry = log_entry(team.contributor, team.pid, _at(hours=5), _at(hours=4))
    response = team.contributor.api.patch(
        f"/time-entries/{entry['id']}/", json={"end_time": _at(hours=3), "duration": 1, "description": "Longer"}
    )
    assert response.status_code == 200, response.text
    assert (response.json()["duration"], response.json()["description"]) == (7200, "Longer")
    assert sum(DailyRollup.objects.values_list("seconds", flat=True)) == 7200
    assert Event.objects.filter(kind="entry.updated").count() == 1


def test_an_edit_that_changes_nothing_records_nothing(team):
    entry = log_entry(team.contributor, team.pid, _at(hours=5), _at(hours=4), description="Same")
    assert team.contributor.api.patch(f"/time-entries/{entry['id']}", json={"description": "Same"}).status_code == 200
    assert not Event.objects.filter(kind="entry.updated").exists()


def test_invalid_edits_are_400_and_change_nothing(team):
    entry = log_entry(team.contributor, team.pid, _at(hours=5), _at(hours=4))
    for body in (
        {"end_time": _at(hours=6)},
        {"start_time": _at(hours=30)},
        {"end_time": None},
        {"start_time": None},
        {"end_time": _at(seconds=-600)},
        {"description": "x" * 501},
        {"project": "abc"},
    ):
        response = team.contributor.api.patch(f"/time-entries/{entry['id']}", json=body)
        assert response.status_code == 400, (body, response.text)
    assert team.contributor.api.get(f"/time-entries/{entry['id']}").json() == entry


def test_moving_an_entry_needs_tracking_rights_on_the_target_project(team):
    entry = log_entry(team.contributor, team.pid, _at(hours=5), _at(hours=4))
    viewer_project = team.viewer.api.post("/projects", json={"name": "Private to viewer"}).json()
    hidden = team.contributor.api.patch(f"/time-entries/{entry['id']}", json={"project": viewer_project["id"]})
    assert hidden.status_code == 404
    watched = team.contributor.api.post("/projects", json={"name": "Watched"}).json()
    team.contributor.api.post(f"/projects/{watched['id']}/members", json={"username": team.viewer.username,
                                                                        "role": "viewer"})
    own = log_entry(team.viewer, viewer_project["id"], _at(hours=5), _at(hours=4))
    refused = team.viewer.api.patch(f"/time-entries/{own['id']}", json={"project": watched["id"]})
    assert refused.status_code == 403
    other = team.contributor.api.post("/projects", json={"name": "Mine too"}).json()
    moved = team.contributor.api.patch(f"/time-entries/{entry['id']}", json={"project": other["id"]})
    assert moved.status_code == 200
    assert set(DailyRollup.objects.values_list("project_id", flat=True)) == {other["id"], viewer_project["id"]}


def test_a_former_tracker_may_fix_a_description_but_not_move_time(team):
    entry = log_entry(team.helper, team.pid, _at(hours=5), _at(hours=4))
    team.owner.api.patch(f"/projects/{team.pid}/members/{team.helper.id}", json={"role": "viewer"})
    assert team.helper.api.patch(f"/time-entries/{entry['id']}", json={"description": "typo"}).status_code == 200
    moved = team.helper.api.patch(f"/time-entries/{entry['id']}", json={"start_time": _at(hours=6)})
    assert moved.status_code == 403
    assert team.helper.api.delete(f"/time-entries/{entry['id']}").status_code == 204


def test_setting_an_end_stops_a_running_entry_and_is_announced_as_a_stop(team):
    running = team.contributor.api.post("/time-entries/start", json={"project": team.pid}).json()["entry"]
    response = team.contributor.api.patch(f"/time-entries/{running['id']}", json={"end_time": _at(seconds=-5)})
    assert response.status_code == 200, response.text
    assert response.json()["duration"] >= 1
    assert team.contributor.api.get("/time-entries/current").json() is None
    assert Event.objects.filter(kind="timer.stopped", payload__entry__id=running["id"]).exists()


def test_a_running_entry_can_start_earlier_but_not_in_the_future(team):
    running = team.contributor.api.post("/time-entries/start", json={"project": team.pid}).json()["entry"]
    earlier = team.contributor.api.patch(f"/time-entries/{running['id']}", json={"start_time": _at(hours=2)})
    assert earlier.status_code == 200
    assert earlier.json()["end_time"] is None
    future = team.contributor.api.patch(f"/time-entries/{running['id']}", json={"start_time": _at(seconds=-90)})
    assert future.status_code == 400
    assert "start_time" in future.json()["errors"]
    # Within the 60 s a fast client clock is forgiven, the start becomes the server's now.
    moment = team.contributor.api.patch(f"/time-entries/{running['id']}", json={"start_time": _at(seconds=-30)})
    assert moment.status_code == 200, moment.text
    assert moment.json()["start_time"] <= moment.json()["updated_at"]
    assert not DailyRollup.objects.exists()


def test_deleting_an_entry_takes_its_time_off_rollups_and_leaderboards(team):
    keep = log_entry(team.contributor, team.pid, _at(hours=5), _at(hours=4, minutes=30))
    gone = log_entry(team.contributor, team.pid, _at(hours=3), _at(hours=2))
    assert team.contributor.api.delete(f"/time-entries/{gone['id']}/").status_code == 204
    assert team.contributor.api.get(f"/time-entries/{gone['id']}").status_code == 404
    assert sum(DailyRollup.objects.values_list("seconds", flat=True)) == keep["duration"]
    board = team.contributor.api.get("/leaderboard?metric=time&period=all").json()["rows"]
    assert [(row["user"]["id"], row["score"]) for row in board] == [(team.contributor.id, keep["duration"])]
    assert Event.objects.get(kind="entry.deleted").payload["entry"]["id"] == gone["id"]


@pytest.mark.django_db
def test_listing_entries_costs_a_fixed_number_of_queries(django_assert_max_num_queries):
    user = User.objects.create_user(email="t@example.com", username="tracker_q", password=None)
    project = project_services.project_create(owner=user, name="Busy")
    now = timezone.now()
    for hour in range(1, 15):
        services.time_entry_create(
            user=user, project_id=project.pk, start_time=now - timedelta(hours=hour, minutes=30),
            end_time=now - timedelta(hours=hour),
        )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access(user.pk)}")
    with django_assert_max_num_queries(2):  # the caller, one page
        response = client.get("/time-entries?limit=10")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 10
