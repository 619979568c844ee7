from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from focushub.accounts import selectors
from focushub.accounts.tokens import TokenInvalid, decode


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <access JWT>`; refresh tokens are refused here."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header:
            return None
        if header[0].lower() != self.keyword.lower().encode():
            # `Token <jwt>`, `JWT <jwt>`, Basic: say what is expected instead of treating the
            # request as anonymous ("credentials were not provided" sends people astray).
            raise exceptions.AuthenticationFailed(
                "Send the access token as `Authorization: Bearer <access token>`.", code="token_invalid"
            )
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Malformed Authorization header.", code="token_invalid")
        try:
            token = header[1].decode("ascii")
            claims = decode(token, token_type="access")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed("Token is invalid or expired.", code="token_invalid") from exc
        except TokenInvalid as exc:
            # token_expired tells a client to refresh; token_invalid to sign in again.
            raise exceptions.AuthenticationFailed(exc.detail, code=exc.code) from exc
        user = selectors.user_active_by_id(claims.user_id)
        if user is None:
            raise exceptions.AuthenticationFailed("Token is invalid or expired.", code="token_invalid")
        return user, claims

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
