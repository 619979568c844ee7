"""deploy/nginx/focushub.conf, run as shipped (only its EDIT lines changed) by Debian's
nginx in front of two FocusHub servers (serve.py: a daphne for websockets and a gunicorn
HTTP worker each), as docs/deploy.md, "A proxy in front: nginx", describes."""

import http.client
import os
import re
import signal
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.core.management import call_command

from focushub.timeline.selectors import events_for_user_feed
from tests.conftest import LOG_DIR
from tests.realtime.streams import close_code, event_ids_through, first, stream_url
from tests.support.cast import new_project
from tests.support.clients import Api, Socket
from tests.support.nginx import NGINX, SITE, site, write_config
from tests.support.processes import Process, free_port, wait_for
from tests.test_serve import Serve

# Several servers behind one proxy share their work through PostgreSQL and Redis: the
# scaled mode's layout (docs/deploy.md).
pytestmark = [pytest.mark.live, pytest.mark.skipif(
    settings.EMBEDDED or not settings.REDIS_URL, reason="servers behind a proxy need PostgreSQL and Redis")]


class Nginx(Process):
    """Its access log, in the site file's format, is `access.log` in its folder."""

    def __init__(self, folder: Path, upstreams: list[Serve]):
        assert os.access(NGINX, os.X_OK), "nginx is not installed: Debian's nginx package (bin/test installs it)"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        text = site(web_ports=[upstream.port for upstream in upstreams],
                    http_ports=[upstream.http_port for upstream in upstreams],
                    listen=f"127.0.0.1:{self.port}", static_root=str(settings.STATIC_ROOT),
                    access_log=str(folder / "access.log"))
        self.access_log = folder / "access.log"
        # Started as root, nginx's workers would drop to `nobody`, who may not read the
        # checkout's static files (a clean clone under a private temporary folder): they
        # run as whoever runs the suite, as Debian's nginx runs as the files' www-data.
        command = write_config(folder, text, user="user root;" if os.geteuid() == 0 else "")
        super().__init__(f"nginx-{self.port}", command, dict(os.environ), LOG_DIR)
        wait_for(self.answers, timeout=30, message="nginx to answer")

    def answers(self) -> bool:
        """nginx itself answers (whatever its upstreams do)."""
        try:
            requests.get(f"{self.url}/healthz", timeout=2)
        except requests.RequestException:
            return False
        return True


@pytest.fixture(scope="module")
def proxied(server, django_db_blocker, tmp_path_factory):
    """nginx in front of two FocusHub servers, each one web process and one HTTP worker,
    for the module."""
    call_command("collectstatic", interactive=False, verbosity=0)
    with django_db_blocker.unblock():
        backends = [Serve(WEB_PROCESSES="1", HTTP_WORKERS="1", WORKER_CLUSTERS="0",
                          LOGIN_IP_THROTTLE_RATE="2/min") for _ in range(2)]
    for backend in backends:
        backend.web_pids(1)
    proxy = Nginx(tmp_path_factory.mktemp("nginx"), backends)
    yield proxy, backends
    proxy.stop()
    for backend in backends:
        backend.stop()


def test_rest_and_a_socket_through_the_proxy_resume_after_a_restart_behind_it(proxied, person):
    proxy, backends = proxied
    alice = person()
    project_id = new_project(alice)
    offsets = [backend.log_offset() for backend in backends]
    socket = Socket(stream_url(proxy, "/ws/me", token=alice.token))
    since = first(socket, "hello")["last_event_id"]
    behind = wait_for(lambda: next((b for b, at in zip(backends, offsets, strict=True)
                                    if "WSCONNECT /ws/me" in b.log_since(at)), None),
                      message="the server behind the socket to log it")
    (restarted,) = behind.web_pids(1)

    os.kill(restarted, signal.SIGTERM)  # that server's web process drains; serve.py starts it again
    assert close_code(socket) == 1012
    started = Api(proxy.url, alice.token).post("/time-entries/start", json={"project": project_id})
    assert started.status_code == 201, started.text
    # REST went to the HTTP workers: no daphne logged it (gunicorn logs no requests).
    assert all("/time-entries/start" not in b.log_since(at) for b, at in zip(backends, offsets, strict=True))

    with Socket(stream_url(proxy, "/ws/me", token=alice.token, since=since)) as resumed:
        assert first(resumed, "hello")["timer"]["id"] == started.json()["entry"]["id"]
        missed = list(events_for_user_feed(alice.id).filter(id__gt=since).order_by("id").values_list("id", flat=True))
        assert event_ids_through(resumed, missed[-1]) == missed
    wait_for(lambda: behind.web_pids(1) != [restarted], timeout=30, message="serve.py to start the web process again")


def test_links_lead_back_through_the_proxy_with_the_scheme_the_client_used(proxied, person):
    proxy, backends = proxied
    alice = person()
    for name in ("Alpha", "Bravo"):
        assert alice.api.post("/projects", json={"name": name}).status_code == 201
    through = Api(proxy.url, alice.token)
    # The Host the client sent, port included; a client's own X-Forwarded-Proto is replaced.
    for headers in ({}, {"X-Forwarded-Proto": "https"}):
        next_page = through.get("/projects?limit=1", headers=headers).json()["next"]
        assert next_page == f"{proxy.url}/projects?limit=1&offset=1"
        assert [p["name"] for p in through.session.get(next_page, timeout=10).json()["results"]] == ["Bravo"]
    # From a trusted proxy (this machine) that ended TLS: https links, under gunicorn and daphne.
    for url in (backends[0].http_url, backends[0].url):
        behind_tls = Api(url, alice.token).get("/projects?limit=1", headers={"Host": "127.0.0.1:8443",
                                                                            "X-Forwarded-Proto": "https"})
        assert behind_tls.json()["next"] == "https://127.0.0.1:8443/projects?limit=1&offset=1"


def test_the_proxys_access_log_names_no_token(proxied, person):
    proxy, _ = proxied
    alice = person()
    with Socket(stream_url(proxy, "/ws/me", token=alice.token)) as socket:
        first(socket, "hello")
    assert Api(proxy.url).get(f"/healthz?token={alice.token}").status_code == 200

    def logged() -> str:
        text = proxy.access_log.read_text() if proxy.access_log.exists() else ""
        return text if '"GET /ws/me HTTP/1.1" 101' in text and '"GET /healthz HTTP/1.1" 200' in text else ""

    log = wait_for(logged, timeout=10, message="nginx to log both requests")
    assert alice.token not in log and "token=" not in log


def test_a_forged_x_forwarded_for_does_not_make_a_new_client(proxied, live):
    proxy, _ = proxied
    statuses = [
        requests.post(f"{proxy.url}/auth/login", json={"login": "nobody-here", "password": "not it"},
                      headers={"X-Forwarded-For": f"203.0.113.{n}"}, timeout=10).status_code
        for n in range(5)
    ]
    # Two attempts a minute per client address: the forged addresses were not believed,
    # so all five came from the one client nginx saw, and the last is refused.
    assert statuses[0] != 429 and statuses[-1] == 429, statuses


def test_a_body_over_the_apps_limit_is_refused_by_the_proxy_in_the_apps_shape(proxied, live):
    proxy, backends = proxied
    limit = re.search(r"client_max_body_size (\d+)m;", SITE.read_text())
    assert limit and int(limit.group(1)) * 1024 * 1024 == settings.MAX_REQUEST_BYTES
    offsets = [backend.log_offset() for backend in backends]
    client = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
    client.putrequest("POST", "/auth/login")
    client.putheader("Content-Type", "application/json")
    client.putheader("Content-Length", str(settings.MAX_REQUEST_BYTES + 1))
    client.endheaders()  # nginx answers on the length alone, before any of the body
    refused = client.getresponse()
    assert refused.status == 413
    assert refused.getheader("Content-Type") == "application/json"
    assert refused.read() == b'{"code": "payload_too_large", "detail": "Request body is too large."}'
    assert all("/auth/login" not in b.log_since(at) for b, at in zip(backends, offsets, strict=True))


def test_static_files_are_served_from_disk_by_the_proxy(proxied, live):
    proxy, backends = proxied
    offsets = [backend.log_offset() for backend in backends]
    served = requests.get(f"{proxy.url}/static/focushub/client.js", timeout=10)
    assert served.status_code == 200
    assert served.content == (Path(settings.STATIC_ROOT) / "focushub" / "client.js").read_bytes()
    assert served.headers["Cache-Control"] == "max-age=3600"
    assert all("/static/" not in b.log_since(at) for b, at in zip(backends, offsets, strict=True))


class Gone:
    """An upstream's addresses with nothing listening on them."""

    def __init__(self):
        self.port, self.http_port = free_port(), free_port()


def test_when_no_server_answers_the_proxy_says_so_in_the_apps_shape(tmp_path):
    proxy = Nginx(tmp_path, [Gone()])
    try:
        refused = requests.post(f"{proxy.url}/time-entries/start", json={"project": 1}, timeout=10)
    finally:
        proxy.stop()
    assert refused.status_code == 503
    assert refused.headers["Content-Type"] == "application/json"
    assert refused.headers["Retry-After"] == "1"
    assert refused.json()["code"] == "server_unavailable"
