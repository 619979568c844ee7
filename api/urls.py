"""Every REST path works with and without a trailing slash (docs/api.md): each area's
patterns are regexes ending in `/?$`. One route module per area keeps owners apart."""

from django.urls import include, path

urlpatterns = [
    path("", include("api.routes.meta")),
    path("", include("api.routes.accounts")),
    path("", include("api.routes.projects")),
    path("", include("api.routes.tracking")),
    path("", include("api.routes.gamification")),
    path("", include("api.routes.leaderboards")),
]
