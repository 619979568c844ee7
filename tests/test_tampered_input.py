"""Input a clumsy or hostile client sends that once escaped the contract (issue: hardening):
tampered cursors, ids in other digits, a time zone that is the server's own, wrong types
over the socket. Each gets a 4xx (or a websocket `error`) with a stable code, and leaves
the data unchanged."""

import base64

import pytest

from focushub.accounts.models import User
from tests.realtime.streams import first, stream_url
from tests.support.clients import Socket

pytestmark = pytest.mark.live


def cursor(position: str) -> str:
    return base64.b64encode(position.encode()).decode()


TAMPERED_TIMELINE = ["p=notadate", "p=1.5", "p=-3", "p=٨٠", "r=1&p=2026-01-01T00:00:00Z", "p=99999999999999999999"]
TAMPERED_ENTRIES = ["p=notadate", "p=0001-01-01T00:00:00+14:00", "p=2026-01-01T00:00:00", "p=9999-12-31T23:59:59-14:00"]


@pytest.mark.parametrize("position", TAMPERED_TIMELINE)
def test_a_tampered_timeline_cursor_is_a_400_on_every_timeline(team, position):
    for path in ("/timeline", f"/projects/{team.pid}/timeline", f"/users/{team.owner.username}/timeline"):
        response = team.owner.api.get(path, params={"cursor": cursor(position)})
        assert response.status_code == 400, (path, response.text)
        body = response.json()
        assert body["code"] == "validation_error" and "cursor" in body["errors"]


@pytest.mark.parametrize("position", TAMPERED_ENTRIES)
def test_a_tampered_time_entry_cursor_is_a_400(team, position):
    response = team.owner.api.get("/time-entries", params={"cursor": cursor(position)})
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "validation_error"


def test_a_real_timeline_cursor_still_pages(team):
    for _ in range(3):
        team.owner.api.post("/projects", json={"name": "another"})
    page = team.owner.api.get("/timeline", params={"limit": 2}).json()
    following = team.owner.api.get(page["next"].split(team.owner.api.base_url, 1)[1])
    assert following.status_code == 200 and following.json()["results"]


@pytest.mark.parametrize("zero", [0x0660, 0xFF10, 0x0966], ids=["arabic-indic", "fullwidth", "devanagari"])
def test_an_id_in_other_digits_names_no_project(team, zero):
    """int() reads these as the same number; an id is ASCII digits or nothing."""
    digits = "".join(chr(zero + int(d)) for d in str(team.pid))
    assert team.owner.api.get(f"/projects/{digits}").status_code == 404
    assert team.owner.api.get(f"/projects/{team.pid}").status_code == 200


def test_localtime_is_not_a_time_zone(person):
    me = person()
    response = me.api.patch("/users/me", json={"timezone": "localtime"})
    assert response.status_code == 400 and "timezone" in response.json()["errors"]
    assert User.objects.get(pk=me.id).timezone == "UTC"


@pytest.mark.parametrize("project", ["twelve", "", {"id": 1}, True, 1.5, [1], -4, 0])
def test_timer_start_over_the_socket_with_a_project_of_the_wrong_type_is_a_validation_error(live, team, project):
    socket = Socket(stream_url(live, "/ws/me", token=team.contributor.token))
    try:
        first(socket, "hello")
        socket.send({"type": "timer.start", "project": project, "ref": "x"})
        error = first(socket, "error")
        assert error["code"] == "validation_error" and "project" in error["errors"], error
        assert error["ref"] == "x"
        socket.send({"type": "ping"})
        assert first(socket, "pong")
    finally:
        socket.close()
    assert team.contributor.api.get("/time-entries/current").json() is None



def chunks(data: bytes, size: int = 64 * 1024):
    """A generator body: `requests` sends it with Transfer-Encoding: chunked."""
    for start in range(0, len(data), size):
        yield data[start : start + size]


def test_a_chunked_body_is_read_like_any_other(person):
    me = person()
    response = me.api.post("/projects", data=chunks(b'{"name": "sent in chunks"}', size=5),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "sent in chunks"


def test_a_chunked_body_over_the_limit_is_a_413_and_creates_nothing(person):
    me = person()
    padding = b" " * (6 * 1024 * 1024)
    response = me.api.post("/projects", data=chunks(b'{"name": "huge"' + padding + b"}"),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert me.api.get("/projects").json()["results"] == []


@pytest.mark.parametrize("content_type", ["multipart/form-data", "multipart/form-data; boundary=xyz"])
def test_malformed_multipart_is_a_400_in_the_contracts_shape(person, content_type):
    me = person()
    response = me.api.post("/users/me/avatar", data=b"\x00garbage that is no multipart body\r\n--",
                           headers={"Content-Type": content_type})
    assert response.status_code == 400, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert {"code", "detail"} <= set(response.json())
    assert me.api.get("/users/me").json()["avatar_url"] == ""


def test_a_form_sent_where_json_is_expected_is_a_415(person):
    me = person()
    response = me.api.post("/projects", files={"name": (None, "sent as a form")})
    assert response.status_code == 415, response.text
    assert response.json()["code"] == "unsupported_media_type"
    assert me.api.get("/projects").json()["results"] == []
