"""Sockets follow access changes at once, on every server process (docs/realtime.md,
"Access changes"): signing out, a reused refresh token, deactivation and removal from a
private project close (4401) or narrow (4404) the affected sockets, not at token expiry
(the access tokens here live for the default 15 minutes); other sessions of the same
person stay open. Each test waits for the close itself, however long a busy machine
takes to deliver it.

Across processes the message travels on the Channels layer (Redis); the embedded
default runs one server process, so there the same-process case is what applies."""

import pytest
from django.conf import settings

from focushub.accounts.services import user_sessions_revoke
from tests.realtime.streams import close_code, first
from tests.support.cast import STRONG_PASSWORD, signed_up
from tests.support.clients import Api

pytestmark = pytest.mark.live
CLOSE_GUARD = 30  # seconds before a close that never comes fails the test (tokens expire after 900)
across_processes = pytest.mark.skipif(
    not settings.REDIS_URL, reason="one server process in the embedded default: no other process to reach"
)


def still_open(socket) -> bool:
    socket.send({"type": "ping", "ref": "alive"})
    return first(socket, "pong", timeout=3)["ref"] == "alive"


def two_sessions(anon: Api) -> tuple[dict, dict]:
    """Sign up (session one) and sign in again (session two): two refresh-token families."""
    one = signed_up(anon)
    two = anon.post("/auth/login", json={"login": one["user"]["username"], "password": STRONG_PASSWORD}).json()
    return one, two


def test_signing_out_closes_that_sessions_sockets_and_no_others(connect, anon):
    one, two = two_sessions(anon)
    mine = connect("/ws/me", token=one["access"])
    other_tab_of_other_session = connect("/ws/me", token=two["access"])
    for socket in (mine, other_tab_of_other_session):
        first(socket, "hello")

    assert anon.post("/auth/logout", json={"refresh": one["refresh"]}).status_code == 204

    assert close_code(mine, timeout=CLOSE_GUARD) == 4401
    assert still_open(other_tab_of_other_session)


@across_processes
def test_signing_out_on_one_server_closes_the_sessions_sockets_on_another(connect, anon, start_server):
    other = start_server()
    one, two = two_sessions(anon)
    here = connect("/ws/me", token=one["access"])
    there = connect("/ws/me", token=one["access"], server=other)
    spectating_there = connect("/ws/leaderboard", token=one["access"], server=other)
    second_session_there = connect("/ws/me", token=two["access"], server=other)
    for socket in (here, there, second_session_there):
        first(socket, "hello")
    first(spectating_there, "leaderboard.snapshot")

    assert anon.post("/auth/logout", json={"refresh": one["refresh"]}).status_code == 204

    for socket in (here, there, spectating_there):
        assert close_code(socket, timeout=CLOSE_GUARD) == 4401
    assert still_open(second_session_there)


@across_processes
def test_a_reused_refresh_token_closes_the_family_everywhere(connect, anon, start_server):
    other = start_server()
    one = signed_up(anon)
    rotated = anon.post("/auth/refresh", json={"refresh": one["refresh"]}).json()
    socket = connect("/ws/me", token=rotated["access"], server=other)
    first(socket, "hello")

    reuse = anon.post("/auth/refresh", json={"refresh": one["refresh"]})
    assert reuse.status_code == 401 and reuse.json()["code"] == "token_reused"

    assert close_code(socket, timeout=CLOSE_GUARD) == 4401


@across_processes
def test_deactivating_an_account_closes_all_its_sockets_on_every_server(connect, anon, start_server):
    """The admin calls the same service from yet another process (here: the test's)."""
    other = start_server()
    one, two = two_sessions(anon)
    sockets = [connect("/ws/me", token=one["access"]), connect("/ws/me", token=two["access"], server=other)]
    for socket in sockets:
        first(socket, "hello")

    user_sessions_revoke(user_id=one["user"]["id"])

    for socket in sockets:
        assert close_code(socket, timeout=CLOSE_GUARD) == 4401


@across_processes
def test_removal_from_a_private_project_narrows_the_watchers_socket_on_another_server(connect, team, start_server):
    other = start_server()
    watching = connect(f"/ws/projects/{team.pid}", token=team.helper.token, server=other)
    feed = connect("/ws/me", token=team.helper.token, server=other)
    first(watching, "hello")
    first(feed, "hello")

    removed = team.owner.api.delete(f"/projects/{team.pid}/members/{team.helper.id}")
    assert removed.status_code == 204

    assert close_code(watching, timeout=CLOSE_GUARD) == 4404
    assert still_open(feed), "the person's own stream stays: they only lost the project"


def test_removal_from_a_public_project_leaves_the_watcher_watching(connect, public_team):
    watching = connect(f"/ws/projects/{public_team.pid}", token=public_team.helper.token)
    first(watching, "hello")
    removed = public_team.owner.api.delete(f"/projects/{public_team.pid}/members/{public_team.helper.id}")
    assert removed.status_code == 204
    assert still_open(watching)


@across_processes
def test_an_admin_deactivating_an_account_closes_its_sockets(connect, anon, admin_client):
    one, _ = two_sessions(anon)
    socket = connect("/ws/me", token=one["access"])
    first(socket, "hello")
    user = one["user"]

    response = admin_client.post(f"/admin/accounts/user/{user['id']}/change/", {
        "username": user["username"], "email": f"{user['username']}@example.com", "role": "user",
        "timezone": "UTC", "bio": "", "avatar_url": "", "show_on_leaderboard": "on",  # is_active unticked
    })
    assert response.status_code == 302, response.content[:500]

    assert close_code(socket, timeout=CLOSE_GUARD) == 4401


@across_processes
def test_an_admin_setting_a_new_password_closes_the_accounts_sockets(connect, anon, admin_client):
    one, _ = two_sessions(anon)
    socket = connect("/ws/me", token=one["access"])
    first(socket, "hello")

    new_password = "another-Harbor-42-kite"
    response = admin_client.post(f"/admin/accounts/user/{one['user']['id']}/password/", {
        "password1": new_password, "password2": new_password, "usable_password": "true",
    })
    assert response.status_code == 302, response.content[:500]

    assert close_code(socket, timeout=CLOSE_GUARD) == 4401
    refresh = anon.post("/auth/refresh", json={"refresh": one["refresh"]})
    assert refresh.status_code == 401
