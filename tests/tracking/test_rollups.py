"""Daily rollups stay exact through every kind of change (docs/tracking.md): after each step
the incrementally kept rows equal a fresh rebuild from the entries, and the all-time
leaderboard equals the rollups. Entries cross UTC midnight on purpose."""

from datetime import timedelta

from django.db.models import Sum

from focushub.tracking.aggregation import rebuild_rollups_for_day
from focushub.tracking.models import DailyCredit, DailyRollup
from tests.support.cast import midnight_days_ago


def _rows() -> set[tuple]:
    return set(DailyRollup.objects.values_list("user_id", "project_id", "date", "seconds", "entries"))


def _kept() -> tuple[set, set]:
    rollups = set(DailyRollup.objects.values_list("user_id", "project_id", "date", "seconds", "credited", "entries"))
    return rollups, set(DailyCredit.objects.values_list("user_id", "date", "seconds"))


def assert_rollups_match_a_fresh_rebuild(actor, days=range(0, 5)) -> None:
    """Rollups and credit kept by the services equal a rebuild from the entries, and the
    all-time board shows the credited time."""
    kept = _kept()
    for days_ago in days:
        rebuild_rollups_for_day(midnight_days_ago(days_ago).date())
    assert kept == _kept()
    total = DailyCredit.objects.filter(user_id=actor.id).aggregate(s=Sum("seconds"))["s"] or 0
    board = actor.api.get("/leaderboard?metric=time&period=all").json()["rows"]
    assert {row["user"]["id"]: row["score"] for row in board}.get(actor.id, 0) == total


def test_an_entry_across_utc_midnight_counts_on_both_days(team):
    start, end = midnight_days_ago(2) - timedelta(hours=1, minutes=30), midnight_days_ago(2) + timedelta(minutes=45)
    team.contributor.api.post(
        "/time-entries", json={"project": team.pid, "start_time": start.isoformat(), "end_time": end.isoformat()}
    )
    rows = {date: (seconds, entries) for _, _, date, seconds, entries in _rows()}
    assert rows == {midnight_days_ago(3).date(): (5400, 1), midnight_days_ago(2).date(): (2700, 0)}
    assert_rollups_match_a_fresh_rebuild(team.contributor)


def test_edits_moves_and_deletes_keep_rollups_equal_to_a_rebuild(team):
    other = team.contributor.api.post("/projects", json={"name": "Other"}).json()
    first = team.contributor.api.post("/time-entries", json={
        "project": team.pid,
        "start_time": (midnight_days_ago(3) - timedelta(hours=2)).isoformat(),
        "end_time": (midnight_days_ago(3) + timedelta(hours=3)).isoformat(),
    }).json()
    second = team.contributor.api.post("/time-entries", json={
        "project": team.pid,
        "start_time": (midnight_days_ago(3) + timedelta(hours=1)).isoformat(),
        "end_time": (midnight_days_ago(3) + timedelta(hours=2)).isoformat(),
    }).json()
    assert_rollups_match_a_fresh_rebuild(team.contributor)

    steps = [
        (first["id"], {"start_time": (midnight_days_ago(3) + timedelta(minutes=10)).isoformat()}),  # no longer crosses
        (first["id"], {"end_time": (midnight_days_ago(2) + timedelta(minutes=5)).isoformat()}),  # crosses the next one
        (second["id"], {"project": other["id"]}),
        (second["id"], {"start_time": (midnight_days_ago(1) - timedelta(minutes=5)).isoformat(),
                        "end_time": (midnight_days_ago(1) + timedelta(minutes=5)).isoformat()}),
    ]
    for entry_id, change in steps:
        response = team.contributor.api.patch(f"/time-entries/{entry_id}", json=change)
        assert response.status_code == 200, (change, response.text)
        assert_rollups_match_a_fresh_rebuild(team.contributor)

    assert team.contributor.api.delete(f"/time-entries/{first['id']}").status_code == 204
    assert_rollups_match_a_fresh_rebuild(team.contributor)
    assert team.contributor.api.delete(f"/time-entries/{second['id']}").status_code == 204
    assert _rows() == set()
    assert_rollups_match_a_fresh_rebuild(team.contributor)


def test_timer_starts_and_stops_keep_rollups_equal_to_a_rebuild(team):
    other = team.contributor.api.post("/projects", json={"name": "Other"}).json()
    for project in (team.pid, other["id"], team.pid):
        assert team.contributor.api.post("/time-entries/start", json={"project": project}).status_code == 201
    team.contributor.api.post("/time-entries/stop")
    durations = sum(e["duration"] for e in team.contributor.api.get("/time-entries").json()["results"])
    assert DailyRollup.objects.aggregate(s=Sum("seconds"))["s"] == durations
    assert DailyRollup.objects.aggregate(n=Sum("entries"))["n"] == 3
    assert_rollups_match_a_fresh_rebuild(team.contributor)


def test_a_rebuild_repairs_drift(team):
    team.contributor.api.post("/time-entries", json={
        "project": team.pid,
        "start_time": (midnight_days_ago(1) + timedelta(hours=1)).isoformat(),
        "end_time": (midnight_days_ago(1) + timedelta(hours=2)).isoformat(),
    })
    DailyRollup.objects.update(seconds=1)
    rebuild_rollups_for_day(midnight_days_ago(1).date())
    assert DailyRollup.objects.get().seconds == 3600
