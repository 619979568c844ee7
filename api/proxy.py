"""Who the client is behind a proxy: one rule for daphne (asgi.py) and gunicorn (wsgi.py).

A request's peer is the proxy when one is in front (deploy/nginx/focushub.conf), so the
throttles (api/throttles.py) would count every client as one. The proxy names the client
in X-Forwarded-For, which it replaces rather than appends to; the header is believed
only from a peer in FORWARDED_ALLOW_IPS (focushub/settings.py), since anyone else could
name a fresh address on every attempt. The address taken is the header's last one: the
one the trusted proxy saw.
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


def _trusted(peer: str) -> bool:
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(address in network for network in settings.FORWARDED_ALLOW_IPS)


class ForwardedForWSGI:
    """REMOTE_ADDR, as gunicorn gives it, made the client's address."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        client = client_address(environ.get("REMOTE_ADDR"), environ.get("HTTP_X_FORWARDED_FOR"))
        if client != environ.get("REMOTE_ADDR"):
            environ = {**environ, "REMOTE_ADDR": client}
        return self.app(environ, start_response)


class ForwardedFor:
    """The ASGI scope's `client`, as daphne gives it, made the client's address (HTTP and
    websockets alike)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket") and scope.get("client"):
            peer_host, peer_port = scope["client"]
            forwarded = [value for name, value in scope["headers"] if name.lower() == b"x-forwarded-for"]
            client = client_address(peer_host, forwarded[-1].decode("latin-1") if forwarded else None)
            if client != peer_host:
                scope = {**scope, "client": [client, peer_port]}
        return await self.app(scope, receive, send)
