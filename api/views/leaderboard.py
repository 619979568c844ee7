"""GET /leaderboard (docs/leaderboards.md). Public like the spectators' websocket: anyone
may read the global boards and a public project's boards; a private project's boards exist only
for its members (404 otherwise). A valid token adds `me`; an invalid one is still a 401."""

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from api.serializers.leaderboard import ErrorOutput, LeaderboardOutput, LeaderboardQuery
from focushub.leaderboards.pages import anyones_page
from focushub.leaderboards.selectors import leaderboard_read, parse_board_query


class LeaderboardView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["leaderboard"],
        parameters=[LeaderboardQuery],
        responses={
            200: LeaderboardOutput,
            400: OpenApiResponse(ErrorOutput, description="A parameter is invalid; `errors` names it."),
            404: OpenApiResponse(ErrorOutput, description="No such project, or a private one you are not in."),
            503: OpenApiResponse(ErrorOutput, description="The leaderboard store is unreachable."),
        },
    )
    def get(self, request):
        query = parse_board_query(**LeaderboardQuery.read(request))
        if request.user is None and request.accepted_media_type == JSONRenderer.media_type:
            return HttpResponse(anyones_page(_wire, **query), content_type=JSONRenderer.media_type)
        viewer_id = request.user.pk if request.user is not None else None  # or asked to indent
        return Response(LeaderboardOutput(leaderboard_read(**query, viewer_id=viewer_id)).data)


def _wire(page: dict) -> bytes:
    """A page anyone reads as the bytes DRF's renderer gives it: kept that way, a kept
    page is neither presented nor rendered again."""
    return JSONRenderer().render(LeaderboardOutput(page).data)
