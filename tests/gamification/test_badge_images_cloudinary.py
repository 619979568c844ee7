"""Badge images go to Cloudinary when CLOUDINARY_URL is set. Cloudinary's HTTP API is the
outside world, so a local HTTP server stands in for it, reached by a second daphne whose
CLOUDINARY_URL points its `upload_prefix` there."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from focushub.badges.models import Badge
from tests.conftest import LOG_DIR
from tests.gamification.conftest import NEW, png
from tests.support.clients import Api
from tests.support.processes import Daphne

SECURE_URL = "https://res.cloudinary.com/demo/image/upload/v1/focushub/badges/marathon.png"


class FakeCloudinary(BaseHTTPRequestHandler):
    answers: list[tuple[int, dict]] = []
    requests: list[tuple[str, bytes]] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.requests.append((self.path, body))
        status, answer = self.answers.pop(0)
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def cloudinary_stub():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeCloudinary)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


@pytest.fixture
def cloud_server(live, cloudinary_stub):
    FakeCloudinary.answers.clear()
    FakeCloudinary.requests.clear()
    prefix = f"http://127.0.0.1:{cloudinary_stub.server_port}"
    proc = Daphne(LOG_DIR, CLOUDINARY_URL=f"cloudinary://key123:secret456@demo?upload_prefix={prefix}")
    yield proc
    proc.stop()


def post_with_image(server, admin):
    return Api(server.url, admin.token).post(
        "/badges", data={**NEW, "criteria": '{"type": "entries", "count": 3}'},
        files={"image": ("medal.png", png(), "image/png")},
    )


def test_a_badge_image_is_uploaded_to_cloudinary_with_signed_credentials(cloud_server, admin):
    FakeCloudinary.answers.append((200, {"secure_url": SECURE_URL, "public_id": "focushub/badges/marathon"}))
    response = post_with_image(cloud_server, admin)
    assert response.status_code == 201, response.text
    assert response.json()["image_url"] == SECURE_URL
    assert Badge.objects.get(slug="marathon").image_url == SECURE_URL
    [(path, body)] = FakeCloudinary.requests
    assert path == "/v1_1/demo/image/upload"
    for field in (b'name="api_key"\r\n\r\nkey123', b'name="signature"', b'name="public_id"\r\n\r\nmarathon',
                  b'name="folder"\r\n\r\nfocushub/badges'):
        assert field in body
    assert png() in body
    assert b"secret456" not in body


@pytest.mark.parametrize(
    "answer",
    [(500, {"error": {"message": "Internal error"}}), (200, {"secure_url": "http://insecure.example/x.png"})],
)
def test_a_failed_upload_is_a_502_and_creates_no_badge(cloud_server, admin, answer):
    FakeCloudinary.answers.append(answer)
    response = post_with_image(cloud_server, admin)
    assert response.status_code == 502
    assert response.json()["code"] == "upload_failed"
    assert not Badge.objects.filter(slug="marathon").exists()
