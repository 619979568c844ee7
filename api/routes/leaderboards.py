from django.urls import re_path

from api.views import leaderboard

urlpatterns = [
    re_path(r"^leaderboard/?$", leaderboard.LeaderboardView.as_view(), name="leaderboard"),
]
