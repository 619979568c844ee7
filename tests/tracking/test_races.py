"""Races against the live server: at most one running entry per user, enforced by the
database, and one transaction per start (docs/tracking.md, "Concurrency"). Many simultaneous starts from one user
leave exactly one timer running and every other start's entry stopped; a project
deleted while its members press start and stop leaves no trace on any total."""

import threading
from collections.abc import Callable
from datetime import UTC, timedelta

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from focushub.leaderboards.backends import get_backend
from focushub.leaderboards.boards import Board
from focushub.projects.models import Project, ProjectMember
from focushub.tracking.aggregation import rebuild_rollups_for_day
from focushub.tracking.credit import union_by_day
from focushub.tracking.models import DailyRollup, TimeEntry


def _all_at_once(calls: list[Callable]) -> list:
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _credited(user_id: int) -> int:
    """The union of the user's entries, recomputed from scratch."""
    entries = TimeEntry.objects.filter(user_id=user_id, end_time__isnull=False).values_list("start_time", "end_time")
    return sum(union_by_day(entries).values())


def _all_time_score(user_id: int) -> int:
    row = get_backend().rank(Board("time", "all", "all").key, user_id)
    return row.score if row else 0


def test_simultaneous_starts_leave_one_timer_running_and_every_other_stopped(team):
    other = team.contributor.api.post("/projects", json={"name": "Second tab"}).json()
    projects = [team.pid, other["id"]] * 6

    responses = _all_at_once([
        (lambda p=p: team.contributor.api.post("/time-entries/start", json={"project": p})) for p in projects
    ])

    assert [r.status_code for r in responses] == [201] * len(projects), [r.text for r in responses]
    bodies = [r.json() for r in responses]
    entries = TimeEntry.objects.filter(user_id=team.contributor.id)
    assert entries.count() == len(projects)
    assert entries.filter(end_time__isnull=True).count() == 1
    # Each start stopped exactly the one before it: a chain through every entry.
    stopped_ids = [b["stopped"]["id"] for b in bodies if b["stopped"]]
    assert len(stopped_ids) == len(projects) - 1
    assert sorted(stopped_ids) == sorted(entries.filter(end_time__isnull=False).values_list("id", flat=True))
    durations = entries.filter(end_time__isnull=False).aggregate(s=Sum("duration"))["s"]
    assert DailyRollup.objects.aggregate(s=Sum("seconds"))["s"] == durations
    assert DailyRollup.objects.aggregate(n=Sum("entries"))["n"] == len(projects) - 1
    # One-second entries stopped by the next start within the same second overlap:
    # the board counts their union (focushub.tracking.credit).
    assert _all_time_score(team.contributor.id) == _credited(team.contributor.id)
    kept = set(DailyRollup.objects.values_list("user_id", "project_id", "date", "seconds", "entries"))
    for day in {e.start_time.date() for e in entries} | {e.end_time.date() for e in entries if e.end_time}:
        rebuild_rollups_for_day(day)
    assert kept == set(DailyRollup.objects.values_list("user_id", "project_id", "date", "seconds", "entries"))


def test_deleting_a_project_while_its_members_track_leaves_every_total_consistent(team):
    trackers = (team.owner, team.maintainer, team.contributor, team.helper)
    side = {actor.id: actor.api.post("/projects", json={"name": "Side"}).json()["id"] for actor in trackers}

    def churn(actor):
        codes = []
        for round_ in range(6):
            project = team.pid if round_ % 2 == 0 else side[actor.id]
            codes.append(actor.api.post("/time-entries/start", json={"project": project}).status_code)
            codes.append(actor.api.post("/time-entries/stop").status_code)
        return codes

    results = _all_at_once([*((lambda a=a: churn(a)) for a in trackers),
                            lambda: [team.owner.api.delete(f"/projects/{team.pid}").status_code]])

    assert results[-1] == [204]
    for codes in results[:-1]:
        # Starting on the vanished project is a 404, stopping its vanished timer a 409;
        # nothing may fail any other way (no 500 from a deadlock or a broken foreign key).
        assert set(codes) <= {200, 201, 404, 409}, codes
    assert not TimeEntry.objects.filter(project_id=team.pid).exists()
    assert not DailyRollup.objects.filter(project_id=team.pid).exists()
    for actor in trackers:
        rollup_total = DailyRollup.objects.filter(user_id=actor.id).aggregate(s=Sum("seconds"))["s"] or 0
        durations = TimeEntry.objects.filter(user_id=actor.id).aggregate(s=Sum("duration"))["s"] or 0
        assert rollup_total == durations
        assert _all_time_score(actor.id) == _credited(actor.id)
        assert get_backend().rank(Board("time", "all", "all", team.pid).key, actor.id) is None


def test_a_member_removed_while_pressing_start_is_left_without_a_timer_on_the_project(team):
    def churn():
        return [team.helper.api.post("/time-entries/start", json={"project": team.pid}).status_code for _ in range(8)]

    results = _all_at_once([churn, lambda: team.owner.api.delete(f"/projects/{team.pid}/members/{team.helper.id}")])

    assert results[1].status_code == 204
    assert set(results[0]) <= {201, 404}, results[0]
    assert not TimeEntry.objects.filter(user_id=team.helper.id, project_id=team.pid, end_time__isnull=True).exists()


@pytest.mark.parametrize("attempt", range(3))
def test_managers_removing_each_other_and_transferring_at_once_get_answers_not_errors(team, attempt):
    team.owner.api.patch(f"/projects/{team.pid}/members/{team.helper.id}", json={"role": "maintainer"})
    first, second = team.maintainer, team.helper

    results = _all_at_once([
        lambda: first.api.delete(f"/projects/{team.pid}/members/{second.id}").status_code,
        lambda: second.api.delete(f"/projects/{team.pid}/members/{first.id}").status_code,
        lambda: team.owner.api.patch(f"/projects/{team.pid}", json={"owner": first.id}).status_code,
        lambda: team.owner.api.patch(f"/projects/{team.pid}", json={"owner": second.id}).status_code,
    ])

    assert set(results) <= {200, 204, 400, 403, 404}, results
    owners = ProjectMember.objects.filter(project_id=team.pid, role="owner").values_list("user_id", flat=True)
    assert list(owners) == [Project.objects.get(pk=team.pid).owner_id]


def test_the_scheduled_rebuild_racing_live_timers_neither_fails_nor_loses_time(team):
    trackers = (team.owner, team.maintainer, team.contributor)
    today = timezone.now().astimezone(UTC).date()
    errors: list[Exception] = []

    def churn(actor):
        return [
            code
            for _ in range(20)
            for code in (
                actor.api.post("/time-entries/start", json={"project": team.pid}).status_code,
                actor.api.post("/time-entries/stop").status_code,
            )
        ]

    def rebuild():
        try:
            for _ in range(30):
                for day in (today, today - timedelta(days=1)):
                    rebuild_rollups_for_day(day)
        except Exception as exc:  # collected and asserted below, with the HTTP results
            errors.append(exc)
        finally:
            connection.close()

    results = _all_at_once([*((lambda a=a: churn(a)) for a in trackers), rebuild])

    assert errors == []
    for codes in results[:-1]:
        assert set(codes) <= {200, 201}, codes
    kept = set(DailyRollup.objects.values_list("user_id", "project_id", "date", "seconds", "entries"))
    rebuild_rollups_for_day(today)
    rebuild_rollups_for_day(today - timedelta(days=1))
    assert kept == set(DailyRollup.objects.values_list("user_id", "project_id", "date", "seconds", "entries"))
    for actor in trackers:
        total = DailyRollup.objects.filter(user_id=actor.id).aggregate(s=Sum("seconds"))["s"]
        assert total == TimeEntry.objects.filter(user_id=actor.id).aggregate(s=Sum("duration"))["s"]
        assert _all_time_score(actor.id) == _credited(actor.id)
