"""GET /users/{username}/badge.svg and /projects/{id}/badge.svg: shields-style SVG badges
for READMEs (docs/api.md, "Badges for READMEs"; Wakapi's /api/badge is the model). Open to
anyone, with the boards' privacy: a person off the boards, a private project and an
unknown name or id are the same 404. The numbers are the boards' own (the domain's
selectors); this module only draws them.

The project badge shows the project board's leader and their score: the one number a
board holds without summing it, and what a project's README brags about."""

import hashlib
from html import escape

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from api.serializers.leaderboard import ErrorOutput
from api.serializers.readme_badges import BadgeQuery, ProjectBadgeQuery
from focushub.errors import NotFound
from focushub.ids import parse_id
from focushub.leaderboards.selectors import leaderboard_read, parse_board_query, user_board_score

# Proxies (GitHub's camo) and browsers may reuse a badge for five minutes: a board moves
# by the minute, and a README is read far more often than it changes.
CACHE_CONTROL = "public, max-age=300"
CHAR_WIDTH, PADDING = 7, 10  # Verdana 11px averages about 7px a character
COLORS = {"time": "#4c1", "badges": "#007ec6"}
SPANS = {"day": "today", "week": "this week", "month": "this month", "all": "all time"}


def _amount(metric: str, score: int) -> str:
    if metric == "badges":
        return f"{score} badge" + ("" if score == 1 else "s")
    hours, minutes = divmod(score // 60, 60)
    return f"{hours} h {minutes} m" if hours else f"{minutes} m"


def render(label: str, value: str, color: str) -> bytes:
    """Two boxes, label on grey and value on color, sized to their text. Every text is
    escaped: a username or score never becomes markup."""
    left, right = (len(text) * CHAR_WIDTH + 2 * PADDING for text in (label, value))
    width = left + right
    label, value = escape(label), escape(value)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" '
        f'aria-label="{label}: {value}"><title>{label}: {value}</title>'
        f'<rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{color}"/>'
        f'<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="{left / 2}" y="14">{label}</text><text x="{left + right / 2}" y="14">{value}</text></g></svg>'
    ).encode()


def svg_response(request, body: bytes) -> HttpResponse:
    """The SVG with an ETag of its bytes; a client already holding them gets 304."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    held = {tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")}
    if etag in held or "*" in held:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="image/svg+xml")
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    return response


SCHEMA = {
    "tags": ["leaderboard"],
    "responses": {
        (200, "image/svg+xml"): OpenApiResponse(OpenApiTypes.BINARY, description="The badge."),
        304: OpenApiResponse(description="Unchanged since the ETag given in If-None-Match."),
        400: OpenApiResponse(ErrorOutput, description="A parameter is invalid; `errors` names it."),
        404: OpenApiResponse(ErrorOutput, description="No such one, or not shown on the boards."),
        503: OpenApiResponse(ErrorOutput, description="The leaderboard store is unreachable."),
    },
}


class SvgBadgeView(APIView):
    """Errors stay JSON even for a client that asks only for images (camo sends
    `Accept: image/*`): negotiation falls back to the JSON renderer instead of a 406."""

    permission_classes = [AllowAny]
    query_serializer = BadgeQuery

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)

    def query(self, request) -> dict:
        return self.query_serializer.read(request)


class UserBadgeView(SvgBadgeView):
    @extend_schema(operation_id="users_badge_svg", parameters=[BadgeQuery], **SCHEMA,
                   description="The person's score on a global board, as an SVG badge.")
    def get(self, request, username):
        query = self.query(request)
        value = _amount(query["metric"], user_board_score(username=username, **query))
        return svg_response(request, render(f"focus · {SPANS[query['period']]}", value, COLORS[query["metric"]]))


class ProjectBadgeView(SvgBadgeView):
    query_serializer = ProjectBadgeQuery

    @extend_schema(operation_id="projects_badge_svg", parameters=[ProjectBadgeQuery], **SCHEMA,
                   description="The leader of the project's board and their score, as an SVG badge.")
    def get(self, request, project_id):
        if parse_id(project_id) is None:  # as on every project path: not an id is a 404, not a 400
            raise NotFound()
        query = parse_board_query(**self.query(request), project=project_id, limit=1)
        viewer_id = request.user.pk if request.user is not None else None
        board = leaderboard_read(**query, viewer_id=viewer_id)
        if board["rows"]:
            leader = board["rows"][0]
            value = f"{leader['user']['username']} {_amount(query['metric'], leader['score'])}"
        else:
            value = "nobody yet"
        return svg_response(request, render(f"top focus · {SPANS[query['period']]}", value, COLORS[query["metric"]]))
