"""Badge images go to Cloudinary when CLOUDINARY_URL is set. Cloudinary's HTTP API is the
outside world, so a local HTTP server stands in for it, reached by a second daphne whose
CLOUDINARY_URL points its `upload_prefix` there."""

import pytest

from focushub.badges.models import Badge
from tests.gamification.conftest import NEW
from tests.support.cast import image_bytes
from tests.support.clients import Api
from tests.support.cloudinary import API_KEY, API_SECRET, CLOUD

SECURE_URL = f"https://res.cloudinary.com/{CLOUD}/image/upload/v1/focushub/badges/marathon.png"


def post_with_image(server, admin):
    return Api(server.url, admin.token).post(
        "/badges", data={**NEW, "criteria": '{"type": "entries", "count": 3}'},
        files={"image": ("medal.png", image_bytes(), "image/png")},
    )


def test_a_badge_image_is_uploaded_to_cloudinary_with_signed_credentials(cloud_server, cloud_stub, admin):
    cloud_stub.answer(200, {"secure_url": SECURE_URL, "public_id": "focushub/badges/marathon"})
    response = post_with_image(cloud_server, admin)
    assert response.status_code == 201, response.text
    assert response.json()["image_url"] == SECURE_URL
    assert Badge.objects.get(slug="marathon").image_url == SECURE_URL
    [request] = cloud_stub.requests
    assert request["path"] == f"/v1_1/{CLOUD}/image/upload"
    fields = request["fields"]
    assert (fields["api_key"], fields["public_id"], fields["folder"]) == (API_KEY.encode(), b"marathon",
                                                                          b"focushub/badges")
    assert fields["signature"]
    assert fields["file"] == image_bytes()
    assert not any(API_SECRET.encode() in value for value in fields.values())


@pytest.mark.parametrize(
    "answer",
    [(500, {"error": {"message": "Internal error"}}), (200, {"secure_url": "http://insecure.example/x.png"})],
)
def test_a_failed_upload_is_a_502_and_creates_no_badge(cloud_server, cloud_stub, admin, answer):
    cloud_stub.answer(*answer)
    response = post_with_image(cloud_server, admin)
    assert response.status_code == 502
    assert response.json()["code"] == "upload_failed"
    assert not Badge.objects.filter(slug="marathon").exists()
