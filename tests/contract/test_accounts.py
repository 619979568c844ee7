"""The contract of the account endpoints: /auth/* answer anyone, /users/me only its owner."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.support.cast import STRONG_PASSWORD, image_bytes
from tests.support.contract import Endpoint, contract


def _avatar(world) -> dict:
    return {"avatar": SimpleUploadedFile("me.png", image_bytes(), "image/png")}


def _refresh(world) -> dict:
    return {"refresh": world.session().tokens.refresh}


ENDPOINTS = (
    Endpoint("POST", "/auth/signup", allowed="anyone", status=201, max_queries=9,
             body={"email": "newcomer@example.com", "username": "newcomer_c", "password": STRONG_PASSWORD},
             invalid={"email": "not an email", "username": "newcomer_c", "password": STRONG_PASSWORD}),
    Endpoint("POST", "/auth/login", allowed="anyone", status=200, max_queries=5,
             body=lambda w: {"login": w.user("owner").username, "password": STRONG_PASSWORD},
             invalid={"login": "", "password": STRONG_PASSWORD}),
    Endpoint("POST", "/auth/refresh", allowed="anyone", status=200, max_queries=11, body=_refresh,
             invalid={"refresh": ""}),
    Endpoint("POST", "/auth/logout", allowed="anyone", status=204, max_queries=9, body=_refresh,
             invalid={}),
    Endpoint("GET", "/users/me", allowed="signed_in", status=200, max_queries=1),
    Endpoint("PATCH", "/users/me", allowed="signed_in", status=200, max_queries=7,
             body={"bio": "Writes a thesis."}, invalid={"timezone": "localtime"}),
    Endpoint("POST", "/users/me/avatar", allowed="signed_in", status=200, max_queries=5, multipart=True,
             body=_avatar, invalid={}),
    Endpoint("DELETE", "/users/me/avatar", allowed="signed_in", status=200, max_queries=5),
)

TestAccountEndpoints = contract(*ENDPOINTS)
