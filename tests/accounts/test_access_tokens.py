"""Access tokens on a protected path (GET /users/me): only our own, unexpired, HS256
access tokens of active users get in; everything else is a 401 in the error shape."""

import base64
import json
import uuid
from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from django.utils import timezone

from focushub.accounts.models import User
from tests.support.contract import assert_error


def claims_for(user_id: int, **overrides) -> dict:
    now = timezone.now()
    claims = {
        "iss": settings.JWT_ISSUER,
        "sub": str(user_id),
        "typ": "access",
        "jti": str(uuid.uuid4()),
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=5)).timestamp()),
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def me(api, token: str):
    return api.get("/users/me", headers={"Authorization": f"Bearer {token}"})


def test_a_valid_access_token_gets_in_with_and_without_trailing_slash(anon, person):
    alice = person()
    assert me(anon, alice.token).status_code == 200
    assert anon.get("/users/me/", headers={"Authorization": f"Bearer {alice.token}"}).status_code == 200


def test_no_token_is_a_401_that_names_the_scheme(anon, live):
    response = anon.get("/users/me")
    assert_error(response, 401, "not_authenticated")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_alg_none_token_is_refused(anon, person):
    alice = person()
    unsigned = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims_for(alice.id))}."
    assert_error(me(anon, unsigned), 401, "token_invalid")


def test_token_signed_with_another_key_is_refused(anon, person):
    alice = person()
    forged = jwt.encode(claims_for(alice.id), "someone-elses-secret-key-0123456789abcdef", algorithm="HS256")
    assert_error(me(anon, forged), 401, "token_invalid")


def test_token_with_our_key_but_another_algorithm_is_refused(anon, person):
    alice = person()
    other_alg = jwt.encode(claims_for(alice.id), settings.SECRET_KEY, algorithm="HS512")
    assert_error(me(anon, other_alg), 401, "token_invalid")


def test_tampered_payload_breaks_the_signature(anon, person):
    alice, bob = person(), person()
    header, _, signature = alice.token.split(".")
    tampered = f"{header}.{b64(claims_for(bob.id))}.{signature}"
    assert_error(me(anon, tampered), 401, "token_invalid")
    assert me(anon, alice.token).json()["id"] == alice.id


def test_refresh_token_used_as_access_token_is_refused(anon, live):
    body = anon.post(
        "/auth/signup", json={"email": "kind@example.com", "username": "kind_user", "password": "violet-Harbor-93-kite"}
    ).json()
    assert_error(me(anon, body["refresh"]), 401, "token_invalid")


def test_expired_access_token_is_refused(anon, person):
    alice = person()
    past = timezone.now() - timedelta(minutes=20)
    expired = jwt.encode(
        claims_for(alice.id, iat=int(past.timestamp()), exp=int((past + settings.ACCESS_TOKEN_TTL).timestamp())),
        settings.SECRET_KEY,
        algorithm="HS256",
    )
    assert_error(me(anon, expired), 401, "token_expired")


@pytest.mark.parametrize(
    "overrides", [{"iss": "someone-else"}, {"jti": None}, {"exp": None}, {"sub": "not-a-number"}, {"typ": None}]
)
def test_well_signed_token_with_wrong_claims_is_refused(anon, person, overrides):
    alice = person()
    token = jwt.encode(claims_for(alice.id, **overrides), settings.SECRET_KEY, algorithm="HS256")
    assert_error(me(anon, token), 401, "token_invalid")


def test_token_of_a_deactivated_or_deleted_user_is_refused(anon, person):
    alice, bob = person(), person()
    User.objects.filter(pk=alice.id).update(is_active=False)
    User.objects.filter(pk=bob.id).delete()
    assert_error(me(anon, alice.token), 401, "token_invalid")
    assert_error(me(anon, bob.token), 401, "token_invalid")


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Token abc", "Bearer " + "a" * 5000])
def test_malformed_authorization_header_never_gets_in(anon, live, header):
    response = anon.get("/users/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["code"] in {"token_invalid", "not_authenticated"}


@pytest.mark.parametrize("scheme", ["Token", "JWT", "Basic"])
def test_another_authorization_scheme_is_told_to_use_bearer(anon, person, scheme):
    actor = person()
    response = anon.get("/users/me", headers={"Authorization": f"{scheme} {actor.token}"})
    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid" and "Bearer" in response.json()["detail"]
