"""Events committed by a django-q2 worker, in another process, reach the socket: on the
embedded default no doorbell crosses processes, and the relay's poll of the log carries
them; with Redis the ring does."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from django_q.tasks import async_task

from focushub.tracking.models import TimeEntry
from tests.realtime.streams import first

pytestmark = pytest.mark.live


def test_an_auto_stop_and_a_badge_from_a_worker_reach_the_user(qcluster, connect, person, team):
    admin = person(role="admin")
    badge = admin.api.post("/badges", json={"slug": f"marathon-{team.pid}", "name": "Marathon",
                                            "criteria": {"type": "total_time", "seconds": 3600}})
    assert badge.status_code == 201, badge.text
    # A timer left running overnight (the API refuses to backdate one that far).
    long_ago = timezone.now().replace(microsecond=0) - timedelta(hours=settings.TIMER_MAX_HOURS + 1)
    entry = TimeEntry.objects.create(user=team.contributor.user, project_id=team.pid, start_time=long_ago)

    socket = connect("/ws/me", token=team.contributor.token)
    first(socket, "hello")
    async_task("workers.tasks.timers_auto_stop")
    stopped = first(socket, "timer.stopped", timeout=20)
    assert (stopped["reason"], stopped["entry"]["id"]) == ("auto", entry.pk)
    assert stopped["event"]["kind"] == "timer.auto_stopped"
    assert stopped["entry"]["duration"] == settings.TIMER_MAX_HOURS * 3600
    slug = f"marathon-{team.pid}"
    award = socket.recv_until(lambda m: m["type"] == "badge.awarded" and m["badge"]["slug"] == slug, timeout=20)
    assert award["id"] > stopped["id"] and award["event"]["kind"] == "badge.awarded"
