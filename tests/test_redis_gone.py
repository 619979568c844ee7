"""Redis gone (README.md, "Configuration"; docs/realtime.md): a server configured with a
Redis that does not answer keeps every committed change and every event; what truly needs Redis says so with a clear
status, never a 500."""

import pytest

from focushub.timeline.models import Event
from focushub.tracking.models import TimeEntry
from tests.conftest import LOG_DIR
from tests.realtime.streams import first, stream_url
from tests.support.cast import make_team
from tests.support.clients import Api, Socket
from tests.support.processes import Daphne, free_port


@pytest.fixture
def cut_off(live):
    """A daphne on the test database whose REDIS_URL points at a port nobody listens on."""
    proc = Daphne(LOG_DIR, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    yield proc
    proc.stop()


def test_readiness_names_redis_while_liveness_stays_up(cut_off):
    anon = Api(cut_off.url)
    assert anon.get("/healthz").status_code == 200
    ready = anon.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"] == "ok"
    assert ready.json()["checks"]["redis"].startswith("error")


def test_timers_start_and_stop_and_their_events_are_kept(live, cut_off):
    team = make_team(live)
    api = Api(cut_off.url, team.contributor.token)
    started = api.post("/time-entries/start", json={"project": team.pid})
    assert started.status_code == 201, started.text
    stopped = api.post("/time-entries/stop")
    assert stopped.status_code == 200, stopped.text
    entry = TimeEntry.objects.get(pk=started.json()["entry"]["id"])
    assert entry.end_time is not None
    kinds = list(Event.objects.filter(actor_id=team.contributor.id).order_by("id").values_list("kind", flat=True))
    assert kinds[-2:] == ["timer.started", "timer.stopped"]


def test_the_leaderboard_says_it_is_unavailable(live, cut_off):
    team = make_team(live)
    response = Api(cut_off.url, team.owner.token).get("/leaderboard")
    assert response.status_code == 503
    assert response.json()["code"] == "leaderboard_unavailable"


def test_a_profile_is_served_without_its_rank(live, cut_off):
    team = make_team(live)
    response = Api(cut_off.url, team.owner.token).get(f"/users/{team.owner.username}")
    assert response.status_code == 200, response.text
    profile = response.json()
    assert profile["rank"] is None and profile["rank_available"] is False
    assert profile["user"]["username"] == team.owner.username


def test_sign_in_still_works(live, cut_off):
    team = make_team(live)
    team.owner.user.set_password("correct horse battery staple")
    team.owner.user.save()
    anon = Api(cut_off.url)
    response = anon.post("/auth/login", json={"login": team.owner.username, "password": "correct horse battery staple"})
    assert response.status_code == 200, response.text


def test_a_socket_still_gets_its_events_by_the_relay_polling_the_database(live, cut_off):
    team = make_team(live)
    with Socket(stream_url(cut_off, "/ws/me", token=team.contributor.token)) as socket:
        first(socket, "hello")
        assert Api(cut_off.url, team.contributor.token).post(
            "/time-entries/start", json={"project": team.pid}
        ).status_code == 201
        started = socket.recv_until(lambda m: m["type"] == "timer.started", timeout=5)
        assert started["event"]["actor"]["id"] == team.contributor.id


def test_no_path_answers_500_while_redis_is_gone(live, cut_off):
    team = make_team(live)
    api = Api(cut_off.url, team.owner.token)
    entry = api.post("/time-entries/start", json={"project": team.pid}).json()["entry"]
    paths = [
        "/users/me", f"/users/{team.owner.username}", f"/users/{team.owner.username}/timeline", "/projects",
        f"/projects/{team.pid}", f"/projects/{team.pid}/members", f"/projects/{team.pid}/timeline", "/timeline",
        "/time-entries", "/time-entries/current", f"/time-entries/{entry['id']}", "/time-entries/export?format=csv",
        "/activity/overview", "/badges", f"/leaderboard?project={team.pid}",
    ]
    for path in paths:
        response = api.get(path)
        assert response.status_code in (200, 503), (path, response.status_code, response.text)
    writes = [
        ("PATCH", "/users/me", {"show_on_leaderboard": False}),
        ("POST", "/projects", {"name": "During the outage"}),
        ("PATCH", f"/time-entries/{entry['id']}", {"description": "edited"}),
        ("POST", "/time-entries/stop", None),
        ("DELETE", f"/time-entries/{entry['id']}", None),
    ]
    for method, path, body in writes:
        response = api.request(method, path, json=body)
        assert response.status_code in (200, 201, 204), (method, path, response.status_code, response.text)
