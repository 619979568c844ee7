"""The spectator page: a live leaderboard anyone can open at /live (plain HTML + CSS + JS,
no build step), and the same board alone for an iframe at /live/embed. Both follow
/ws/leaderboard through the JavaScript client every frontend may use
(realtime/static/focushub/client.js, docs/realtime.md). And /asyncapi.json, the socket
protocol as a document (realtime/asyncapi.py)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from focushub.errors import NotFound, ValidationFailed
from focushub.leaderboards.boards import METRICS, PERIODS
from focushub.leaderboards.selectors import parse_board_query
from focushub.projects.models import Project
from focushub.projects.selectors import project_visible, projects_of_user
from realtime.asyncapi import document

METRIC_LABELS = {"time": "Time tracked", "badges": "Badges earned"}
PERIOD_LABELS = {"day": "Today", "week": "This week", "month": "This month", "all": "All time"}
# The project picker lists public projects by name; a board of one further down the list
# is still reachable through ?project= (the page adds it to the picker).
LISTED_PROJECTS = 200


@require_safe
def live_page(request: HttpRequest) -> HttpResponse:
    projects = projects_of_user(user_id=None, visibility=Project.Visibility.PUBLIC, archived=False)
    return render(request, "realtime/live.html", {
        "metrics": [(metric, METRIC_LABELS[metric]) for metric in METRICS],
        "periods": [(period, PERIOD_LABELS[period]) for period in PERIODS],
        "projects": projects[:LISTED_PROJECTS],
    })


def embed_caption(request: HttpRequest) -> str:
    """What the embedded board shows, in words ("Time tracked · This week · Thesis"). A bad
    parameter or a project the public may not see leaves a plain title: the board's
    socket refuses it and the page says why, as /live does."""
    try:
        query = parse_board_query(**{name: request.GET.get(name) for name in ("metric", "period", "project")})
        scope = project_visible(user_id=None, project_id=query["project_id"]).name if query["project_id"] else ""
    except (ValidationFailed, NotFound):
        return "Leaderboard"
    return " · ".join(filter(None, [METRIC_LABELS[query["metric"]], PERIOD_LABELS[query["period"]], scope]))


@require_safe
@xframe_options_exempt
def live_embed(request: HttpRequest) -> HttpResponse:
    """The only page other sites may frame (every other answers X-Frame-Options: DENY),
    and only those in EMBED_FRAME_ANCESTORS."""
    response = render(request, "realtime/embed.html", {
        "caption": embed_caption(request),
        "live_url": f"{reverse('live')}?{request.GET.urlencode()}",
    })
    response["Content-Security-Policy"] = "frame-ancestors " + " ".join(settings.EMBED_FRAME_ANCESTORS)
    return response


@require_safe
def asyncapi(request: HttpRequest) -> JsonResponse:
    return JsonResponse(document(request.get_host(), request.is_secure()))


# A stopwatch in the brand colour: browsers ask every page for /favicon.ico.
FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    '<circle cx="16" cy="18" r="12" fill="#4f46e5"/><rect x="13" y="1" width="6" height="4" rx="1" fill="#4f46e5"/>'
    '<path d="M16 18V10" stroke="#fff" stroke-width="3" stroke-linecap="round"/></svg>'
)


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(FAVICON, content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response
