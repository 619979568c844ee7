"""Who the client is behind a proxy, and which scheme it used: one rule for daphne
(asgi.py) and gunicorn (wsgi.py).

A request's peer is the proxy when one is in front (deploy/nginx/focushub.conf), so the
throttles (api/throttles.py) would count every client as one. The proxy names the client
in X-Forwarded-For, which it replaces rather than appends to; the header is believed
only from a peer in FORWARDED_ALLOW_IPS (focushub/settings.py), since anyone else could
name a fresh address on every attempt. The address taken is the header's last one: the
one the trusted proxy saw.

A proxy that ends TLS speaks plain HTTP to the app, which would then write `http://`
into the absolute links it gives (pagination, media, the AsyncAPI document's server).
The proxy names the scheme the client used in X-Forwarded-Proto (`http` or `https`),
believed from the same peers only.
"""

import ipaddress

from django.conf import settings


def client_address(peer: str | None, forwarded_for: str | None) -> str | None:
    """The client's address: the peer's own, unless the peer is a trusted proxy that
    names a valid address."""
    if not peer or not forwarded_for or not _trusted(peer):
        return peer
    named = forwarded_for.rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(named))
    except ValueError:
        return peer


def client_scheme(peer: str | None, forwarded_proto: str | None) -> str | None:
    """`http` or `https` as a trusted proxy names it; None to keep the connection's own."""
    if not peer or not forwarded_proto or not _trusted(peer):
        return None
    named = forwarded_proto.rsplit(",", 1)[-1].strip().lower()
    return named if named in ("http", "https") else None


def _trusted(peer: str) -> bool:
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(address in network for network in settings.FORWARDED_ALLOW_IPS)


class ForwardedForWSGI:
    """REMOTE_ADDR and wsgi.url_scheme, as gunicorn gives them, made the client's."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        peer = environ.get("REMOTE_ADDR")
        client = client_address(peer, environ.get("HTTP_X_FORWARDED_FOR"))
        scheme = client_scheme(peer, environ.get("HTTP_X_FORWARDED_PROTO"))
        if client != peer or scheme is not None:
            environ = {**environ, "REMOTE_ADDR": client, "wsgi.url_scheme": scheme or environ["wsgi.url_scheme"]}
        return self.app(environ, start_response)


class ForwardedFor:
    """The ASGI scope's `client` and `scheme`, as daphne gives them, made the client's
    (HTTP and websockets alike: a websocket's scheme is `ws` or `wss`)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket") and scope.get("client"):
            peer_host, peer_port = scope["client"]
            client = client_address(peer_host, _last_header(scope, b"x-forwarded-for"))
            scheme = client_scheme(peer_host, _last_header(scope, b"x-forwarded-proto"))
            if client != peer_host:
                scope = {**scope, "client": [client, peer_port]}
            if scheme is not None:
                secure = scheme == "https"
                scope = {**scope, "scheme": ("wss" if secure else "ws") if scope["type"] == "websocket" else scheme}
        return await self.app(scope, receive, send)


def _last_header(scope, name: bytes) -> str | None:
    values = [value for key, value in scope["headers"] if key.lower() == name]
    return values[-1].decode("latin-1") if values else None
