"""Request bodies sent with `Transfer-Encoding: chunked` (no Content-Length).

Django's request (ASGI and WSGI alike) reads as many bytes as Content-Length says, so a
chunked body was silently seen as empty ("name is required" whatever was sent), and
nothing bounded how much of it the server handed over. These layers, in front of Django
under daphne (`ChunkedBody`, asgi.py) and under gunicorn (`ChunkedBodyWSGI`, wsgi.py),
read such a body up to MAX_REQUEST_BYTES and hand it on with the Content-Length it turned
out to have, so every later layer (the size limit, DRF's parsers) sees an ordinary
request; a longer one is refused with the same 413 `payload_too_large` as a declared one
(api.middleware.RequestSizeLimitMiddleware).
"""

import io
import json

from django.conf import settings

from api.errors import error_body


def _chunked(headers: list[tuple[bytes, bytes]]) -> bool:
    names = {name.lower(): value for name, value in headers}
    return b"content-length" not in names and b"chunked" in names.get(b"transfer-encoding", b"").lower()


def _too_large_body() -> bytes:
    return json.dumps(error_body("payload_too_large", "Request body is too large.")).encode()


async def _too_large(send) -> None:
    body = _too_large_body()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class ChunkedBody:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not _chunked(scope["headers"]):
            return await self.app(scope, receive, send)
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            body += message.get("body", b"")
            if len(body) > settings.MAX_REQUEST_BYTES:
                return await _too_large(send)
            more = message.get("more_body", False)
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"transfer-encoding"]
        headers.append((b"content-length", str(len(body)).encode()))
        handed_over = False

        async def replay():
            nonlocal handed_over
            if not handed_over:
                handed_over = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        return await self.app({**scope, "headers": headers}, replay, send)


class ChunkedBodyWSGI:
    """The same for a WSGI server: gunicorn decodes the chunks into `wsgi.input` but sets
    no CONTENT_LENGTH, which Django reads as an empty body."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        encoding = environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if environ.get("CONTENT_LENGTH") or "chunked" not in encoding:
            return self.app(environ, start_response)
        body = environ["wsgi.input"].read(settings.MAX_REQUEST_BYTES + 1)
        if len(body) > settings.MAX_REQUEST_BYTES:
            refusal = _too_large_body()
            start_response("413 Request Entity Too Large",
                           [("Content-Type", "application/json"), ("Content-Length", str(len(refusal)))])
            return [refusal]
        environ = {**environ, "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
        del environ["HTTP_TRANSFER_ENCODING"]
        return self.app(environ, start_response)
