from django.urls import re_path

from api.routes.gamification import USERNAME
from api.views import leaderboard, readme_badges

urlpatterns = [
    re_path(r"^leaderboard/?$", leaderboard.LeaderboardView.as_view(), name="leaderboard"),
    re_path(rf"^users/{USERNAME}/badge\.svg/?$", readme_badges.UserBadgeView.as_view(), name="user-badge-svg"),
    re_path(r"^projects/(?P<project_id>[^/]+)/badge\.svg/?$", readme_badges.ProjectBadgeView.as_view(),
            name="project-badge-svg"),
]
