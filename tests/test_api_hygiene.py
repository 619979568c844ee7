"""What every REST path promises (docs/api.md): JSON errors with a stable code, no 500 on any
input, size limits, CORS for the SPA, health and the OpenAPI document."""

import pytest

from tests.conftest import SPA_ORIGIN
from tests.support.contract import assert_error


def test_unknown_path_is_a_json_404(anon):
    assert_error(anon.get("/no/such/thing"), 404, "not_found")


def test_wrong_method_is_a_json_405(anon):
    assert_error(anon.delete("/healthz"), 405, "method_not_allowed")


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Bearer not-a-jwt", "Bearer \u00e9\u00e9"])
def test_malformed_authorization_is_a_json_401(anon, header):
    response = anon.get("/time-entries", headers={"Authorization": header.encode("utf-8")})
    assert_error(response, 401, "token_invalid")


def test_a_client_that_takes_no_json_is_told_so_every_time(anon):
    """Content negotiation remembers its answers (api/negotiation.py): a 406 stays a 406,
    and a header that also takes JSON still gets it."""
    for _ in range(3):
        assert_error(anon.get("/leaderboard", headers={"Accept": "text/html"}), 406, "not_acceptable")
        response = anon.get("/leaderboard", headers={"Accept": "text/html, application/json;q=0.5"})
        assert response.status_code == 200 and response.headers["Content-Type"] == "application/json"


def test_malformed_json_is_a_json_400(person):
    alice = person()
    response = alice.api.post("/time-entries/start", data=b"{not json", headers={"Content-Type": "application/json"})
    assert_error(response, 400, "malformed_request")


def test_unsupported_media_type_is_a_json_415(person):
    alice = person()
    response = alice.api.post("/time-entries/start", data=b"project=1", headers={"Content-Type": "text/plain"})
    assert_error(response, 415, "unsupported_media_type")


def test_body_over_the_request_limit_is_refused_with_413(anon):
    response = anon.post("/auth/login", data=b"x" * (6 * 1024 * 1024), headers={"Content-Type": "application/json"})
    assert_error(response, 413, "payload_too_large")


def test_json_body_over_the_parse_limit_is_refused_with_413(person):
    alice = person()
    big = b'{"description": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    response = alice.api.post("/time-entries/start", data=big, headers={"Content-Type": "application/json"})
    assert_error(response, 413, "payload_too_large")


def test_cors_preflight_allows_the_configured_spa_origin(anon):
    response = anon.request(
        "OPTIONS",
        "/time-entries",
        headers={"Origin": SPA_ORIGIN, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization, content-type"},
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == SPA_ORIGIN
    assert "authorization" in response.headers["Access-Control-Allow-Headers"].lower()


def test_cors_does_not_allow_other_origins(anon):
    response = anon.get("/healthz", headers={"Origin": "https://evil.example"})
    assert response.status_code == 200  # served, only without the header that would share it
    assert "Access-Control-Allow-Origin" not in response.headers


def test_readiness_reports_each_dependency(anon, settings):
    body = anon.get("/readyz").json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert ("redis" in body["checks"]) == bool(settings.REDIS_URL)


def test_openapi_document_lists_the_rest_paths(anon):
    document = anon.get("/openapi.json").json()
    assert document["openapi"].startswith("3.")
    paths = set(document["paths"])
    for expected in ("/auth/login", "/projects", "/time-entries/start", "/leaderboard", "/badges", "/timeline"):
        assert any(p.rstrip("/") == expected for p in paths), expected


def test_docs_ui_is_served_without_network(anon):
    page = anon.get("/docs")
    assert page.status_code == 200
    assert "swagger-ui" in page.text
    asset = anon.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert asset.status_code == 200
