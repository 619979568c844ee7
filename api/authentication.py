from rest_framework import authentication, exceptions

from focushub.accounts import selectors
from focushub.accounts.tokens import TokenInvalid, decode


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <access JWT>`; refresh tokens are refused here."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Malformed Authorization header.")
        try:
            token = header[1].decode("ascii")
            claims = decode(token, token_type="access")
        except (UnicodeDecodeError, TokenInvalid) as exc:
            raise exceptions.AuthenticationFailed("Token is invalid or expired.") from exc
        user = selectors.user_active_by_id(claims.user_id)
        if user is None:
            raise exceptions.AuthenticationFailed("Token is invalid or expired.")
        return user, claims

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
