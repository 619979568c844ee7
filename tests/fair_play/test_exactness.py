"""The credit stays exact: after any sequence of changes, and under races, what is
stored equals the union recomputed from scratch by an independent oracle here (a set
of the seconds each person's counting entries cover)."""

import os
import random
import threading
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from focushub.accounts.models import User
from focushub.projects.models import Project, ProjectMember
from focushub.tracking import services
from focushub.tracking.aggregation import rebuild_rollups_for_day
from focushub.tracking.models import DailyCredit, DailyRollup, TimeEntry
from tests.support.cast import log_entry, midnight_days_ago, moment, new_project

SEED = int(os.environ.get("FAIR_SEED", "20261130"))
SEQUENCES = int(os.environ.get("FAIR_SEQUENCES", "10"))


def _covered_by_day(intervals: list[tuple[datetime, datetime]]) -> dict:
    """Seconds per UTC day covered by any of the intervals: cut the line at every start,
    end and midnight, and count each piece once if some interval covers it. Quadratic,
    and obviously right."""
    cuts = {point for interval in intervals for point in interval}
    for start, end in intervals:
        midnight = datetime.combine(start.astimezone(UTC).date() + timedelta(days=1), datetime.min.time(), UTC)
        while midnight < end:
            cuts.add(midnight)
            midnight += timedelta(days=1)
    points = sorted(cuts)
    out: dict = defaultdict(int)
    for lo, hi in pairwise(points):
        if any(start <= lo and hi <= end for start, end in intervals):
            out[lo.astimezone(UTC).date()] += int((hi - lo).total_seconds())
    return {day: seconds for day, seconds in out.items() if seconds}


def oracle(user_id: int) -> tuple[dict, dict]:
    """(seconds per UTC day, seconds per (project, UTC day)) of the counting entries."""
    counting = defaultdict(list)
    for entry in TimeEntry.objects.filter(user_id=user_id, end_time__isnull=False):
        if entry.source != "timer" and entry.start_time < entry.placed_at - timedelta(days=7):
            continue
        counting[entry.project_id].append((entry.start_time, entry.end_time))
    overall = _covered_by_day([interval for intervals in counting.values() for interval in intervals])
    per_project = {(project, day): seconds for project, intervals in counting.items()
                   for day, seconds in _covered_by_day(intervals).items()}
    return overall, per_project


def stored(user_id: int) -> tuple[dict, dict]:
    overall = dict(DailyCredit.objects.filter(user_id=user_id).values_list("date", "seconds"))
    rows = DailyRollup.objects.filter(user_id=user_id, credited__gt=0).values_list("project_id", "date", "credited")
    return overall, {(project, day): credited for project, day, credited in rows}


def assert_exact(user_id: int) -> None:
    assert stored(user_id) == oracle(user_id)


@pytest.mark.django_db
def test_random_sequences_of_changes_keep_the_credit_equal_to_a_from_scratch_union(fair_rules):
    rng = random.Random(SEED)
    for sequence in range(SEQUENCES):
        user = User.objects.create_user(email=f"p{sequence}@example.com", username=f"prop{sequence}", password=None)
        projects = []
        for name in ("a", "b"):
            project = Project.objects.create(name=f"{name}{sequence}", owner=user)
            ProjectMember.objects.create(project=project, user=user, role="owner")
            projects.append(project.pk)
        base = moment().replace(hour=0, minute=0, second=0) - timedelta(days=2)

        def instant(base=base):
            return base + timedelta(minutes=rng.randrange(0, 3 * 24 * 60, 7))

        for _step in range(25):
            ids = list(TimeEntry.objects.filter(user=user, end_time__isnull=False).values_list("pk", flat=True))
            action = rng.choice(["create", "create", "move", "stretch", "project", "delete"] if ids else ["create"])
            if action == "create":
                start = instant()
                end = min(start + timedelta(minutes=rng.randrange(1, 600)), moment())
                if end > start:
                    services.time_entry_create(user=user, project_id=rng.choice(projects), start_time=start,
                                               end_time=end)
            elif action == "move":
                start = instant()
                end = min(start + timedelta(minutes=rng.randrange(1, 900)), moment())
                if end > start:
                    services.time_entry_update(user=user, entry_id=rng.choice(ids), start_time=start, end_time=end)
            elif action == "stretch":
                entry = TimeEntry.objects.get(pk=rng.choice(ids))
                end = min(entry.end_time + timedelta(minutes=rng.randrange(1, 300)), entry.start_time
                          + timedelta(hours=24), moment())
                if end > entry.end_time:
                    services.time_entry_update(user=user, entry_id=entry.pk, end_time=end)
            elif action == "project":
                services.time_entry_update(user=user, entry_id=rng.choice(ids), project_id=rng.choice(projects))
            else:
                services.time_entry_delete(user=user, entry_id=rng.choice(ids))
            assert_exact(user.pk), f"seed {SEED}, sequence {sequence}, step {_step}: {action}"


def _race(*jobs) -> None:
    errors: list[BaseException] = []

    def run(job):
        try:
            job()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


def test_two_tabs_editing_overlapping_entries_at_once_leave_the_credit_exact(player):
    ada = player()
    project = new_project(ada)
    day = midnight_days_ago(1)
    entries = [log_entry(ada, project, day + timedelta(hours=h), day + timedelta(hours=h + 2)) for h in (8, 9)]

    def tab(seed):
        rng = random.Random(seed)
        for _ in range(15):
            entry = rng.choice(entries)
            start = day + timedelta(minutes=rng.randrange(6 * 60, 14 * 60))
            end = start + timedelta(minutes=rng.randrange(5, 240))
            response = ada.api.patch(f"/time-entries/{entry['id']}",
                                     json={"start_time": start.isoformat(), "end_time": end.isoformat()})
            assert response.status_code == 200, response.text

    _race(lambda: tab(1), lambda: tab(2))
    assert_exact(ada.id)
    total = sum(oracle(ada.id)[0].values())
    assert {row["user"]["id"]: row["score"] for row in ada.api.get("/leaderboard?period=all").json()["rows"]} == {
        ada.id: total}


def test_the_auto_stop_racing_an_edit_leaves_the_credit_exact(player, settings):
    ada = player()
    project = new_project(ada)
    started = ada.api.post("/time-entries/start", json={"project": project}).json()["entry"]
    overdue_start = moment() - timedelta(hours=settings.TIMER_MAX_HOURS + 2)
    TimeEntry.objects.filter(pk=started["id"]).update(start_time=overdue_start, placed_at=overdue_start)
    log_entry(ada, project, overdue_start + timedelta(hours=1), overdue_start + timedelta(hours=3))

    _race(
        lambda: services.time_entry_auto_stop(entry_id=started["id"]),
        lambda: ada.api.patch(f"/time-entries/{started['id']}", json={"description": "kept going"}),
        lambda: ada.api.patch(f"/time-entries/{started['id']}", json={
            "end_time": (overdue_start + timedelta(hours=2)).isoformat()}),
    )
    assert TimeEntry.objects.get(pk=started["id"]).end_time is not None
    assert_exact(ada.id)


def test_deleting_entries_while_their_day_is_rebuilt_leaves_the_credit_exact(player):
    ada = player()
    project = new_project(ada)
    day = midnight_days_ago(1)
    entries = [log_entry(ada, project, day + timedelta(minutes=m), day + timedelta(minutes=m + 90))
               for m in range(0, 20 * 60, 60)]

    def rebuild():
        for _ in range(6):
            rebuild_rollups_for_day(day.date())

    def delete():
        for entry in entries[::2]:
            assert ada.api.delete(f"/time-entries/{entry['id']}").status_code == 204

    _race(rebuild, delete)
    assert_exact(ada.id)
