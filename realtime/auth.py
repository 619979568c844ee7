"""Who may open a socket: the browser Origin check and the bearer token (docs/realtime.md,
docs/realtime.md "Authentication").

Browsers cannot set headers on a websocket, so the access token comes as `?token=` or as
the subprotocol pair ["bearer", token]. Neither is ever logged: daphne's access log shows
the path without the query string, and nothing here logs the scope.
"""

from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlparse

from channels.generic.websocket import AsyncWebsocketConsumer
from channels.security.websocket import OriginValidator
from django.conf import settings

from focushub.accounts.models import User
from focushub.accounts.selectors import user_active_by_id
from focushub.accounts.tokens import Claims, TokenInvalid, decode

BEARER = "bearer"


class _Refuse(AsyncWebsocketConsumer):
    """Answers the handshake with 403. Unlike channels' WebsocketDenier it never touches the
    channel layer, so a refusal works while Redis is down."""

    channel_layer_alias = None

    async def connect(self) -> None:
        await self.close()


class OriginGuard(OriginValidator):
    """Refuses a browser whose Origin this server neither serves (ALLOWED_HOSTS) nor allows
    by CORS (CORS_ALLOWED_ORIGINS): no cross-site websocket hijacking. A client that sends
    no Origin is not a browser page (scripts, native apps) and goes on to the token check."""

    def __init__(self, application):
        hosts = list(settings.ALLOWED_HOSTS)
        if settings.DEBUG and not hosts:
            hosts = ["localhost", "127.0.0.1", "[::1]"]
        origins = list(getattr(settings, "CORS_ALLOWED_ORIGINS", []))
        if getattr(settings, "CORS_ALLOW_ALL_ORIGINS", False):
            origins.append("*")
        super().__init__(application, hosts + origins)

    async def __call__(self, scope, receive, send):
        origin = None
        for name, value in scope.get("headers", []):
            if name == b"origin":
                origin = value.decode("latin1")
        if origin is None or self.validate_origin(urlparse(origin)):
            return await self.application(scope, receive, send)
        return await _Refuse()(scope, receive, send)


@dataclass(frozen=True)
class Credentials:
    token: str | None = field(repr=False)  # never in a log line or an error report's locals
    subprotocol: str | None  # what to echo on accept: "bearer" when the client offered it


def credentials(scope) -> Credentials:
    query = parse_qs(scope.get("query_string", b"").decode("latin1"))
    token = query.get("token", [None])[0]
    offered = [p for p in scope.get("subprotocols") or [] if p]
    subprotocol = BEARER if BEARER in offered else None
    if token is None and subprotocol:
        token = next((p for p in offered if p != BEARER), None)
    return Credentials(token, subprotocol)


def query_params(scope) -> dict[str, str]:
    """The query string without the token, first value of each name."""
    query = parse_qs(scope.get("query_string", b"").decode("latin1"))
    return {name: values[0] for name, values in query.items() if name != "token"}


def authenticate(token: str) -> tuple[User, Claims]:
    """The active user a valid access token names, and the token's claims (expiry, session
    family); TokenInvalid (code token_invalid or token_expired) otherwise."""
    claims = decode(token, token_type="access")
    user = user_active_by_id(claims.user_id)
    if user is None:
        raise TokenInvalid()
    return user, claims
