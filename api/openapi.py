"""What the OpenAPI document says beyond each view's `extend_schema`, in one place:

- every operation's error answers (a drf-spectacular postprocessing hook) rather than
  remembered on each view: every error is the same `{code, detail, errors?}` body
  (docs/api.md, "Errors"), and which statuses an operation can answer follows from what
  it takes — a token, a path id, a body;
- every `{..._id}` in a path is a database id (focushub/ids.py), whatever the route's
  regex lets through to the view (which answers 404 for anything else);
- links from a created thing to the operations on it (LINKS), which clients and
  schemathesis' stateful phase follow;
- PATCH bodies as their serializers declare them (AutoSchema).
"""

import re
from typing import Any

from drf_spectacular import openapi

from focushub.ids import MAX_ID

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
ID = {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID}

# (operation that creates, where the new thing's id is in its 201 body, the path parameter
# it fills). A link goes to every operation that takes that id, as this path parameter, or
# as a query parameter or body field named after the thing (`project`), and whose other
# path parameters the creating request's own path supplies.
LINKS = (
    ("post", "/projects/", "/id", "project_id"),
    ("post", "/projects/{project_id}/members/", "/user/id", "user_id"),
    ("post", "/time-entries/", "/id", "entry_id"),
    ("post", "/time-entries/start/", "/entry/id", "entry_id"),
)

class AutoSchema(openapi.AutoSchema):
    """drf-spectacular describes every PATCH body as partial (all fields optional), as DRF's
    generic views validate it. Our views validate a PATCH with the serializer as declared
    (a member's `role` is required) and pass `partial=True` where they mean it (badges), so
    the document follows the serializer."""

    def _get_request_for_media_type(self, serializer, direction="request"):
        if self.method != "PATCH" or getattr(serializer, "partial", False):
            return super()._get_request_for_media_type(serializer, direction)
        self.method = "PATCH as declared"
        try:
            return super()._get_request_for_media_type(serializer, direction)
        finally:
            self.method = "PATCH"


def _add(responses: dict[str, Any], status: int, description: str) -> None:
    responses.setdefault(str(status), {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    })


def _operations(paths: dict[str, Any]):
    for path, operations in paths.items():
        for method, operation in operations.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield path, method, operation


def _path_parameters(path: str) -> set[str]:
    return set(re.findall(r"{(\w+)}", path))


def _error_responses(path: str, operation: dict[str, Any]) -> None:
    if path.rstrip("/").startswith(PUBLIC_PATHS):
        return
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


def _ids_in_paths(operation: dict[str, Any]) -> None:
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path" and parameter["name"].endswith("_id"):
            parameter["schema"] = dict(ID)


def _body_fields(operation: dict[str, Any], schemas: dict[str, Any]) -> set[str]:
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    return set(schemas.get(body.get("$ref", "").rsplit("/", 1)[-1], {}).get("properties", {}))


def _link(operation: dict[str, Any], path: str, schemas: dict[str, Any], pointer: str, filled: str,
          given: set[str]) -> dict[str, Any] | None:
    """The link to this operation from one that created a `filled` thing, if it takes it."""
    needs, thing, value = _path_parameters(path), filled.removesuffix("_id"), f"$response.body#{pointer}"
    if not needs <= given | {filled}:
        return None
    parameters = {name: value if name == filled else f"$request.path.{name}" for name in needs}
    if any(p["in"] == "query" and p["name"] == thing for p in operation.get("parameters", [])):
        parameters[f"query.{thing}"] = value
    link: dict[str, Any] = {"operationId": operation["operationId"]}
    if parameters:
        link["parameters"] = parameters
    if thing in _body_fields(operation, schemas):
        link["requestBody"] = {thing: value}
    return link if filled in needs or f"query.{thing}" in parameters or "requestBody" in link else None


def _links(paths: dict[str, Any], schemas: dict[str, Any]) -> None:
    for method, source, pointer, filled in LINKS:
        links = {}
        for path, _, operation in _operations(paths):
            link = _link(operation, path, schemas, pointer, filled, _path_parameters(source))
            if link is not None:
                links[operation["operationId"]] = link
        paths[source][method]["responses"]["201"]["links"] = links

def complete_document(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    paths = result.get("paths", {})
    for path, _, operation in _operations(paths):
        _error_responses(path, operation)
        _ids_in_paths(operation)
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    _links(paths, schemas)
    schemas["Error"] = ERROR
    return result
