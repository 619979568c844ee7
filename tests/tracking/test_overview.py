"""GET /activity/overview and streaks, in the user's own timezone (docs/tracking.md): the user's
local midnight bounds their days in the overview and streaks; a day counts with 15 minutes; a streak
is alive while yesterday counts and today does not yet)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from focushub.accounts.models import User
from focushub.tracking.streaks import streak_for
from tests.support.cast import log_entry, quick_actor


def _local(zone: str, day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone))


def _today(zone: str) -> date:
    return timezone.now().astimezone(ZoneInfo(zone)).date()


@pytest.fixture
def tokyo(live):
    actor = quick_actor(live, timezone="Asia/Tokyo")
    project = actor.api.post("/projects", json={"name": "Tokyo work", "color": "#112233"}).json()
    return actor, project


def test_the_overview_splits_an_entry_at_the_users_local_midnight(tokyo):
    actor, project = tokyo
    today = _today("Asia/Tokyo")
    entry = log_entry(actor, project["id"], _local("Asia/Tokyo", today - timedelta(days=2), 23, 30),
                   _local("Asia/Tokyo", today - timedelta(days=1), 0, 30))

    response = actor.api.get("/activity/overview/")

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["from"], body["to"], body["timezone"]) == (
        (today - timedelta(days=6)).isoformat(), today.isoformat(), "Asia/Tokyo"
    )
    by_day = {d["date"]: d["seconds"] for d in body["by_day"]}
    assert len(by_day) == 7
    assert by_day[(today - timedelta(days=2)).isoformat()] == 1800
    assert by_day[(today - timedelta(days=1)).isoformat()] == 1800
    assert body["total"] == sum(by_day.values()) == 3600
    assert body["by_project"] == [
        {"project": {"id": project["id"], "name": "Tokyo work", "color": "#112233", "visibility": "private"},
             "seconds": 3600}
    ]
    assert [e["id"] for e in body["recent_entries"]] == [entry["id"]]
    assert body["streak"] == {"current": 2, "longest": 2}


def test_running_time_counts_and_totals_agree(tokyo):
    actor, project = tokyo
    running = actor.api.post("/time-entries/start", json={"project": project["id"]}).json()["entry"]
    earlier = (timezone.now() - timedelta(minutes=20)).isoformat()
    actor.api.patch(f"/time-entries/{running['id']}", json={"start_time": earlier})
    body = actor.api.get("/activity/overview").json()
    assert body["total"] >= 1200
    assert body["total"] == sum(p["seconds"] for p in body["by_project"]) == sum(d["seconds"] for d in body["by_day"])


def test_a_range_of_my_choosing_and_other_peoples_time_left_out(tokyo, team):
    actor, _ = tokyo
    log_entry(team.contributor, team.pid, timezone.now() - timedelta(hours=3), timezone.now() - timedelta(hours=2))
    body = actor.api.get("/activity/overview?from=2026-01-01&to=2026-01-31").json()
    assert len(body["by_day"]) == 31
    assert body["by_day"][0]["date"] == "2026-01-01"
    assert body["total"] == 0 and body["by_project"] == [] and body["recent_entries"] == []


def test_a_day_where_clocks_jump_forward_holds_23_hours(live):
    actor = quick_actor(live, timezone="America/New_York")
    project = actor.api.post("/projects", json={"name": "DST"}).json()
    log_entry(actor, project["id"], _local("America/New_York", date(2026, 3, 8), 0),
           _local("America/New_York", date(2026, 3, 9), 0))
    body = actor.api.get("/activity/overview?from=2026-03-07&to=2026-03-09").json()
    assert [d["seconds"] for d in body["by_day"]] == [0, 23 * 3600, 0]


@pytest.mark.parametrize(
    "query",
    ["from=garbage", "to=2026-02-30", "from=2026-02-02&to=2026-02-01", "from=2020-01-01&to=2026-01-01",
     "from=0001-01-01&to=0001-01-02", "to=9999-12-31"],
)
def test_bad_overview_ranges_are_400(tokyo, query):
    actor, _ = tokyo
    response = actor.api.get(f"/activity/overview?{query}")
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "validation_error"


def test_a_streak_counts_days_with_15_minutes_and_stays_alive_until_today_ends(live):
    actor = quick_actor(live, timezone="Europe/Berlin")
    project = actor.api.post("/projects", json={"name": "Daily"}).json()["id"]
    today = _today("Europe/Berlin")
    for days_ago, minutes in ((6, 20), (5, 15), (4, 20), (3, 14), (2, 30), (1, 15)):
        day = today - timedelta(days=days_ago)
        log_entry(actor, project, _local("Europe/Berlin", day, 9), _local("Europe/Berlin", day, 9, minutes))
    assert actor.api.get("/activity/overview").json()["streak"] == {"current": 2, "longest": 3}

    running = actor.api.post("/time-entries/start", json={"project": project}).json()["entry"]
    started = max(timezone.now() - timedelta(minutes=16), _local("Europe/Berlin", today, 0))
    if timezone.now() - started >= timedelta(minutes=15):  # more than 15 minutes of today have passed
        actor.api.patch(f"/time-entries/{running['id']}", json={"start_time": started.isoformat()})
        assert actor.api.get("/activity/overview").json()["streak"] == {"current": 3, "longest": 3}


def test_streaks_are_read_in_chunks_of_days_not_entry_by_entry(live, django_assert_max_num_queries):
    actor = quick_actor(live)
    project = actor.api.post("/projects", json={"name": "Years"}).json()["id"]
    today = _today("UTC")
    # The oldest entry is 500 days back, so the history is read in two 400-day chunks;
    # the four-day streak straddles the boundary between them (today - 100).
    for days_ago in (500, 102, 101, 100, 99, 50):
        day = today - timedelta(days=days_ago)
        log_entry(actor, project, _local("UTC", day, 12), _local("UTC", day, 12, 30))
    user = User.objects.get(pk=actor.id)
    with django_assert_max_num_queries(3):  # the first entry, then one query per chunk
        assert streak_for(user) == (0, 4)
