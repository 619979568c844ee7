from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "focushub.tracking"
    label = "tracking"
