"""Credited time is physical time: overlapping entries count once on every board, in the
time badges, on the profile and in the overview's credited numbers, while timesheets and
exports keep every entry's own duration."""

from datetime import timedelta

from focushub.badges.models import UserBadge
from focushub.badges.services import badges_evaluate
from focushub.tracking.models import DailyCredit
from tests.fair_play.conftest import board
from tests.gamification.conftest import badge
from tests.support.cast import log_entry, midnight_days_ago, moment, new_project


def test_five_overlapping_day_long_entries_count_as_one_day(player):
    cheat, honest = player(), player()
    project = new_project(cheat)
    day = midnight_days_ago(1)
    for _ in range(5):
        log_entry(cheat, project, day, day + timedelta(hours=24))
    log_entry(honest, new_project(honest), day + timedelta(hours=1), day + timedelta(hours=11))
    assert board(cheat, period="all") == {cheat.id: 86400, honest.id: 36000}
    assert board(cheat, period="all", project=project) == {cheat.id: 86400}
    profile = cheat.api.get(f"/users/{cheat.username}").json()
    assert profile["totals"]["all_time"] == 86400
    # The timesheet keeps each entry as typed: five of 24 h.
    listed = cheat.api.get("/time-entries").json()["results"]
    assert [entry["duration"] for entry in listed] == [86400] * 5
    assert {entry["source"] for entry in listed} == {"manual"}


def test_the_overview_shows_tracked_and_credited_side_by_side(player):
    ada = player()
    project = new_project(ada)
    day = midnight_days_ago(1)
    log_entry(ada, project, day + timedelta(hours=9), day + timedelta(hours=11))
    log_entry(ada, project, day + timedelta(hours=10), day + timedelta(hours=12))
    overview = ada.api.get("/activity/overview", params={"from": day.date().isoformat(),
                                                          "to": day.date().isoformat()}).json()
    assert (overview["total"], overview["credited"]) == (4 * 3600, 3 * 3600)
    assert overview["by_day"] == [{"date": day.date().isoformat(), "seconds": 4 * 3600, "credited": 3 * 3600}]


def test_overlaps_on_different_projects_count_once_overall_and_fully_on_each_project(player):
    ada = player()
    thesis, side = new_project(ada, name="Thesis"), new_project(ada, name="Side")
    day = midnight_days_ago(1)
    log_entry(ada, thesis, day + timedelta(hours=9), day + timedelta(hours=12))
    log_entry(ada, side, day + timedelta(hours=11), day + timedelta(hours=13))
    assert board(ada, period="all") == {ada.id: 4 * 3600}
    assert board(ada, period="all", project=thesis) == {ada.id: 3 * 3600}
    assert board(ada, period="all", project=side) == {ada.id: 2 * 3600}


def test_edits_and_deletes_move_the_credit_by_what_the_union_moved(player):
    ada = player()
    project = new_project(ada)
    day = midnight_days_ago(1)
    first = log_entry(ada, project, day + timedelta(hours=9), day + timedelta(hours=11))
    second = log_entry(ada, project, day + timedelta(hours=10), day + timedelta(hours=12))
    assert board(ada, period="all") == {ada.id: 3 * 3600}
    moved = ada.api.patch(f"/time-entries/{second['id']}", json={
        "start_time": (day + timedelta(hours=13)).isoformat(), "end_time": (day + timedelta(hours=15)).isoformat()})
    assert moved.status_code == 200, moved.text
    assert board(ada, period="all") == {ada.id: 4 * 3600}
    assert ada.api.delete(f"/time-entries/{first['id']}").status_code == 204
    assert board(ada, period="all") == {ada.id: 2 * 3600}
    assert list(DailyCredit.objects.filter(user_id=ada.id).values_list("seconds", flat=True)) == [2 * 3600]


def test_time_badges_count_credited_time(player, empty_catalog):
    badge("two-hours", {"type": "total_time", "seconds": 7200})
    ada = player()
    project = new_project(ada)
    start = moment() - timedelta(hours=3)
    for _ in range(3):
        log_entry(ada, project, start, start + timedelta(hours=1))
    badges_evaluate(user_id=ada.id)
    assert not UserBadge.objects.filter(user_id=ada.id).exists()
    log_entry(ada, project, start + timedelta(hours=1), start + timedelta(hours=2))
    badges_evaluate(user_id=ada.id)
    assert UserBadge.objects.filter(user_id=ada.id, badge__slug="two-hours").exists()
