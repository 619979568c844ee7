"""GET /time-entries/export as CSV and iCalendar, streamed (docs/api.md)."""

import csv
import io
from datetime import timedelta

from django.utils import timezone

from focushub.tracking.export import BATCH_SIZE
from focushub.tracking.models import TimeEntry
from tests.support.cast import log_span


def test_the_csv_export_lists_my_entries_oldest_first_with_formulas_defused(team):
    first = log_span(team.contributor, team.pid, minutes=30, ago=timedelta(hours=5),
                     description="=HYPERLINK(\"http://evil\")")
    second = log_span(team.contributor, team.pid, minutes=45, ago=timedelta(hours=3),
                      description='Notes, "quoted"\nsecond line')
    running = team.contributor.api.post("/time-entries/start", json={"project": team.pid}).json()["entry"]
    log_span(team.maintainer, team.pid, minutes=10, ago=timedelta(hours=2), description="not mine")

    response = team.contributor.api.get("/time-entries/export?format=csv")

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"] == 'attachment; filename="focushub-entries.csv"'
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["id", "project", "description", "start_time", "end_time", "duration_seconds", "source"]
    name = team.project["name"]
    assert rows[1:] == [
        [str(first["id"]), name, "'=HYPERLINK(\"http://evil\")", first["start_time"], first["end_time"], "1800",
         "manual"],
        [str(second["id"]), name, 'Notes, "quoted"\nsecond line', second["start_time"], second["end_time"], "2700",
         "manual"],
        [str(running["id"]), name, "", running["start_time"], "", "", "timer"],
    ]


def test_csv_is_the_default_and_the_window_filters(team):
    log_span(team.contributor, team.pid, minutes=30, ago=timedelta(hours=10))
    recent = log_span(team.contributor, team.pid, minutes=30, ago=timedelta(hours=2))
    since = (timezone.now() - timedelta(hours=5)).isoformat().replace("+", "%2B")
    response = team.contributor.api.get(f"/time-entries/export/?from={since}")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert [row[0] for row in rows[1:]] == [str(recent["id"])]


def test_the_ical_export_has_one_event_per_stopped_entry(team):
    entry = log_span(team.contributor, team.pid, minutes=90, ago=timedelta(hours=4),
                     description="Write; review, ship\\done " + "é" * 60)
    team.contributor.api.post("/time-entries/start", json={"project": team.pid})

    response = team.contributor.api.get("/time-entries/export?format=ical")

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    assert response.headers["Content-Disposition"] == 'attachment; filename="focushub-entries.ics"'
    raw = response.content
    assert raw.endswith(b"END:VCALENDAR\r\n")
    physical = raw.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in physical)
    assert b"\n" not in raw.replace(b"\r\n", b"")
    unfolded = raw.decode().replace("\r\n ", "").split("\r\n")
    assert unfolded.count("BEGIN:VEVENT") == 1
    start = entry["start_time"].replace("-", "").replace(":", "")
    end = entry["end_time"].replace("-", "").replace(":", "")
    assert f"DTSTART:{start}" in unfolded
    assert f"DTEND:{end}" in unfolded
    assert f"UID:entry-{entry['id']}@focushub" in unfolded
    assert "DESCRIPTION:Write\\; review\\, ship\\\\done " + "é" * 60 in unfolded


def test_a_long_export_streams_every_entry_once_in_order(team):
    start = timezone.now().replace(microsecond=0) - timedelta(days=300)
    total = BATCH_SIZE * 2 + 7
    TimeEntry.objects.bulk_create(
        TimeEntry(user_id=team.contributor.id, project_id=team.pid, start_time=start + timedelta(minutes=i // 3),
                  end_time=start + timedelta(minutes=i // 3 + 1), duration=60)
        for i in range(total)
    )
    response = team.contributor.api.get("/time-entries/export?format=csv", stream=True)
    rows = list(csv.reader(io.StringIO(response.content.decode())))[1:]
    expected = list(
        TimeEntry.objects.filter(user_id=team.contributor.id).order_by("start_time", "id").values_list("id", flat=True)
    )
    assert [int(row[0]) for row in rows] == expected
    assert len(expected) == total


def test_bad_export_parameters_are_json_400s(team):
    for query in ("format=xml", "format=pdf", "from=later", "from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z"):
        response = team.contributor.api.get(f"/time-entries/export?{query}")
        assert response.status_code == 400, (query, response.text)
        assert response.headers["Content-Type"] == "application/json"
        assert response.json()["code"] == "validation_error"
