from django.apps import AppConfig


class LeaderboardsConfig(AppConfig):
    name = "focushub.leaderboards"
    label = "leaderboards"
