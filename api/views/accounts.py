"""Doors for /auth/* and /users/me (docs/api.md): parse, call one service, serialize."""

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.serializers import accounts as s
from api.throttles import LoginIdentifierThrottle, LoginIpThrottle, SignupIpThrottle
from focushub.accounts import services


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class _TokenDoor(APIView):
    # The /auth doors take credentials in the body; an Authorization header (perhaps an
    # expired access token, the usual reason to refresh) is ignored rather than refused.

    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser]


class SignupView(_TokenDoor):
    """Create an account and sign in: the full profile plus an access and a refresh token.
    Throttled per client IP (SIGNUP_THROTTLE_RATE)."""

    throttle_classes = [SignupIpThrottle]

    @extend_schema(request=s.SignupInput, responses={201: s.SessionOutput}, tags=["auth"])
    def post(self, request):
        session = services.user_signup(**_valid(s.SignupInput, request))
        return Response(s.SessionOutput(session).data, status=status.HTTP_201_CREATED)


class LoginView(_TokenDoor):
    """Sign in with an email or a username (any case). Wrong credentials are one 401
    `invalid_credentials`, whether or not the account exists. Throttled per login and per
    client IP (429 `throttled` with Retry-After)."""

    # The IP throttle comes first so a flood of distinct logins from one address is cut
    # off without each identifier opening a cache entry.
    throttle_classes = [LoginIpThrottle, LoginIdentifierThrottle]

    @extend_schema(request=s.LoginInput, responses={200: s.SessionOutput}, tags=["auth"])
    def post(self, request):
        session = services.user_login(**_valid(s.LoginInput, request))
        return Response(s.SessionOutput(session).data)


class RefreshView(_TokenDoor):
    """Trade a refresh token for a new pair; the old one stops working. Presenting a
    refresh token a second time signs its whole family out (401 `token_reused`)."""

    @extend_schema(request=s.RefreshInput, responses={200: s.TokenPairOutput}, tags=["auth"])
    def post(self, request):
        pair = services.refresh_token_rotate(token=_valid(s.RefreshInput, request)["refresh"])
        return Response(s.TokenPairOutput(pair).data)


class LogoutView(_TokenDoor):
    """Sign out: this refresh token and every token rotated from the same sign-in stop
    working. Access tokens already issued live out their short TTL."""

    @extend_schema(request=s.RefreshInput, responses={204: OpenApiResponse(description="Signed out.")}, tags=["auth"])
    def post(self, request):
        services.refresh_token_family_revoke(token=_valid(s.RefreshInput, request)["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """The caller's own profile and settings."""

    parser_classes = [JSONParser]

    @extend_schema(responses={200: s.ProfileOutput}, tags=["users"])
    def get(self, request):
        return Response(s.ProfileOutput(request.user).data)

    @extend_schema(request=s.ProfileUpdateInput, responses={200: s.ProfileOutput}, tags=["users"])
    def patch(self, request):
        user = services.user_profile_update(user=request.user, changes=_valid(s.ProfileUpdateInput, request))
        return Response(s.ProfileOutput(user).data)


class AvatarView(APIView):
    """Upload (multipart field `avatar`) or remove the caller's avatar."""

    parser_classes = [MultiPartParser]

    @extend_schema(request=s.AvatarInput, responses={200: s.ProfileOutput}, tags=["users"])
    def post(self, request):
        upload = _valid(s.AvatarInput, request)["avatar"]
        user = services.user_avatar_set(
            user=request.user, stream=upload, media_base_url=request.build_absolute_uri(settings.MEDIA_URL)
        )
        return Response(s.ProfileOutput(user).data)

    @extend_schema(request=None, responses={200: s.ProfileOutput}, tags=["users"])
    def delete(self, request):
        return Response(s.ProfileOutput(services.user_avatar_clear(user=request.user)).data)
