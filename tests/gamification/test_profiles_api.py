"""GET /users/{username}: the public profile. Others see public projects only; totals
count all tracked time (a number names no project); /users/me stays the accounts route."""

from datetime import timedelta

import pytest
from django.utils import timezone

from focushub.badges.models import UserBadge
from focushub.badges.services import badges_evaluate
from focushub.projects.models import ProjectMember
from tests.gamification.conftest import badge
from tests.support.cast import project_row, track, utc
from tests.support.clock import now_clear_of_midnight


@pytest.fixture
def alice(person, empty_catalog):
    """Alice tracks on a private and a public project, three days running (UTC), and a
    minute today (too little for the streak), and has earned one badge."""
    alice = person(bio="Writes a thesis.")
    secret = project_row(alice.user, name="Secret")
    open_ = project_row(alice.user, name="Open", visibility="public")
    badge("first", {"type": "entries", "count": 1})
    today = timezone.now().date()
    for back in (1, 2, 3):
        day = today - timedelta(days=back)
        track(alice.user, secret, start=utc(day.year, day.month, day.day, 9), minutes=30)
        track(alice.user, open_, start=utc(day.year, day.month, day.day, 11), minutes=20)
    now = now_clear_of_midnight(timedelta(minutes=2))
    track(alice.user, open_, start=now - timedelta(minutes=2), minutes=1)
    badges_evaluate(user_id=alice.id)
    alice.extra.update(secret=secret, open=open_)
    return alice


def test_a_profile_shows_user_totals_badges_public_projects_streak_and_rank(alice, person):
    viewer = person()
    body = viewer.api.get(f"/users/{alice.username}").json()
    user = alice.user
    assert body["user"] == {
        "id": user.pk, "username": user.username, "avatar_url": "", "bio": "Writes a thesis.",
        "created_at": user.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    assert body["totals"]["all_time"] == 3 * 50 * 60 + 60
    # Today's minute is always this week's (so the number is never a trivial 0 on a
    # Monday); the three days before, as the ISO week (from Monday, UTC) has them.
    week_start = timezone.now().date() - timedelta(days=timezone.now().weekday())
    days_this_week = sum(1 for back in (1, 2, 3) if timezone.now().date() - timedelta(days=back) >= week_start)
    assert body["totals"]["this_week"] == days_this_week * 50 * 60 + 60
    award = UserBadge.objects.get(user=user)
    assert body["badges"] == [{
        "id": award.badge_id, "slug": "first", "name": "First", "description": "", "image_url": "",
        "earned_at": award.awarded_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }]
    assert [(p["name"], p["visibility"], p["member_role"]) for p in body["projects"]] == [("Open", "public", "owner")]
    assert body["projects"][0]["owner"] == {"id": user.pk, "username": user.username, "avatar_url": ""}
    assert body["streak"] == {"current": 3, "longest": 3}
    assert body["rank"] == {"rank": 1, "score": 3 * 50 * 60 + 60}
    assert body["rank_available"] is True


def test_my_own_profile_also_lists_my_private_projects(alice):
    body = alice.api.get(f"/users/{alice.username.upper()}/").json()
    assert [p["name"] for p in body["projects"]] == ["Open", "Secret"]


def test_a_private_project_i_share_with_the_user_still_stays_off_their_profile(alice, person):
    bob = person()
    ProjectMember.objects.create(project=alice.extra["secret"], user=bob.user, role="viewer")
    assert [p["name"] for p in bob.api.get(f"/users/{alice.username}").json()["projects"]] == ["Open"]


def test_a_user_hidden_from_leaderboards_has_no_rank_where_a_shown_one_with_the_same_time_has(person):
    shy, open_ = person(show_on_leaderboard=False), person()
    for someone in (shy, open_):
        track(someone.user, project_row(someone.user), start=utc(2026, 1, 5, 9), minutes=30)
    hidden, shown = (shy.api.get(f"/users/{someone.username}").json() for someone in (shy, open_))
    assert (hidden["rank"], hidden["rank_available"], hidden["totals"]["all_time"]) == (None, True, 1800)
    assert (shown["rank"], shown["totals"]["all_time"]) == ({"rank": 1, "score": 1800}, 1800)


def test_a_new_user_has_an_empty_profile(person):
    fresh = person()
    body = person().api.get(f"/users/{fresh.username}").json()
    assert (body["totals"], body["badges"], body["projects"], body["streak"], body["rank"]) == (
        {"all_time": 0, "this_week": 0}, [], [], {"current": 0, "longest": 0}, None,
    )


def test_unknown_and_deactivated_users_are_404(person):
    viewer, gone = person(), person(is_active=False)
    for name in ("nobody_here", gone.username, "x" * 300, "%00"):
        response = viewer.api.get(f"/users/{name}")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_users_me_is_still_the_accounts_route(alice):
    body = alice.api.get("/users/me").json()
    assert body["username"] == alice.username
    assert "email" in body


def test_a_profile_costs_a_bounded_number_of_queries(alice, person, client, django_assert_max_num_queries):
    for n in range(5):
        project_row(alice.user, name=f"Public {n}", visibility="public")
        badge(f"extra-{n}", {"type": "entries", "count": 1})
    badges_evaluate(user_id=alice.id)
    viewer = person()
    # auth, user, streak (first entry + days), totals, badges, projects, rank
    with django_assert_max_num_queries(9):
        response = client.get(f"/users/{alice.username}", HTTP_AUTHORIZATION=f"Bearer {viewer.token}")
    assert response.status_code == 200
    assert len(response.json()["projects"]) == 6
    assert len(response.json()["badges"]) == 6
