from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "focushub.timeline"
    label = "timeline"
