"""POST /auth/signup: who may sign up, what they get back, and every way to get it wrong."""

import threading

import pytest

from focushub.accounts.models import RefreshToken, User
from focushub.timeline.models import Event
from tests.support.cast import STRONG_PASSWORD, signed_up, signup
from tests.support.contract import assert_error
from tests.support.names import unique_name

PROFILE_KEYS = {"id", "username", "email", "avatar_url", "bio", "timezone", "show_on_leaderboard", "role", "created_at"}


def test_signup_returns_the_full_profile_and_a_working_token_pair(anon, live):
    body = signed_up(anon, "Alice_1", email="Alice.One@Example.COM")
    user = body["user"]
    assert set(user) == PROFILE_KEYS
    assert user["username"] == "Alice_1"
    assert user["email"] == "Alice.One@example.com"
    assert user["role"] == "user"
    assert user["timezone"] == "UTC"
    assert user["show_on_leaderboard"] is True
    assert user["avatar_url"] == "" and user["bio"] == ""
    assert user["created_at"].endswith("Z")
    me = anon.get("/users/me", headers={"Authorization": f"Bearer {body['access']}"})
    assert me.status_code == 200
    assert me.json()["id"] == user["id"]
    assert anon.post("/auth/refresh", json={"refresh": body["refresh"]}).status_code == 200


def test_signup_hashes_the_password_with_argon2(anon, live):
    body = signed_up(anon)
    stored = User.objects.get(pk=body["user"]["id"]).password
    assert stored.startswith("argon2$")
    assert STRONG_PASSWORD not in stored


def test_signup_records_a_private_user_joined_event(anon, live):
    body = signed_up(anon)
    event = Event.objects.get(actor_id=body["user"]["id"])
    assert event.kind == "user.joined"
    assert event.audience == "private"
    assert event.payload["user"]["username"] == body["user"]["username"]


def test_signup_works_with_a_trailing_slash(anon, live):
    username = unique_name("slash")
    response = anon.post(
        "/auth/signup/", json={"email": f"{username}@example.com", "username": username, "password": STRONG_PASSWORD}
    )
    assert response.status_code == 201, response.text


def test_duplicate_username_in_another_case_is_refused(anon, live):
    signed_up(anon, "CaseUser")
    body = assert_error(signup(anon, "caseuser", email="other@example.com"), 400, "validation_error")
    assert "username" in body["errors"]
    assert User.objects.filter(username__iexact="caseuser").count() == 1


def test_duplicate_email_in_another_case_is_refused(anon, live):
    signed_up(anon, email="Same@Example.com")
    body = assert_error(signup(anon, email="same@EXAMPLE.com"), 400, "validation_error")
    assert set(body["errors"]) == {"email"}


@pytest.mark.parametrize(
    "username", ["ab", "a" * 31, "has space", "dot.ted", "at@sign", "émile", "tab\tname", "semi;colon", ""]
)
def test_invalid_username_is_refused_naming_the_field(anon, live, username):
    body = assert_error(signup(anon, username, email=f"{unique_name()}@example.com"), 400, "validation_error")
    assert "username" in body["errors"]
    assert not User.objects.exists()


@pytest.mark.parametrize("username", ["abc", "a" * 30, "Under_score", "dash-ed", "007"])
def test_usernames_of_letters_digits_underscore_and_dash_are_accepted(anon, live, username):
    assert signup(anon, username).status_code == 201


@pytest.mark.parametrize("password", ["short", "password123", "12345678901", "weakuser1x"])
def test_weak_password_is_refused_by_djangos_validators(anon, live, password):
    response = signup(anon, "weakuser1x", email="weakuser1x@example.com", password=password)
    body = assert_error(response, 400, "validation_error")
    assert set(body["errors"]) == {"password"}
    assert not User.objects.exists()


def test_all_field_problems_are_reported_at_once(anon, live):
    signed_up(anon, "taken_name", email="taken@example.com")
    response = signup(anon, "taken_name", email="TAKEN@example.com", password="123")
    body = assert_error(response, 400, "validation_error")
    assert set(body["errors"]) == {"username", "email", "password"}


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"email": "x@example.com", "username": "xuser"},
        {"email": "not-an-email", "username": "xuser", "password": STRONG_PASSWORD},
        {"email": ["x@example.com"], "username": "xuser", "password": STRONG_PASSWORD},
        {"email": "x@example.com", "username": 12345, "password": STRONG_PASSWORD},
        {"email": "x@example.com", "username": None, "password": STRONG_PASSWORD},
        {"email": "x@example.com", "username": "xuser", "password": "p" * 10_000},
        {"email": "x\u0000@example.com", "username": "xuser", "password": STRONG_PASSWORD},
    ],
)
def test_missing_or_mistyped_fields_are_a_validation_error(anon, live, payload):
    assert_error(anon.post("/auth/signup", json=payload), 400, "validation_error")
    assert not User.objects.exists()


@pytest.mark.parametrize("raw", [b"{not json", b'{"email": "a@b.c",', b"\xff\xfe\x00", b"NaN"])
def test_malformed_json_is_a_400(anon, live, raw):
    response = anon.post("/auth/signup", data=raw, headers={"Content-Type": "application/json"})
    assert_error(response, 400, "malformed_request")


@pytest.mark.parametrize("body", [[1, 2], "a string", 42, None, True])
def test_json_that_is_not_an_object_is_a_validation_error(anon, live, body):
    assert_error(anon.post("/auth/signup", json=body), 400, "validation_error")


def test_huge_body_is_refused_with_413_and_creates_nothing(anon, live):
    username = unique_name("huge")
    payload = (
        b'{"email": "' + username.encode() + b'@example.com", "username": "' + username.encode() + b'", '
        b'"password": "' + STRONG_PASSWORD.encode() + b'", "bio": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    )
    response = anon.post("/auth/signup", data=payload, headers={"Content-Type": "application/json"})
    assert_error(response, 413, "payload_too_large")
    assert not User.objects.exists()


def test_form_encoded_body_is_unsupported(anon, live):
    response = anon.post("/auth/signup", data=b"email=a@b.c", headers={"Content-Type": "text/plain"})
    assert_error(response, 415, "unsupported_media_type")


def test_racing_signups_for_one_name_create_one_user_and_no_500(anon, live):
    username = unique_name("race")
    barrier = threading.Barrier(6)
    statuses: list[int] = []

    def attempt(index: int) -> None:
        barrier.wait()
        response = signup(anon, username.upper() if index % 2 else username, email=f"{username}{index}@example.com")
        statuses.append(response.status_code)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201, 400, 400, 400, 400, 400]
    assert User.objects.filter(username__iexact=username).count() == 1
    assert RefreshToken.objects.count() == 1
