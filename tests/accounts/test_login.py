"""POST /auth/login: email or username in any case; one answer for every wrong login."""

import pytest

from focushub.accounts.models import RefreshToken, User
from tests.support.cast import STRONG_PASSWORD, signed_up
from tests.support.contract import assert_error
from tests.support.names import unique_name


@pytest.fixture
def alice(anon):
    """A fresh account per test: the login throttle counts per identifier for the whole session."""
    name = unique_name("Alice_")
    return signed_up(anon, name, email=f"{name}.Mail@Example.com")["user"]


@pytest.mark.parametrize(
    "spell",
    [str, str.lower, str.upper, lambda name: f"  {name.lower()} ", lambda name: f"{name}.mail@example.com".upper()],
)
def test_login_by_username_or_email_in_any_case(anon, alice, spell):
    response = anon.post("/auth/login", json={"login": spell(alice["username"]), "password": STRONG_PASSWORD})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user"]["id"] == alice["id"]
    assert body["user"]["email"] == f"{alice['username']}.Mail@example.com"
    me = anon.get("/users/me", headers={"Authorization": f"Bearer {body['access']}"})
    assert me.json()["username"] == alice["username"]


def test_login_records_last_login(anon, alice):
    anon.post("/auth/login", json={"login": alice["username"].lower(), "password": STRONG_PASSWORD})
    assert User.objects.get(pk=alice["id"]).last_login is not None


def test_each_login_opens_its_own_token_family(anon, alice):
    first = anon.post("/auth/login/", json={"login": alice["username"].lower(), "password": STRONG_PASSWORD}).json()
    second = anon.post("/auth/login", json={"login": alice["username"].lower(), "password": STRONG_PASSWORD}).json()
    assert anon.post("/auth/logout", json={"refresh": first["refresh"]}).status_code == 204
    assert anon.post("/auth/refresh", json={"refresh": second["refresh"]}).status_code == 200
    # signup + two logins
    assert RefreshToken.objects.filter(user_id=alice["id"]).values("family").distinct().count() == 3


def test_wrong_password_and_unknown_account_get_the_same_401(anon, alice):
    wrong = assert_error(
        anon.post("/auth/login", json={"login": alice["username"].lower(), "password": "wrong-password-1"}),
        401,
        "invalid_credentials",
    )
    unknown_name = assert_error(
        anon.post("/auth/login", json={"login": "nobody_here", "password": STRONG_PASSWORD}), 401, "invalid_credentials"
    )
    unknown_email = assert_error(
        anon.post("/auth/login", json={"login": "nobody@example.com", "password": "x"}), 401, "invalid_credentials"
    )
    assert wrong == unknown_name == unknown_email
    assert not RefreshToken.objects.filter(user_id=alice["id"]).exclude(revoked_at=None).exists()


def test_password_is_case_sensitive(anon, alice):
    response = anon.post("/auth/login", json={"login": alice["username"].lower(), "password": STRONG_PASSWORD.upper()})
    assert_error(response, 401, "invalid_credentials")


def test_deactivated_account_cannot_log_in(anon, alice):
    User.objects.filter(pk=alice["id"]).update(is_active=False)
    response = anon.post("/auth/login", json={"login": alice["username"].lower(), "password": STRONG_PASSWORD})
    assert_error(response, 401, "invalid_credentials")


def test_a_stale_authorization_header_does_not_block_login(anon, alice):
    response = anon.post(
        "/auth/login",
        json={"login": alice["username"].lower(), "password": STRONG_PASSWORD},
        headers={"Authorization": "Bearer expired.or.garbage"},
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"login": "someone"},
        {"password": "x"},
        {"login": 5, "password": "x"},
        {"login": "", "password": "x"},
        {"login": "a" * 300, "password": "x"},
        [1],
        "text",
        None,
    ],
)
def test_malformed_login_input_is_a_validation_error(anon, alice, payload):
    assert_error(anon.post("/auth/login", json=payload), 400, "validation_error")


def test_malformed_login_json_is_a_400(anon, alice):
    response = anon.post("/auth/login", data=b'{"login": ', headers={"Content-Type": "application/json"})
    assert_error(response, 400, "malformed_request")


def test_form_encoded_login_is_unsupported(anon, alice):
    response = anon.post("/auth/login", data={"login": alice["username"], "password": STRONG_PASSWORD})
    assert_error(response, 415, "unsupported_media_type")
