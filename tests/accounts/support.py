"""Helpers shared by the account tests: error assertions, signing up over HTTP, images."""

import io

from PIL import Image

from tests.support.clients import Api
from tests.support.names import unique_name

STRONG_PASSWORD = "violet-Harbor-93-kite"


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code, body
    assert isinstance(body["detail"], str) and body["detail"]
    return body


def signup(api: Api, username: str | None = None, *, email: str | None = None, password: str = STRONG_PASSWORD):
    username = unique_name("u") if username is None else username
    return api.post(
        "/auth/signup", json={"email": email or f"{username}@example.com", "username": username, "password": password}
    )


def signed_up(api: Api, username: str | None = None, **kwargs) -> dict:
    response = signup(api, username, **kwargs)
    assert response.status_code == 201, response.text
    return response.json()


def image_bytes(image_format: str = "PNG", size: tuple[int, int] = (8, 8), color: str = "teal") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=image_format)
    return buffer.getvalue()
