"""Where time came from is recorded, and how far back typed-in time may reach decides
whether it counts: the entry is kept and shown to its owner either way."""

from datetime import timedelta

import pytest

from focushub.leaderboards.rebuild import boards_rebuild_current
from focushub.tracking.aggregation import rebuild_rollups_for_day
from focushub.tracking.models import TimeEntry
from focushub.tracking.services import time_entry_auto_stop
from tests.fair_play.conftest import board
from tests.realtime.streams import first
from tests.support.cast import log_entry, moment, new_project
from tests.support.clients import Socket
from workers import tasks


def test_each_way_of_making_time_records_its_source(player, fair_server, settings):
    ada = player()
    project = new_project(ada)
    started = ada.api.post("/time-entries/start", json={"project": project}).json()["entry"]
    stopped = ada.api.post("/time-entries/stop").json()
    assert (started["source"], stopped["source"]) == ("timer", "timer")
    typed = log_entry(ada, project, moment() - timedelta(hours=3), moment() - timedelta(hours=2))
    assert typed["source"] == "manual"
    earlier = {"start_time": (moment() - timedelta(hours=1)).isoformat()}
    edited = ada.api.patch(f"/time-entries/{stopped['id']}", json=earlier)
    assert edited.json()["source"] == "edited"
    renamed = ada.api.patch(f"/time-entries/{typed['id']}", json={"description": "reading"})
    assert renamed.json()["source"] == "manual"  # only a change of times changes the source
    socket = Socket(f"{fair_server.ws_url}/ws/me?token={ada.token}")
    first(socket, "hello")
    socket.send({"type": "timer.start", "project": project, "ref": "go"})
    assert first(socket, "ok")["entry"]["source"] == "timer"
    socket.close()
    overdue = TimeEntry.objects.get(user_id=ada.id, end_time__isnull=True)
    TimeEntry.objects.filter(pk=overdue.pk).update(start_time=moment() - timedelta(hours=settings.TIMER_MAX_HOURS + 1))
    assert time_entry_auto_stop(entry_id=overdue.pk).source == "timer"
    by_source = {s: [e["id"] for e in ada.api.get("/time-entries", params={"source": s}).json()["results"]]
                 for s in ("timer", "manual", "edited")}
    assert by_source == {"timer": [overdue.pk], "manual": [typed["id"]], "edited": [stopped["id"]]}
    assert ada.api.get("/time-entries", params={"source": "made-up"}).status_code == 400
    export = ada.api.get("/time-entries/export").text.splitlines()
    assert export[0].endswith(",source") and {line.rsplit(",", 1)[1] for line in export[1:]} == {
        "timer", "manual", "edited"}


@pytest.mark.parametrize(("days_back", "counts"), [(6.9, True), (7.1, False)])
def test_typed_in_time_counts_only_within_the_window(player, days_back, counts):
    ada = player()
    project = new_project(ada)
    start = moment() - timedelta(days=days_back)
    entry = log_entry(ada, project, start, start + timedelta(hours=2))
    assert board(ada, period="all") == ({ada.id: 7200} if counts else {})
    assert [e["id"] for e in ada.api.get("/time-entries").json()["results"]] == [entry["id"]]  # shown either way
    overview = ada.api.get("/activity/overview", params={"from": (start - timedelta(days=1)).date().isoformat()}).json()
    assert overview["total"] == 7200 and overview["credited"] == (7200 if counts else 0)


def test_an_edit_that_stretches_old_time_takes_it_off_the_boards(player):
    """A live timer from ten days ago counts; editing its times places them now, and time
    placed ten days back is outside the window: stretching old entries wins nothing. The
    entry itself stays, as edited, in its owner's timesheet."""
    ada = player()
    project = new_project(ada)
    start = (moment() - timedelta(days=10)).replace(hour=9, minute=0, second=0)
    old = TimeEntry.objects.create(user_id=ada.id, project_id=project, start_time=start, placed_at=start,
                                   end_time=start + timedelta(hours=1), duration=3600, source="timer")
    rebuild_rollups_for_day(start.date())  # as the scheduled aggregation would account it
    boards_rebuild_current()
    assert board(ada, period="all") == {ada.id: 3600}
    stretched = ada.api.patch(f"/time-entries/{old.pk}", json={"end_time": (start + timedelta(hours=8)).isoformat()})
    assert stretched.status_code == 200, stretched.text
    assert stretched.json()["source"] == "edited"
    assert board(ada, period="all") == {}


def test_operators_choose_the_sources_boards_trust_at_the_next_scheduled_rebuild(player, settings):
    ada = player()
    project = new_project(ada)
    ada.api.post("/time-entries/start", json={"project": project})
    ada.api.post("/time-entries/stop")
    live = board(ada, period="all")[ada.id]
    log_entry(ada, project, moment() - timedelta(days=2), moment() - timedelta(days=2) + timedelta(hours=1))
    assert board(ada, period="all") == {ada.id: live + 3600}
    settings.BOARD_SOURCES = ["timer"]
    tasks.rollups_rebuild_today()
    assert board(ada, period="all") == {ada.id: live}
    settings.BOARD_SOURCES = ["edited", "manual", "timer"]
    tasks.rollups_rebuild_today()
    assert board(ada, period="all") == {ada.id: live + 3600}
