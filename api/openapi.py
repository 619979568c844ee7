"""The error answers every operation can give, added to the OpenAPI document in one place
(a drf-spectacular postprocessing hook) rather than remembered on each view: every error
is the same `{code, detail, errors?}` body (docs/api.md, "Errors"), and which statuses an
operation can answer follows from what it takes — a token, a path id, a body."""

from typing import Any

ERROR = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "description": "stable; see docs/api.md"},
        "detail": {"type": "string", "description": "for people; may change"},
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
                   "description": "validation errors by field"},
    },
    "required": ["code", "detail"],
}
PUBLIC_PATHS = ("/healthz", "/readyz", "/openapi.json", "/docs")
THROTTLED_PATHS = ("/auth/login", "/auth/signup")
STORE_PATHS = ("/leaderboard",)  # read from the board store, which may be unreachable


def _add(responses: dict[str, Any], status: int, description: str) -> None:
    responses.setdefault(str(status), {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    })


def add_error_responses(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    for path, operations in result.get("paths", {}).items():
        if path.rstrip("/").startswith(PUBLIC_PATHS):
            continue
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            _add(responses, 400, "validation_error, malformed_request, bad_request")
            _add(responses, 401, "not_authenticated, token_invalid, token_expired (/auth: invalid_credentials, "
                                 "token_revoked, token_reused)")
            if not path.startswith("/auth/"):
                _add(responses, 403, "forbidden (and other refusals named by their code)")
            if "{" in path:
                _add(responses, 404, "not_found: no such thing, or a private project you are not in")
            if "requestBody" in operation:
                _add(responses, 413, "payload_too_large, file_too_large")
                _add(responses, 415, "unsupported_media_type")
            if path.rstrip("/").startswith(THROTTLED_PATHS):
                _add(responses, 429, "throttled")
            if path.rstrip("/").startswith(STORE_PATHS):
                _add(responses, 503, "leaderboard_unavailable")
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    return result
