"""GET and PATCH /users/me: one's own settings, validated field by field."""

import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from focushub.accounts.models import User
from focushub.leaderboards.backends import get_backend
from focushub.leaderboards.boards import Board
from focushub.leaderboards.selectors import leaderboard_read
from focushub.projects.services import project_create
from focushub.tracking.services import time_entry_create
from tests.support.cast import STRONG_PASSWORD, signed_up
from tests.support.contract import assert_error
from tests.support.names import unique_name


def test_get_me_returns_the_full_own_profile(person):
    alice = person(bio="hello", timezone="Europe/Paris")
    body = alice.api.get("/users/me").json()
    assert body == {
        "id": alice.id,
        "username": alice.username,
        "email": alice.user.email,
        "avatar_url": "",
        "bio": "hello",
        "timezone": "Europe/Paris",
        "show_on_leaderboard": True,
        "role": "user",
        "created_at": alice.user.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def test_patch_changes_the_settings_and_returns_the_profile(person):
    alice = person()
    changes = {"bio": "Deep work fan", "timezone": "America/New_York", "show_on_leaderboard": False}
    response = alice.api.patch("/users/me/", json=changes)
    assert response.status_code == 200, response.text
    assert {k: response.json()[k] for k in changes} == changes
    user = User.objects.get(pk=alice.id)
    assert (user.bio, user.timezone, user.show_on_leaderboard) == ("Deep work fan", "America/New_York", False)


def test_empty_patch_changes_nothing(person):
    alice = person(bio="kept")
    response = alice.api.patch("/users/me", json={})
    assert response.status_code == 200
    assert response.json()["bio"] == "kept"


def test_renamed_user_logs_in_with_the_new_name_and_frees_the_old_one(anon, live):
    old = unique_name("old")
    session = signed_up(anon, old)
    auth = {"Authorization": f"Bearer {session['access']}"}
    new = unique_name("New")
    assert anon.patch("/users/me", json={"username": new}, headers=auth).json()["username"] == new
    assert anon.post("/auth/login", json={"login": new.lower(), "password": STRONG_PASSWORD}).status_code == 200
    assert_error(anon.post("/auth/login", json={"login": old, "password": STRONG_PASSWORD}), 401, "invalid_credentials")
    assert signed_up(anon, old, email="another@example.com")["user"]["username"] == old


def test_changing_only_the_case_of_ones_own_username_is_allowed(person):
    alice = person()
    response = alice.api.patch("/users/me", json={"username": alice.username.upper()})
    assert response.status_code == 200
    assert response.json()["username"] == alice.username.upper()


def test_taking_someone_elses_username_in_any_case_is_refused(person):
    alice, bob = person(), person()
    body = assert_error(alice.api.patch("/users/me", json={"username": bob.username.upper()}), 400, "validation_error")
    assert set(body["errors"]) == {"username"}
    assert User.objects.get(pk=alice.id).username == alice.username


@pytest.mark.parametrize("username", ["ab", "no spaces", "x" * 31, "", "émile", 42, None])
def test_invalid_username_is_refused(person, username):
    alice = person()
    body = assert_error(alice.api.patch("/users/me", json={"username": username}), 400, "validation_error")
    assert "username" in body["errors"]


def test_bio_up_to_500_characters_is_accepted_and_longer_refused(person):
    alice = person()
    assert alice.api.patch("/users/me", json={"bio": "b" * 500}).status_code == 200
    body = assert_error(alice.api.patch("/users/me", json={"bio": "b" * 501}), 400, "validation_error")
    assert "bio" in body["errors"]
    assert alice.api.patch("/users/me", json={"bio": ""}).json()["bio"] == ""


@pytest.mark.parametrize("tz", ["Mars/Olympus_Mons", "europe/paris", "+02:00", "", "../../etc/passwd", 5, None])
def test_unknown_timezone_is_refused_naming_the_field(person, tz):
    alice = person()
    body = assert_error(alice.api.patch("/users/me", json={"timezone": tz}), 400, "validation_error")
    assert set(body["errors"]) == {"timezone"}
    assert User.objects.get(pk=alice.id).timezone == "UTC"


@pytest.mark.parametrize("value", ["yes", 1, "false", None])
def test_show_on_leaderboard_takes_only_a_json_boolean(person, value):
    alice = person()
    body = assert_error(alice.api.patch("/users/me", json={"show_on_leaderboard": value}), 400, "validation_error")
    assert set(body["errors"]) == {"show_on_leaderboard"}


@pytest.mark.parametrize("field", ["role", "id", "avatar_url", "created_at", "password", "is_active", "nickname"])
def test_read_only_and_unknown_fields_are_refused_by_name(person, field):
    alice = person()
    body = assert_error(alice.api.patch("/users/me", json={field: "admin", "bio": "x"}), 400, "validation_error")
    assert set(body["errors"]) == {field}
    user = User.objects.get(pk=alice.id)
    assert (user.role, user.bio, user.is_active) == ("user", "", True)


def test_changing_email_needs_the_current_password(person):
    alice = person(password=STRONG_PASSWORD)
    new_email = f"{alice.username}@New.Example.COM"
    body = assert_error(alice.api.patch("/users/me", json={"email": new_email}), 400, "validation_error")
    assert set(body["errors"]) == {"current_password"}
    wrong = alice.api.patch("/users/me", json={"email": new_email, "current_password": "not-it"})
    assert_error(wrong, 400, "validation_error")
    right = alice.api.patch("/users/me", json={"email": new_email, "current_password": alice.password})
    assert right.status_code == 200, right.text
    assert right.json()["email"] == f"{alice.username}@new.example.com"


def test_changing_email_to_a_taken_one_is_refused(person):
    alice, bob = person(password=STRONG_PASSWORD), person()
    response = alice.api.patch("/users/me", json={"email": bob.user.email.upper(), "current_password": alice.password})
    body = assert_error(response, 400, "validation_error")
    assert set(body["errors"]) == {"email"}


def test_patch_with_malformed_or_non_object_json_is_a_400(person):
    alice = person()
    raw = alice.api.patch("/users/me", data=b"{bio:", headers={"Content-Type": "application/json"})
    assert_error(raw, 400, "malformed_request")
    assert_error(alice.api.patch("/users/me", json=["bio"]), 400, "validation_error")


def test_put_and_delete_are_not_allowed_on_me(person):
    alice = person()
    assert_error(alice.api.put("/users/me", json={"bio": "x"}), 405, "method_not_allowed")
    assert_error(alice.api.delete("/users/me"), 405, "method_not_allowed")
    assert User.objects.filter(pk=alice.id).exists()


def test_racing_renames_to_one_name_give_it_to_one_user_without_500(person):
    actors = [person() for _ in range(4)]
    wanted = unique_name("prize")
    barrier = threading.Barrier(len(actors))
    statuses: list[int] = []

    def rename(actor) -> None:
        barrier.wait()
        statuses.append(actor.api.patch("/users/me", json={"username": wanted}).status_code)

    threads = [threading.Thread(target=rename, args=(actor,)) for actor in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 400, 400, 400]
    assert User.objects.filter(username__iexact=wanted).count() == 1


def test_leaving_and_rejoining_the_leaderboard_resyncs_the_users_scores(person):
    alice = person()
    project = project_create(owner=alice.user, name="Deep work")
    board = Board.current("time", "all", None, timezone.now()).key

    def track_one_hour(hours_ago: int) -> None:
        end = timezone.now().replace(microsecond=0) - timedelta(hours=hours_ago)
        time_entry_create(user=alice.user, project_id=project.pk, start_time=end - timedelta(hours=1), end_time=end)

    def stored_score() -> int | None:
        _, mine = get_backend().read(board, offset=0, limit=1, user_id=alice.id)
        return mine.score if mine else None

    track_one_hour(5)
    assert stored_score() == 3600
    assert alice.api.patch("/users/me", json={"show_on_leaderboard": False}).status_code == 200
    assert stored_score() is None
    track_one_hour(3)  # tracked while hidden: kept off the board
    assert stored_score() is None
    assert alice.api.patch("/users/me", json={"show_on_leaderboard": True}).status_code == 200
    assert stored_score() == 7200
    read = leaderboard_read(metric="time", period="all", project_id=None, limit=10, offset=0, viewer_id=alice.id)
    assert read["me"] == {"rank": 1, "score": 7200}
