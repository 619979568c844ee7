"""Domain errors. Services raise these; the API and the websocket doors map them to
their wire shapes (api/errors.py, realtime/), so a rule's message lives in one place."""


class ApplicationError(Exception):
    """A request the domain refuses, with a stable machine `code` and an HTTP-ish status."""

    status = 400

    def __init__(self, code: str, detail: str, *, errors: dict | None = None, status=None):
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.errors = errors
        if status is not None:
            self.status = status


class ValidationFailed(ApplicationError):
    status = 400

    def __init__(self, errors: dict[str, list[str]], detail: str = "Invalid input."):
        super().__init__("validation_error", detail, errors=errors)


class NotFound(ApplicationError):
    status = 404

    def __init__(self, detail: str = "Not found."):
        super().__init__("not_found", detail)


class PermissionDenied(ApplicationError):
    status = 403

    def __init__(self, detail: str = "You do not have permission to do this.", code="forbidden"):
        super().__init__(code, detail)


class Conflict(ApplicationError):
    status = 409
