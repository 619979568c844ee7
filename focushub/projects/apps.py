from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "focushub.projects"
    label = "projects"
