"""The django-q2 tasks, called the way the cluster calls them (by function, with ids)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from focushub.accounts.models import RefreshToken
from focushub.badges.models import UserBadge
from focushub.leaderboards.backends import get_backend
from focushub.leaderboards.boards import Board, period_key
from focushub.leaderboards.selectors import leaderboard_read
from focushub.leaderboards.services import scores_add_time
from focushub.timeline.models import Event
from focushub.tracking.models import DailyCredit, DailyRollup, TimeEntry
from tests.gamification.conftest import badge
from tests.support.cast import STRONG_PASSWORD, moment, project_row, track
from workers import tasks

MAX = timedelta(hours=settings.TIMER_MAX_HOURS)


def running_since(user, project, started) -> TimeEntry:
    """A timer as the database holds it, started long ago (no service starts timers in the past)."""
    return TimeEntry.objects.create(user=user, project=project, start_time=started)


def my_time_score(actor) -> int | None:
    board = leaderboard_read(metric="time", period="day", project_id=None, limit=1, offset=0, viewer_id=actor.id)
    return board["me"]["score"] if board["me"] else None


def test_auto_stop_ends_overdue_timers_at_start_plus_the_maximum(person):
    late, fresh = person(), person()
    late_project, fresh_project = project_row(late.user), project_row(fresh.user)
    started = moment(hours=settings.TIMER_MAX_HOURS + 1)
    overdue = running_since(late.user, late_project, started)
    recent = running_since(fresh.user, fresh_project, moment(hours=settings.TIMER_MAX_HOURS - 1))
    assert tasks.timers_auto_stop() == 1
    overdue.refresh_from_db()
    assert (overdue.end_time, overdue.duration) == (started + MAX, int(MAX.total_seconds()))
    recent.refresh_from_db()
    assert recent.end_time is None
    event = Event.objects.get(kind="timer.auto_stopped")
    assert (event.actor_id, event.project_id) == (late.id, late_project.pk)
    assert event.payload["entry"]["id"] == overdue.pk
    assert event.payload["max_hours"] == settings.TIMER_MAX_HOURS
    stored = sum(DailyRollup.objects.filter(user=late.user).values_list("seconds", flat=True))
    assert stored == int(MAX.total_seconds())
    assert tasks.timers_auto_stop() == 0
    assert Event.objects.filter(kind="timer.auto_stopped").count() == 1


def test_auto_stop_has_nothing_to_do_without_overdue_timers(person):
    actor = person()
    track(actor.user, project_row(actor.user), start=moment(hours=30), minutes=60)
    assert tasks.timers_auto_stop() == 0
    assert not Event.objects.filter(kind="timer.auto_stopped").exists()


def test_the_rollup_rebuild_heals_drifted_rollups_and_boards(person):
    actor = person()
    project = project_row(actor.user)
    start = max(moment(hours=0.5), timezone.now().replace(hour=0, minute=0, second=0, microsecond=0))
    track(actor.user, project, start=start, minutes=1)
    truth = 60
    assert my_time_score(actor) == truth
    DailyRollup.objects.filter(user=actor.user).update(seconds=5000, credited=4000)
    DailyCredit.objects.filter(user=actor.user).update(seconds=3000)
    scores_add_time(user=actor.user, overall={timezone.now().date(): 777}, by_project={})
    assert my_time_score(actor) == truth + 777
    assert tasks.rollups_rebuild_today() == 1
    assert list(DailyRollup.objects.filter(user=actor.user).values_list("seconds", "credited")) == [(truth, truth)]
    assert list(DailyCredit.objects.filter(user=actor.user).values_list("seconds", flat=True)) == [truth]
    assert my_time_score(actor) == truth


def test_the_badge_task_takes_ids_and_reports_how_many_it_awarded(person, empty_catalog):
    actor = person()
    badge("first", {"type": "entries", "count": 1})
    entry = track(actor.user, project_row(actor.user), start=moment(hours=2), minutes=5)
    assert tasks.badges_evaluate(actor.id, entry.pk) in (0, 1)  # 0 if a running cluster got there first
    assert UserBadge.objects.get(user=actor.user).entry_id == entry.pk
    assert tasks.badges_evaluate(actor.id, None) == 0


@pytest.mark.parametrize("period", ["day", "week", "month"])
def test_day_close_drops_the_boards_of_past_periods_and_keeps_all_time(person, period):
    actor = person()
    project = project_row(actor.user)
    long_ago = timezone.now().date() - timedelta(days=100)
    scores_add_time(user=actor.user, overall={long_ago: 600}, by_project={project.pk: {long_ago: 600}})
    old = Board("time", period, period_key(period, long_ago)).key
    all_time = Board("time", "all", period_key("all", long_ago)).key
    store = get_backend()
    assert store.members(old) == {actor.id: 600}
    tasks.day_close()
    assert store.members(old) == {}
    assert store.members(all_time) == {actor.id: 600}


def test_day_close_forgets_expired_refresh_tokens_and_keeps_live_ones(anon, person):
    alice = person(password=STRONG_PASSWORD)
    login = anon.post("/auth/login", json={"login": alice.username, "password": alice.password})
    assert login.status_code == 200, login.text
    live_token = RefreshToken.objects.get(user_id=alice.id)
    stale = RefreshToken.objects.create(
        user_id=alice.id, family=live_token.family, expires_at=timezone.now() - timedelta(seconds=1)
    )
    tasks.day_close()
    assert list(RefreshToken.objects.filter(user_id=alice.id).values_list("pk", flat=True)) == [live_token.pk]
    assert not RefreshToken.objects.filter(pk=stale.pk).exists()
    assert anon.post("/auth/refresh", json={"refresh": login.json()["refresh"]}).status_code == 200
