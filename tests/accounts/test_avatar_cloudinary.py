"""POST /users/me/avatar with CLOUDINARY_URL set: the image goes through the cloudinary
SDK to a local stand-in of Cloudinary's upload API (the only thing stubbed), on a daphne
started with CLOUDINARY_URL pointing there."""

import cloudinary.utils
import pytest

from focushub.accounts.models import User
from tests.support.cast import image_bytes
from tests.support.clients import Api
from tests.support.cloudinary import API_KEY, API_SECRET, CLOUD, cloudinary_url
from tests.support.contract import assert_error

SECURE_URL = "https://res.cloudinary.com/demo-cloud/image/upload/v1712345678/avatars/user-1.png"


def upload(server, actor, data: bytes):
    return Api(server.url, actor.token).post("/users/me/avatar", files={"avatar": ("me.png", data, "image/png")})


def test_avatar_is_uploaded_signed_to_cloudinary_and_its_secure_url_stored(cloud_server, cloud_stub, person):
    cloud_stub.answer(200, {"secure_url": SECURE_URL, "public_id": "avatars/user-1", "version": 1712345678})
    alice = person()
    data = image_bytes()
    response = upload(cloud_server, alice, data)
    assert response.status_code == 200, response.text
    assert response.json()["avatar_url"] == SECURE_URL
    assert User.objects.get(pk=alice.id).avatar_url == SECURE_URL

    [request] = cloud_stub.requests
    assert request["path"] == f"/v1_1/{CLOUD}/image/upload"
    fields = request["fields"]
    assert fields["file"] == data
    assert fields["api_key"] == API_KEY.encode()
    assert fields["public_id"] == f"avatars/user-{alice.id}".encode()
    signed = {
        name: value.decode()
        for name, value in fields.items()
        if name not in {"file", "api_key", "signature", "resource_type", "signature_algorithm"}
    }
    assert fields["signature"].decode() == cloudinary.utils.api_sign_request(signed, API_SECRET)


@pytest.mark.parametrize(
    ("status", "payload"),
    [
        (500, {"error": {"message": "Internal error"}}),
        (401, {"error": {"message": "Invalid Signature"}}),
        (420, {"error": {"message": "Rate Limit Exceeded"}}),
        (200, b"<html>not json</html>"),
        (200, {"public_id": "avatars/user-1"}),
        (200, {"secure_url": "http://insecure.example/x.png"}),
    ],
)
def test_a_failed_upload_is_a_502_and_changes_nothing(cloud_server, cloud_stub, person, status, payload):
    cloud_stub.answer(status, payload)
    alice = person(avatar_url="https://res.cloudinary.com/demo-cloud/image/upload/v1/avatars/old.png")
    assert_error(upload(cloud_server, alice, image_bytes()), 502, "upload_failed")
    assert User.objects.get(pk=alice.id).avatar_url == alice.user.avatar_url
    assert len(cloud_stub.requests) == 1


def test_an_unreachable_cloudinary_is_a_502(start_server, person, cloudinary_stub):
    dead = cloudinary_stub.url
    cloudinary_stub.stop()
    server = start_server(CLOUDINARY_URL=cloudinary_url(dead))
    alice = person()
    assert_error(upload(server, alice, image_bytes()), 502, "upload_failed")
    assert User.objects.get(pk=alice.id).avatar_url == ""


def test_a_bad_file_never_reaches_cloudinary(cloud_server, cloud_stub, person):
    alice = person()
    assert_error(upload(cloud_server, alice, b"not an image"), 400, "validation_error")
    assert cloud_stub.requests == []
