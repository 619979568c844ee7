"""GET /users/{username}: a public profile (docs/api.md). /users/me is the accounts route,
matched before this one (api/urls.py includes accounts first)."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from api.serializers.profiles import PublicProfileOutput
from focushub.profiles.selectors import profile_read


class ProfileView(APIView):
    @extend_schema(responses={200: PublicProfileOutput}, tags=["users"])
    def get(self, request, username):
        return Response(PublicProfileOutput(profile_read(username=username, viewer_id=request.user.pk)).data)
