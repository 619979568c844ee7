"""POST /auth/refresh and /auth/logout: rotation, reuse detection, sign-out, and the race
of two requests presenting the same refresh token."""

import threading
import uuid
from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from focushub.accounts import services, tokens
from focushub.accounts.models import RefreshToken, User
from focushub.accounts.tokens import TokenInvalid
from tests.support.cast import signed_up
from tests.support.contract import assert_error


@pytest.fixture
def session(anon):
    return signed_up(anon)


def refresh(api, token):
    return api.post("/auth/refresh", json={"refresh": token})


def test_refresh_rotates_to_a_new_pair_in_the_same_family(anon, session):
    response = refresh(anon, session["refresh"])
    assert response.status_code == 200, response.text
    pair = response.json()
    assert set(pair) == {"access", "refresh"}
    assert pair["refresh"] != session["refresh"]
    me = anon.get("/users/me", headers={"Authorization": f"Bearer {pair['access']}"})
    assert me.json()["id"] == session["user"]["id"]
    old, new = (tokens.decode(t, token_type="refresh") for t in (session["refresh"], pair["refresh"]))
    assert old.family == new.family
    assert RefreshToken.objects.get(jti=old.jti).used_at is not None
    assert RefreshToken.objects.get(jti=new.jti).used_at is None
    assert refresh(anon, pair["refresh"]).status_code == 200


def test_refresh_token_lives_refresh_token_ttl(anon, session):
    claims = tokens.decode(session["refresh"], token_type="refresh")
    row = RefreshToken.objects.get(jti=claims.jti)
    assert abs(row.expires_at - (row.issued_at + settings.REFRESH_TOKEN_TTL)) < timedelta(seconds=2)
    access = jwt.decode(session["access"], options={"verify_signature": False})
    assert access["exp"] - access["iat"] == int(settings.ACCESS_TOKEN_TTL.total_seconds())


def test_reusing_a_rotated_token_revokes_the_whole_family(anon, session):
    second = refresh(anon, session["refresh"]).json()
    third = refresh(anon, second["refresh"]).json()
    assert_error(refresh(anon, session["refresh"]), 401, "token_reused")
    assert_error(refresh(anon, third["refresh"]), 401, "token_revoked")
    assert_error(refresh(anon, second["refresh"]), 401, "token_revoked")
    family = tokens.decode(session["refresh"], token_type="refresh").family
    assert not RefreshToken.objects.filter(family=family, revoked_at=None).exists()


def test_reuse_leaves_other_sign_ins_alone(anon, session):
    other = anon.post(
        "/auth/login", json={"login": session["user"]["username"], "password": "violet-Harbor-93-kite"}
    ).json()
    refresh(anon, session["refresh"])
    assert_error(refresh(anon, session["refresh"]), 401, "token_reused")
    assert refresh(anon, other["refresh"]).status_code == 200


def test_logout_stops_the_family_and_is_idempotent(anon, session):
    rotated = refresh(anon, session["refresh"]).json()
    response = anon.post("/auth/logout", json={"refresh": rotated["refresh"]})
    assert response.status_code == 204
    assert response.content == b""
    assert_error(refresh(anon, rotated["refresh"]), 401, "token_revoked")
    assert_error(refresh(anon, session["refresh"]), 401, "token_revoked")
    assert anon.post("/auth/logout/", json={"refresh": rotated["refresh"]}).status_code == 204


def test_logout_with_an_already_rotated_token_still_signs_the_family_out(anon, session):
    rotated = refresh(anon, session["refresh"]).json()
    assert anon.post("/auth/logout", json={"refresh": session["refresh"]}).status_code == 204
    assert_error(refresh(anon, rotated["refresh"]), 401, "token_revoked")


def test_an_access_token_is_not_a_refresh_token(anon, session):
    assert_error(refresh(anon, session["access"]), 401, "token_invalid")
    assert_error(anon.post("/auth/logout", json={"refresh": session["access"]}), 401, "token_invalid")


def test_an_expired_refresh_token_is_refused(anon, session):
    claims = tokens.decode(session["refresh"], token_type="refresh")
    expired = tokens.encode(
        user_id=claims.user_id,
        token_type="refresh",
        jti=claims.jti,
        family=claims.family,
        expires_at=timezone.now() - timedelta(seconds=5),
    )
    assert_error(refresh(anon, expired), 401, "token_expired")


def test_a_well_signed_token_that_was_never_issued_is_refused(anon, session):
    claims = tokens.decode(session["refresh"], token_type="refresh")
    later = timezone.now() + timedelta(days=1)
    unknown_jti = tokens.issue_refresh(user_id=claims.user_id, jti=uuid.uuid4(), family=claims.family, expires_at=later)
    other_family = tokens.issue_refresh(user_id=claims.user_id, jti=claims.jti, family=uuid.uuid4(), expires_at=later)
    other_user = tokens.issue_refresh(
        user_id=claims.user_id + 1, jti=claims.jti, family=claims.family, expires_at=later
    )
    for forged in (unknown_jti, other_family, other_user):
        assert_error(refresh(anon, forged), 401, "token_invalid")
    assert refresh(anon, session["refresh"]).status_code == 200


def test_a_token_signed_with_another_key_is_refused(anon, session):
    payload = jwt.decode(session["refresh"], options={"verify_signature": False})
    forged = jwt.encode(payload, "not-our-secret-key-not-our-secret-key", algorithm="HS256")
    assert_error(refresh(anon, forged), 401, "token_invalid")


def test_a_deactivated_user_cannot_refresh(anon, session):
    User.objects.filter(pk=session["user"]["id"]).update(is_active=False)
    assert_error(refresh(anon, session["refresh"]), 401, "token_invalid")


@pytest.mark.parametrize(
    "body", [{}, {"refresh": ""}, {"refresh": 12}, {"refresh": None}, {"refresh": "x" * 5000}, [1]]
)
def test_malformed_refresh_input_is_a_validation_error(anon, live, body):
    assert_error(anon.post("/auth/refresh", json=body), 400, "validation_error")
    assert_error(anon.post("/auth/logout", json=body), 400, "validation_error")


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", "\u00e9t\u00e9"])
def test_garbage_refresh_token_is_a_401(anon, live, token):
    assert_error(refresh(anon, token), 401, "token_invalid")
    assert_error(anon.post("/auth/logout", json={"refresh": token}), 401, "token_invalid")


def test_concurrent_refreshes_of_one_token_never_both_succeed(anon, session):
    """Over HTTP: several clients present the same token at the same instant, in rounds."""
    token = session["refresh"]
    for _ in range(3):
        barrier = threading.Barrier(4)
        results: list = []

        def attempt(barrier=barrier, results=results, token=token) -> None:
            barrier.wait()
            results.append(refresh(anon, token))

        threads = [threading.Thread(target=attempt) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        statuses = sorted(r.status_code for r in results)
        assert statuses == [200, 401, 401, 401], [r.text for r in results]
        assert {r.json()["code"] for r in results if r.status_code == 401} <= {"token_reused", "token_revoked"}
        # The losers saw reuse, so even the winner's new token is dead: sign in again.
        winner = next(r.json() for r in results if r.status_code == 200)
        assert_error(refresh(anon, winner["refresh"]), 401, "token_revoked")
        token = anon.post(
            "/auth/login", json={"login": session["user"]["username"], "password": "violet-Harbor-93-kite"}
        ).json()["refresh"]


def test_a_second_refresh_waits_for_the_first_and_then_counts_as_reuse(live, session):
    """In-process, with the interleaving forced: the first rotation holds its transaction
    open; the second presenter of the same token must block on the row lock (SQLite: on
    the write lock) instead of reading the row as unused, then see reuse."""
    token = session["refresh"]
    first_in = threading.Event()
    let_first_commit = threading.Event()
    second_done = threading.Event()
    outcome: dict = {}

    def first() -> None:
        try:
            with transaction.atomic():
                outcome["first"] = services.refresh_token_rotate(token=token)
                first_in.set()
                let_first_commit.wait(10)
        finally:
            connection.close()

    def second() -> None:
        first_in.wait(10)
        try:
            services.refresh_token_rotate(token=token)
            outcome["second"] = "rotated"
        except TokenInvalid as exc:
            outcome["second"] = exc.code
        finally:
            second_done.set()
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    assert first_in.wait(10)
    assert not second_done.wait(0.5), "the second refresh read the token before the first committed"
    let_first_commit.set()
    for thread in threads:
        thread.join(15)
    assert outcome["second"] == "token_reused"
    with pytest.raises(TokenInvalid) as revoked:
        services.refresh_token_rotate(token=outcome["first"].refresh)
    assert revoked.value.code == "token_revoked"
