"""The spectator page: a live leaderboard anyone can open at /live (plain HTML + JS, no
build step). It speaks /ws/leaderboard like any other client (docs/realtime.md). And
/asyncapi.json, the socket protocol as a document (realtime/asyncapi.py)."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from focushub.leaderboards.boards import METRICS, PERIODS
from realtime.asyncapi import document


@require_safe
def live_page(request: HttpRequest) -> HttpResponse:
    return render(request, "realtime/live.html", {"metrics": METRICS, "periods": PERIODS})


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
