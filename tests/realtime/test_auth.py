"""Who may open a socket: bearer token by query or subprotocol, the Origin check, close
codes for bad and expired tokens, and the token never reaching a log."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from websockets.exceptions import InvalidStatus

from focushub.accounts.tokens import encode
from tests.realtime.streams import close_code, first, is_open
from tests.support.clients import Socket
from tests.support.processes import wait_for

pytestmark = pytest.mark.live


def token_expiring_in(user_id: int, seconds: float) -> str:
    return encode(user_id=user_id, token_type="access", jti=uuid.uuid4(),
                  expires_at=timezone.now() + timedelta(seconds=seconds))


def test_a_query_token_opens_the_user_stream(connect, person):
    alice = person()
    hello = first(connect("/ws/me", token=alice.token), "hello")
    assert hello["user"]["id"] == alice.id


def test_the_bearer_subprotocol_opens_the_stream_and_is_echoed(live, person):
    alice = person()
    with Socket(f"{live.ws_url}/ws/me", subprotocols=["bearer", alice.token]) as socket:
        assert socket.ws.subprotocol == "bearer"
        assert first(socket, "hello")["user"]["id"] == alice.id


@pytest.mark.parametrize("token", ["not-a-jwt", "e30.e30.e30"])
def test_a_bad_token_closes_with_4401(connect, token):
    socket = connect("/ws/me", token=token)
    error = first(socket, "error")
    assert error["code"] == "token_invalid"
    assert close_code(socket) == 4401


def test_no_token_on_the_user_stream_closes_with_4401(connect):
    assert close_code(connect("/ws/me")) == 4401


def test_an_expired_token_closes_with_4401(connect, person):
    alice = person()
    socket = connect("/ws/me", token=token_expiring_in(alice.id, -5))
    assert first(socket, "error")["code"] == "token_expired"
    assert close_code(socket) == 4401


def test_a_refresh_token_is_not_an_access_token(connect, person):
    alice = person()
    refresh = encode(user_id=alice.id, token_type="refresh", jti=uuid.uuid4(),
                     expires_at=timezone.now() + timedelta(days=1), family=uuid.uuid4())
    assert close_code(connect("/ws/me", token=refresh)) == 4401


def test_the_socket_closes_with_4401_when_its_token_expires(connect, person):
    alice = person()
    socket = connect("/ws/me", token=token_expiring_in(alice.id, 3))
    first(socket, "hello")  # valid at connect: the stream opened
    error = first(socket, "error", timeout=6)
    assert error["code"] == "token_expired"
    assert close_code(socket) == 4401


def test_a_foreign_browser_origin_is_refused(live, person):
    alice = person()
    with pytest.raises(InvalidStatus) as refused:
        Socket(f"{live.ws_url}/ws/me?token={alice.token}", origin="https://evil.example")
    assert refused.value.response.status_code == 403
    with pytest.raises(InvalidStatus):
        Socket(f"{live.ws_url}/ws/leaderboard", origin="null")


def test_an_origin_the_server_serves_is_let_in(connect, person):
    alice = person()
    hello = first(connect("/ws/me", token=alice.token, origin="http://localhost:5173"), "hello")
    assert hello["user"]["id"] == alice.id


def test_a_client_without_origin_goes_on_to_the_token_check(live, person):
    alice = person()
    with Socket(f"{live.ws_url}/ws/me?token={alice.token}", origin=None) as socket:
        assert first(socket, "hello")["user"]["id"] == alice.id


def test_an_origin_allowed_by_cors_is_let_in(start_server, person):
    server = start_server(CORS_ALLOWED_ORIGINS="https://app.focushub.example", ALLOWED_HOSTS="127.0.0.1")
    alice = person()
    with Socket(f"{server.ws_url}/ws/me?token={alice.token}", origin="https://app.focushub.example") as socket:
        assert first(socket, "hello")["user"]["id"] == alice.id
    with pytest.raises(InvalidStatus):
        Socket(f"{server.ws_url}/ws/me?token={alice.token}", origin="http://localhost:5173")


def test_the_token_never_reaches_the_server_log(live, connect, person):
    alice = person()
    offset = live.log_offset()
    socket = connect("/ws/me", token=alice.token)
    first(socket, "hello")
    socket.close()
    bad = connect("/ws/me", token=alice.token[:-3] + "abc")
    close_code(bad)
    # Both connections' access lines are written (the log is on, and shows the path only).
    wait_for(lambda: live.log_since(offset).count('"WSDISCONNECT /ws/me"') >= 2, timeout=30,
             message="the access log lines of both connections")
    log = live.log_path.read_text(errors="replace")
    assert alice.token not in log
    assert alice.token[:40] not in log


def test_an_unknown_stream_closes_with_4404(connect):
    assert close_code(connect("/ws/nothing-here")) == 4404


def test_spectators_need_no_account_but_a_bad_token_is_still_refused(connect):
    assert first(connect("/ws/leaderboard"), "leaderboard.snapshot")["rows"] == []
    assert close_code(connect("/ws/leaderboard", token="garbage")) == 4401


def test_a_socket_stays_open_after_the_checks(connect, person):
    socket = connect("/ws/me", token=person().token)
    first(socket, "hello")
    assert is_open(socket)
