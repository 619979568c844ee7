"""POST /users/me/avatar without CLOUDINARY_URL: real images only, stored in the local
media folder and served back; anything else is a 4xx that changes nothing."""

import io
import re

import pytest
import requests
from django.conf import settings
from PIL import Image

from focushub.accounts.models import User
from tests.support.cast import image_bytes
from tests.support.contract import assert_error

LOCAL_URL = re.compile(r"^http://127\.0\.0\.1:\d+/media/avatars/[0-9a-f]{32}\.(png|jpg|gif|webp)$")


def upload(actor, data: bytes, name: str = "me.png", content_type: str = "image/png", field: str = "avatar"):
    return actor.api.post("/users/me/avatar", files={field: (name, data, content_type)})


@pytest.fixture(autouse=True)
def no_cloudinary():
    assert not settings.CLOUDINARY_URL, "these tests cover local storage; the suite's server must not use Cloudinary"


@pytest.mark.parametrize(
    ("image_format", "extension"), [("PNG", "png"), ("JPEG", "jpg"), ("GIF", "gif"), ("WEBP", "webp")]
)
def test_a_real_image_is_stored_locally_and_served_back(person, image_format, extension):
    alice = person()
    data = image_bytes(image_format)
    response = upload(alice, data, name=f"face.{extension}")
    assert response.status_code == 200, response.text
    url = response.json()["avatar_url"]
    assert LOCAL_URL.match(url) and url.endswith(f".{extension}")
    assert User.objects.get(pk=alice.id).avatar_url == url
    served = requests.get(url, timeout=10)
    assert served.status_code == 200
    assert served.content == data


def test_the_file_name_and_declared_type_do_not_decide_the_format(person):
    alice = person()
    response = upload(alice, image_bytes("GIF"), name="photo.exe", content_type="application/octet-stream")
    assert response.status_code == 200
    assert response.json()["avatar_url"].endswith(".gif")


def test_a_new_avatar_replaces_and_deletes_the_old_file(person):
    alice = person()
    first = upload(alice, image_bytes(color="red")).json()["avatar_url"]
    second = upload(alice, image_bytes(color="blue")).json()["avatar_url"]
    assert first != second
    assert requests.get(first, timeout=10).status_code == 404
    assert requests.get(second, timeout=10).status_code == 200


def test_removing_the_avatar_clears_it_and_deletes_the_file(person):
    alice = person()
    url = upload(alice, image_bytes()).json()["avatar_url"]
    response = alice.api.delete("/users/me/avatar/")
    assert response.status_code == 200
    assert response.json()["avatar_url"] == ""
    assert requests.get(url, timeout=10).status_code == 404


@pytest.mark.parametrize(
    "data",
    [
        b"definitely not an image",
        b"",
        image_bytes("PNG")[:40],
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
        b"GIF89a<script>alert(1)</script>",
    ],
)
def test_something_that_is_not_a_valid_image_is_refused(person, data):
    alice = person()
    body = assert_error(upload(alice, data), 400, "validation_error")
    assert set(body["errors"]) == {"avatar"}
    assert User.objects.get(pk=alice.id).avatar_url == ""


@pytest.mark.parametrize("image_format", ["BMP", "TIFF", "ICO"])
def test_real_images_in_other_formats_are_refused(person, image_format):
    alice = person()
    body = assert_error(upload(alice, image_bytes(image_format)), 400, "validation_error")
    assert set(body["errors"]) == {"avatar"}


def test_an_image_with_too_many_pixels_is_refused(person):
    buffer = io.BytesIO()
    Image.new("1", (5000, 5000)).save(buffer, format="PNG")  # a few KB on the wire, 25 MP to draw
    alice = person()
    body = assert_error(upload(alice, buffer.getvalue()), 400, "validation_error")
    assert set(body["errors"]) == {"avatar"}


def test_a_file_over_avatar_max_bytes_is_refused_with_413(person):
    alice = person()
    padded = image_bytes() + b"\x00" * (settings.AVATAR_MAX_BYTES)
    assert_error(upload(alice, padded), 413, "file_too_large")
    assert User.objects.get(pk=alice.id).avatar_url == ""


def test_a_file_of_exactly_avatar_max_bytes_passes_the_size_check(person):
    alice = person()
    data = image_bytes()
    exact = data + b"\x00" * (settings.AVATAR_MAX_BYTES - len(data))
    assert upload(alice, exact).status_code == 200


def test_a_huge_upload_is_refused_before_it_is_read(person):
    alice = person()
    huge = b"\x00" * (settings.MAX_REQUEST_BYTES + 1)
    assert_error(upload(alice, huge), 413, "payload_too_large")


def test_missing_avatar_field_is_a_validation_error(person):
    alice = person()
    body = assert_error(upload(alice, image_bytes(), field="picture"), 400, "validation_error")
    assert "avatar" in body["errors"]


def test_json_instead_of_multipart_is_unsupported(person):
    alice = person()
    assert_error(alice.api.post("/users/me/avatar", json={"avatar": "aGk="}), 415, "unsupported_media_type")


def test_a_broken_multipart_body_is_a_400(person):
    alice = person()
    response = alice.api.post(
        "/users/me/avatar", data=b"--x\r\nnonsense", headers={"Content-Type": "multipart/form-data; boundary=x"}
    )
    assert response.status_code == 400
    assert response.json()["code"] in {"malformed_request", "validation_error"}


def test_anonymous_cannot_upload_an_avatar(anon, live):
    response = anon.post("/users/me/avatar", files={"avatar": ("a.png", image_bytes(), "image/png")})
    assert_error(response, 401, "not_authenticated")
