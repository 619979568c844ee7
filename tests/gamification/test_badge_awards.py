"""Awarding badges: each criteria type measured by the database, awards made once and
never taken back, each with one `badge.awarded` timeline event and a badges-board point.

The tracking services also queue the same evaluation for a django-q2 cluster, which may
be running in this session; so these tests assert on the stored outcome, which is the
same whoever evaluates first, rather than on which call returned the award."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from focushub.badges.models import UserBadge
from focushub.badges.services import badges_evaluate
from focushub.leaderboards.selectors import leaderboard_read
from focushub.timeline.models import Event
from focushub.tracking.models import TimeEntry
from focushub.tracking.services import time_entry_delete, time_entry_start, time_entry_update
from tests.gamification.conftest import badge
from tests.support.cast import moment, project_row, timed, track, utc


def awarded(user) -> set[str]:
    return set(UserBadge.objects.filter(user=user.user).values_list("badge__slug", flat=True))


@pytest.fixture
def alice(person, empty_catalog):
    return person()


@pytest.fixture
def project(alice):
    return project_row(alice.user, name="Thesis")


def test_total_time_badge_is_awarded_once_the_rollups_reach_the_target(alice, project):
    badge("one-hour", {"type": "total_time", "seconds": 3600})
    entry = track(alice.user, project, start=moment(hours=5), minutes=40)
    badges_evaluate(user_id=alice.id, entry_id=entry.pk)
    assert awarded(alice) == set()
    second = track(alice.user, project, start=moment(hours=3), minutes=20)
    badges_evaluate(user_id=alice.id, entry_id=second.pk)
    award = UserBadge.objects.get(user=alice.user)
    assert (award.badge.slug, award.value) == ("one-hour", 3600)
    # The award names the entry whose check made it. Usually that is the second one; but
    # when a cluster runs in this session, the check queued for the first entry may run
    # only after the second has committed, and then it is that check which awards.
    assert award.entry_id in {entry.pk, second.pk}
    assert badges_evaluate(user_id=alice.id, entry_id=second.pk) == []
    assert UserBadge.objects.filter(user=alice.user).count() == 1


def test_project_time_counts_one_project_while_total_time_counts_them_all(alice, project):
    other = project_row(alice.user, name="Side project")
    badge("two-hours", {"type": "total_time", "seconds": 7200})
    badge("two-hours-on-one", {"type": "project_time", "seconds": 7200})
    track(alice.user, project, start=moment(hours=10), minutes=70)
    track(alice.user, other, start=moment(hours=8), minutes=70)
    badges_evaluate(user_id=alice.id)
    assert awarded(alice) == {"two-hours"}
    track(alice.user, other, start=moment(hours=5), minutes=50)
    badges_evaluate(user_id=alice.id)
    assert awarded(alice) == {"two-hours", "two-hours-on-one"}


def test_entries_badge_counts_completed_entries_not_a_running_timer(alice, project):
    badge("two-entries", {"type": "entries", "count": 2})
    track(alice.user, project, start=moment(hours=4), minutes=5)
    time_entry_start(user=alice.user, project_id=project.pk)
    badges_evaluate(user_id=alice.id)
    assert awarded(alice) == set()
    track(alice.user, project, start=moment(hours=3), minutes=5)
    badges_evaluate(user_id=alice.id)
    assert awarded(alice) == {"two-entries"}


def test_projects_created_badge_counts_the_projects_a_user_owns(alice, person):
    badge("two-projects", {"type": "projects_created", "count": 2})
    project_row(alice.user, name="One")
    project_row(person().user, name="Not hers", members=[(alice.user, "maintainer")])
    badges_evaluate(user_id=alice.id)
    assert awarded(alice) == set()
    project_row(alice.user, name="Two")
    badges_evaluate(user_id=alice.id)
    assert awarded(alice) == {"two-projects"}


def test_streak_badge_needs_consecutive_local_days_of_fifteen_minutes(alice, project):
    badge("three-days", {"type": "streak", "days": 3})
    today = timezone.now().date()
    noon = [utc(day.year, day.month, day.day, 12) for day in (today - timedelta(days=n) for n in (5, 3, 2))]
    track(alice.user, project, start=noon[0], minutes=15)
    track(alice.user, project, start=noon[1], minutes=15)
    track(alice.user, project, start=noon[2], minutes=14)  # one minute short: the day does not count
    badges_evaluate(user_id=alice.id)
    assert awarded(alice) == set()
    track(alice.user, project, start=noon[2] + timedelta(hours=1), minutes=1)
    track(alice.user, project, start=noon[1] - timedelta(days=1), minutes=30)
    badges_evaluate(user_id=alice.id)
    assert awarded(alice) == {"three-days"}


@pytest.mark.parametrize(
    ("zone", "start", "earned"),
    [
        ("UTC", utc(2026, 1, 15, 6, 59), {"early"}),
        ("UTC", utc(2026, 1, 15, 7, 0), set()),
        ("UTC", utc(2026, 1, 15, 23, 0), {"owl"}),
        ("UTC", utc(2026, 1, 15, 22, 59), set()),
        # 11:30 UTC is 06:30 in New York in winter (UTC-5) ...
        ("America/New_York", utc(2026, 1, 15, 11, 30), {"early"}),
        # ... but 07:30 in summer (UTC-4): the database applies DST per entry.
        ("America/New_York", utc(2026, 7, 15, 11, 30), set()),
        ("America/New_York", utc(2026, 7, 15, 10, 30), {"early"}),
        # 14:30 UTC is 23:30 in Tokyo (UTC+9).
        ("Asia/Tokyo", utc(2026, 3, 2, 14, 30), {"owl"}),
        ("Asia/Kolkata", utc(2026, 3, 2, 17, 29), set()),  # 22:59 at UTC+05:30
        ("Asia/Kolkata", utc(2026, 3, 2, 17, 30), {"owl"}),
    ],
)
def test_time_of_day_badges_use_the_start_in_the_users_timezone(person, empty_catalog, zone, start, earned):
    badge("early", {"type": "early_bird", "before": "07:00"})
    badge("owl", {"type": "night_owl", "after": "23:00"})
    user = person(timezone=zone)
    timed(user.user, project_row(user.user), start=start, minutes=30)
    badges_evaluate(user_id=user.id)
    assert awarded(user) == earned


def test_time_of_day_badges_ignore_typed_in_and_edited_starts(person, empty_catalog):
    """The badge is about starting a timer then: a manual entry at 05:00, or a timer
    entry edited to start then, says nothing about when someone sat down."""
    badge("early", {"type": "early_bird", "before": "07:00"})
    user = person()
    project = project_row(user.user)
    dawn = utc(2026, 1, 15, 5, 0)
    track(user.user, project, start=dawn, minutes=30)
    entry = timed(user.user, project, start=utc(2026, 1, 16, 9, 0), minutes=30)
    time_entry_update(user=user.user, entry_id=entry.pk, start_time=utc(2026, 1, 16, 5, 0))
    badges_evaluate(user_id=user.id)
    assert awarded(user) == set()
    assert TimeEntry.objects.get(pk=entry.pk).source == "edited"
    timed(user.user, project, start=utc(2026, 1, 17, 6, 30), minutes=30)
    badges_evaluate(user_id=user.id)
    assert awarded(user) == {"early"}


def test_editing_and_deleting_entries_never_revokes_but_progress_tells_the_truth(alice, project):
    badge("one-hour", {"type": "total_time", "seconds": 3600})
    entry = track(alice.user, project, start=moment(hours=6), minutes=90)
    badges_evaluate(user_id=alice.id, entry_id=entry.pk)
    award = UserBadge.objects.get(user=alice.user)
    time_entry_update(user=alice.user, entry_id=entry.pk, end_time=entry.start_time + timedelta(minutes=10))
    badges_evaluate(user_id=alice.id, entry_id=entry.pk)
    time_entry_delete(user=alice.user, entry_id=entry.pk)
    assert badges_evaluate(user_id=alice.id) == []
    award.refresh_from_db()
    assert award.entry_id is None  # the entry is gone; the award stays
    [row] = alice.api.get("/badges").json()["results"]
    assert row["earned_at"] is not None
    assert row["progress"] == {"current": 0, "target": 3600, "ratio": 0.0}


def test_inactive_badges_are_not_awarded(alice, project):
    badge("retired", {"type": "entries", "count": 1}, active=False)
    track(alice.user, project, start=moment(hours=2), minutes=5)
    assert badges_evaluate(user_id=alice.id) == []
    assert awarded(alice) == set()


def test_an_award_writes_one_public_timeline_event_and_a_badges_board_point(alice, project):
    first = badge("first", {"type": "entries", "count": 1})
    badge("first-too", {"type": "entries", "count": 1})
    entry = track(alice.user, project, start=moment(hours=2), minutes=5)
    badges_evaluate(user_id=alice.id, entry_id=entry.pk)
    assert awarded(alice) == {"first", "first-too"}
    events = list(Event.objects.filter(kind="badge.awarded").order_by("id"))
    assert [e.payload["badge"]["slug"] for e in events] == ["first", "first-too"]
    event = events[0]
    assert (event.actor_id, event.project_id, event.audience) == (alice.id, None, "public")
    assert event.payload["badge"] == {
        "id": first.pk, "slug": "first", "name": "First", "description": "", "image_url": "",
    }
    assert event.payload["value"] == 1
    board = leaderboard_read(metric="badges", period="all", project_id=None, limit=10, offset=0, viewer_id=alice.id)
    assert board["me"] == {"rank": 1, "score": 2}


def test_two_workers_racing_award_each_badge_exactly_once(alice, project):
    badge("first", {"type": "entries", "count": 1})
    badge("one-minute", {"type": "total_time", "seconds": 60})
    entry = track(alice.user, project, start=moment(hours=2), minutes=5)
    start = threading.Barrier(4)
    results: list[int] = []
    errors: list[BaseException] = []

    def worker():
        try:
            start.wait()
            results.append(len(badges_evaluate(user_id=alice.id, entry_id=entry.pk)))
        except BaseException as exc:  # reported by the assertion below, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(results) == 4
    assert sum(results) <= 2  # a queued evaluation by the cluster may have won the race
    assert UserBadge.objects.filter(user=alice.user).count() == 2
    assert Event.objects.filter(kind="badge.awarded", actor=alice.user).count() == 2


def test_evaluating_an_unknown_or_inactive_user_awards_nothing(alice, project):
    badge("first", {"type": "entries", "count": 1})
    alice.user.is_active = False
    alice.user.save(update_fields=["is_active"])
    track(alice.user, project, start=moment(hours=2), minutes=5)
    assert badges_evaluate(user_id=alice.id) == []
    assert badges_evaluate(user_id=10**12) == []
    assert awarded(alice) == set()
