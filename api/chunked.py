"""Request bodies sent with `Transfer-Encoding: chunked` (no Content-Length).

Django's ASGI request reads as many bytes as Content-Length says, so a chunked body was
silently seen as empty ("name is required" whatever was sent), and nothing bounded how
much of it daphne handed over. This ASGI layer, in front of Django, reads such a body
up to MAX_REQUEST_BYTES and hands it on with the Content-Length it turned out to have,
so every later layer (the size limit, DRF's parsers) sees an ordinary request; a
longer one is refused with the same 413 `payload_too_large` as a declared one
(api.middleware.RequestSizeLimitMiddleware).
"""

import json

from django.conf import settings

from api.errors import error_body


def _chunked(headers: list[tuple[bytes, bytes]]) -> bool:
    names = {name.lower(): value for name, value in headers}
    return b"content-length" not in names and b"chunked" in names.get(b"transfer-encoding", b"").lower()


async def _too_large(send) -> None:
    body = json.dumps(error_body("payload_too_large", "Request body is too large.")).encode()
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
