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
