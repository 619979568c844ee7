from django.apps import AppConfig
from django.conf import settings


class WorkersConfig(AppConfig):
    name = "workers"

    def ready(self) -> None:
        if settings.SENTRY_DSN:
            from django_q.signals import pre_execute

            from workers.reporting import describe_task

            pre_execute.connect(describe_task, dispatch_uid="workers.reporting.describe_task")
