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
from focushub.leaderboards.pages import board_page
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
        if request.accepted_media_type != JSONRenderer.media_type:  # asked to indent: a page read for it
            viewer_id = request.user.pk if request.user is not None else None
            return Response(LeaderboardOutput(leaderboard_read(**query, viewer_id=viewer_id)).data)
        wire, me = board_page(_Wire, **query, viewer=request.user)
        if request.user is None:
            return HttpResponse(wire.body, content_type=JSONRenderer.media_type)
        return Response({**wire.data, "me": me})


class _Wire:
    """A page kept as it goes out: `data` as LeaderboardOutput presents it (`me` null),
    and `body`, the bytes DRF's renderer gives it, rendered the first time an anonymous
    reader needs them (two threads may both render it: the same bytes). A kept page is
    then neither presented nor, for an anonymous reader, rendered again; a signed-in
    reader's copy adds their own `me` and is rendered as any response is."""

    __slots__ = ("_body", "data")

    def __init__(self, page: dict):
        self.data = LeaderboardOutput(page).data
        self._body: bytes | None = None

    @property
    def body(self) -> bytes:
        if self._body is None:
            self._body = JSONRenderer().render(self.data)
        return self._body
