"""End to end through a real django-q2 cluster: the badge check the tracking services
queue after commit, and a due schedule the cluster runs."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from django_q.models import Schedule
from django_q.scheduler import scheduler

from focushub.badges.models import UserBadge
from focushub.timeline.models import Event
from focushub.tracking.models import TimeEntry
from tests.support.cast import moment, project_row
from tests.support.processes import wait_for
from workers.schedule import ensure_schedules

pytestmark = pytest.mark.live


def test_a_badge_is_awarded_by_the_cluster_after_a_time_entry_is_posted(qcluster, person, admin, empty_catalog):
    created = admin.api.post("/badges", json={"slug": "first", "name": "First steps",
                                              "criteria": {"type": "entries", "count": 1}})
    assert created.status_code == 201, created.text
    alice = person()
    project = project_row(alice.user)
    start = moment(hours=2)
    response = alice.api.post("/time-entries", json={
        "project": project.pk, "start_time": start.isoformat(), "end_time": (start + timedelta(minutes=20)).isoformat(),
    })
    assert response.status_code == 201, response.text
    award = wait_for(lambda: UserBadge.objects.filter(user=alice.user).first(), timeout=20,
                     message=f"the badge award (cluster log:\n{qcluster.tail()})")
    assert (award.badge.slug, award.entry_id, award.value) == ("first", response.json()["id"], 1)
    [event] = [e for e in alice.api.get("/timeline").json()["results"] if e["kind"] == "badge.awarded"]
    assert event["payload"]["badge"]["slug"] == "first"
    assert event["project"] is None
    assert alice.api.get("/badges").json()["results"][0]["earned_at"] is not None


def test_the_cluster_scheduler_auto_stops_an_overdue_timer(qcluster, person):
    """The auto-stop schedule, once due, is queued by django-q2's scheduler step and run by
    the real cluster. The cluster runs that step only every ~30 s of its uptime, so the
    test makes the schedule due and runs the same step itself (django_q.scheduler), then
    waits on the event: its wait is the cluster's task pickup, not a wall-clock race with
    the scheduler's cadence."""
    alice = person()
    project = project_row(alice.user)
    started = moment(hours=settings.TIMER_MAX_HOURS + 1)
    entry = TimeEntry.objects.create(user=alice.user, project=project, start_time=started)
    ensure_schedules()
    Schedule.objects.filter(func="workers.tasks.timers_auto_stop").update(next_run=timezone.now())
    scheduler()
    event = wait_for(lambda: Event.objects.filter(kind="timer.auto_stopped", actor=alice.user).first(),
                     timeout=30, interval=0.2, message=f"timer.auto_stopped (cluster log:\n{qcluster.tail()})")
    entry.refresh_from_db()
    assert entry.end_time == started + timedelta(hours=settings.TIMER_MAX_HOURS)
    assert event.payload["entry"]["id"] == entry.pk
