"""The one place that turns failures into the §6 error shape:
`{"code": ..., "detail": ..., "errors"?: {field: [messages]}}`."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from focushub.errors import ApplicationError

logger = logging.getLogger(__name__)

_DRF_CODES = {
    exceptions.ParseError: "malformed_request",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
}


def _flatten(detail) -> dict[str, list[str]]:
    """DRF nests errors for nested serializers and lists; clients want field -> messages."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for field, value in detail.items():
            if isinstance(value, dict):
                for sub, msgs in _flatten(value).items():
                    out[f"{field}.{sub}"] = msgs
            elif isinstance(value, list):
                out[str(field)] = [str(v) for v in value if not isinstance(v, dict | list)] or [
                    str(value)
                ]
            else:
                out[str(field)] = [str(value)]
        return out
    if isinstance(detail, list):
        return {"non_field_errors": [str(v) for v in detail]}
    return {"non_field_errors": [str(detail)]}


def error_body(code: str, detail: str, errors: dict | None = None) -> dict:
    body = {"code": code, "detail": detail}
    if errors:
        body["errors"] = errors
    return body


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        return Response(error_body(exc.code, exc.detail, exc.errors), status=exc.status)
    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent):
        return Response(error_body("payload_too_large", "Request body is too large."), status=413)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, exceptions.ValidationError):
        return Response(
            error_body("validation_error", "Invalid input.", _flatten(exc.detail)),
            status=status.HTTP_400_BAD_REQUEST,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    raised_code = exc.get_codes() if isinstance(exc.get_codes(), str) else None
    if raised_code and raised_code != exc.default_code:
        code = raised_code  # a specific code chosen where it was raised (e.g. token_expired)
    else:
        code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), raised_code or "error")
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    response.data = error_body(code, str(detail))
    return response


def bad_request_view(request, exception=None):
    if isinstance(exception, RequestDataTooBig | TooManyFieldsSent):
        return JsonResponse(error_body("payload_too_large", "Request body is too large."), status=413)
    return JsonResponse(error_body("bad_request", "Bad request."), status=400)


def permission_denied_view(request, exception=None):
    return JsonResponse(error_body("forbidden", "You do not have permission to do this."), status=403)


def not_found_view(request, exception=None):
    return JsonResponse(error_body("not_found", "Not found."), status=404)


def server_error_view(request):
    return JsonResponse(error_body("server_error", "Internal server error."), status=500)
