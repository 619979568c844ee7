"""GET /leaderboard (SPEC §5, §6). Public like the spectators' websocket: anyone may read
the global boards and a public project's boards; a private project's boards exist only
for its members (404 otherwise). A valid token adds `me`; an invalid one is still a 401."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.serializers.leaderboard import ErrorOutput, LeaderboardOutput
from focushub.leaderboards.boards import METRICS, PERIODS
from focushub.leaderboards.selectors import DEFAULT_LIMIT, MAX_LIMIT, leaderboard_read, parse_board_query

QUERY = ("metric", "period", "project", "limit", "offset")
PARAMETERS = [
    OpenApiParameter("metric", str, enum=METRICS, description="Seconds tracked or badges earned (default time)."),
    OpenApiParameter("period", str, enum=PERIODS, description="UTC day, ISO week, month or all time (default week)."),
    OpenApiParameter("project", int, description="Rank one project's people (time boards only)."),
    OpenApiParameter("limit", int, description=f"Rows per page, 1-{MAX_LIMIT} (default {DEFAULT_LIMIT})."),
    OpenApiParameter("offset", int, description="Rows to skip (default 0)."),
]


class LeaderboardView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["leaderboard"],
        parameters=PARAMETERS,
        responses={
            200: LeaderboardOutput,
            400: OpenApiResponse(ErrorOutput, description="A parameter is invalid; `errors` names it."),
            404: OpenApiResponse(ErrorOutput, description="No such project, or a private one you are not in."),
            503: OpenApiResponse(ErrorOutput, description="The leaderboard store is unreachable."),
        },
    )
    def get(self, request):
        query = parse_board_query(**{name: request.query_params.get(name) for name in QUERY})
        viewer_id = request.user.pk if request.user is not None else None
        return Response(LeaderboardOutput(leaderboard_read(**query, viewer_id=viewer_id)).data)
