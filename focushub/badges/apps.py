from django.apps import AppConfig


class BadgesConfig(AppConfig):
    name = "focushub.badges"
    label = "badges"
