"""Websocket routes (protocol: docs/realtime.md). Every socket passes the Origin check
first; each consumer then authenticates with the bearer token itself."""

from channels.routing import ProtocolTypeRouter, URLRouter
from django.urls import re_path

from realtime.auth import OriginGuard
from realtime.consumers.leaderboard import SpectatorConsumer
from realtime.consumers.me import MeConsumer
from realtime.consumers.project import ProjectConsumer
from realtime.consumers.unknown import UnknownStream

websocket_urlpatterns = [
    re_path(r"^ws/me/?$", MeConsumer.as_asgi()),
    re_path(r"^ws/leaderboard/?$", SpectatorConsumer.as_asgi()),
    re_path(r"^ws/projects/(?P<project_id>[0-9]{1,18})/?$", ProjectConsumer.as_asgi()),
    re_path(r"", UnknownStream.as_asgi()),
]


def build_application(django_asgi_app):
    return ProtocolTypeRouter(
        {"http": django_asgi_app, "websocket": OriginGuard(URLRouter(websocket_urlpatterns))}
    )
