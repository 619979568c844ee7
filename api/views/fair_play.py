"""GET/PUT /users/{username}/leaderboard-hidden: admins take a person off every board
and put them back (docs/leaderboards.md, "Hiding a cheater"). Everyone else gets 403
before anything is looked up, so the operation reveals nothing to them."""

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api.serializers.common import FlagField, TextField, UserBriefOutput
from focushub.accounts.selectors import user_by_username
from focushub.errors import NotFound
from focushub.leaderboards.fair_play import MAX_REASON, user_leaderboard_hide


class AdminsOnly(permissions.BasePermission):
    message = "Only administrators can take people off the boards."

    def has_permission(self, request, view):
        return request.user.is_admin  # after IsAuthenticated: anonymous callers get 401 first


class HiddenInput(serializers.Serializer):
    hidden = FlagField()
    reason = TextField(max_length=MAX_REASON, required=False, allow_blank=True, default="")


class HiddenOutput(serializers.Serializer):
    user = UserBriefOutput(source="*")
    hidden = serializers.BooleanField(source="leaderboard_hidden")
    reason = serializers.CharField(source="leaderboard_hidden_reason")
    hidden_by = UserBriefOutput(source="leaderboard_hidden_by", allow_null=True)


def _user(username: str):
    user = user_by_username(username)
    if user is None:
        raise NotFound()
    return user


class LeaderboardHiddenView(APIView):
    permission_classes = [permissions.IsAuthenticated, AdminsOnly]

    @extend_schema(tags=["users"], responses={200: HiddenOutput})
    def get(self, request, username):
        return Response(HiddenOutput(_user(username)).data)

    @extend_schema(tags=["users"], request=HiddenInput, responses={200: HiddenOutput})
    def put(self, request, username):
        data = HiddenInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_leaderboard_hide(admin=request.user, user_id=_user(username).pk, **data.validated_data)
        return Response(HiddenOutput(user).data)
