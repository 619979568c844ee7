from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "focushub.demo"
    label = "demo"
