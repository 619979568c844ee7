"""Operators: `createsuperuser` makes an admin, the Django admin lists and searches users,
edits their role, and shows refresh tokens read-only."""

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from focushub.accounts.models import RefreshToken, User
from tests.support.cast import STRONG_PASSWORD, signed_up
from tests.support.contract import assert_error


def test_createsuperuser_makes_an_admin_who_can_log_in(anon, live, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", STRONG_PASSWORD)
    call_command("createsuperuser", interactive=False, username="Root_Op", email="root@example.com", verbosity=0)
    assert User.objects.get(username="Root_Op").role == "admin"
    response = anon.post("/auth/login", json={"login": "root_op", "password": STRONG_PASSWORD})
    assert response.status_code == 200
    assert response.json()["user"]["role"] == "admin"


def test_createsuperuser_applies_the_username_rule(live, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", STRONG_PASSWORD)
    with pytest.raises(CommandError):
        call_command("createsuperuser", interactive=False, username="bad name", email="b@example.com", verbosity=0)
    assert not User.objects.exists()


def test_admin_lists_and_searches_users_by_username_and_email(admin_client, person):
    alice = person("findable_alice", email="alice@searchable.example")
    bob = person("hidden_bob")
    by_name = admin_client.get("/admin/accounts/user/", {"q": "FINDABLE"})
    by_email = admin_client.get("/admin/accounts/user/", {"q": "searchable.example"})
    for response in (by_name, by_email):
        assert response.status_code == 200
        assert alice.username in response.text
        assert bob.username not in response.text


def test_admin_changes_a_users_role(admin_client, person):
    alice = person()
    response = admin_client.post(
        f"/admin/accounts/user/{alice.id}/change/",
        {
            "username": alice.username,
            "email": alice.user.email,
            "role": "admin",
            "is_active": "on",
            "timezone": "UTC",
            "bio": "",
            "avatar_url": "",
            "show_on_leaderboard": "on",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert User.objects.get(pk=alice.id).role == "admin"


def test_admin_refuses_a_username_that_breaks_the_rule(admin_client, person):
    alice = person()
    response = admin_client.post(
        f"/admin/accounts/user/{alice.id}/change/",
        {"username": "no spaces allowed", "email": alice.user.email, "role": "user", "timezone": "UTC"},
    )
    assert response.status_code == 200
    assert User.objects.get(pk=alice.id).username == alice.username


def test_admin_creates_a_user_who_can_log_in(admin_client, anon):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "made_by_admin",
            "email": "made@example.com",
            "role": "user",
            "usable_password": "true",
            "password1": STRONG_PASSWORD,
            "password2": STRONG_PASSWORD,
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert anon.post("/auth/login", json={"login": "made@example.com", "password": STRONG_PASSWORD}).status_code == 200


def test_refresh_tokens_are_visible_but_read_only(admin_client, anon):
    signed_up(anon)
    token = RefreshToken.objects.get()
    assert admin_client.get("/admin/accounts/refreshtoken/").status_code == 200
    page = admin_client.get(f"/admin/accounts/refreshtoken/{token.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    admin_client.post(f"/admin/accounts/refreshtoken/{token.pk}/change/", {"revoked_at_0": "2020-01-01"})
    assert admin_client.get("/admin/accounts/refreshtoken/add/").status_code == 403
    assert admin_client.post(f"/admin/accounts/refreshtoken/{token.pk}/delete/", {"post": "yes"}).status_code == 403
    assert RefreshToken.objects.get(pk=token.pk).revoked_at is None


def test_a_plain_user_cannot_enter_the_admin(person):
    alice = person()
    client = Client()
    client.force_login(alice.user)
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admin_role_grants_no_extra_rights_on_the_profile_api(person):
    admin = person(role="admin")
    assert_error(admin.api.patch("/users/me", json={"role": "user"}), 400, "validation_error")
