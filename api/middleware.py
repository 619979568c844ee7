from django.conf import settings
from django.http import JsonResponse

from api.errors import error_body
from focushub.errors import ApplicationError


class RequestSizeLimitMiddleware:
    """Refuse bodies larger than MAX_REQUEST_BYTES before anything reads them. Django's
    own DATA_UPLOAD_MAX_MEMORY_SIZE does not count file uploads, which would otherwise be
    spooled to disk whatever their size."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            return JsonResponse(error_body("payload_too_large", "Request body is too large."), status=413)
        return self.get_response(request)


class ApplicationErrorMiddleware:
    """A view outside DRF (the /live pages, the admin) that meets an ApplicationError, such
    as the database too busy to give it a connection, answers it in the API's shape and
    status instead of a 500 with a traceback. DRF views answer theirs in
    api/errors.exception_handler and never let one get here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception: Exception) -> JsonResponse | None:
        if not isinstance(exception, ApplicationError):
            return None
        return JsonResponse(error_body(exception.code, exception.detail, exception.errors), status=exception.status)
