from django.core.management.base import BaseCommand

from workers.schedule import JOBS, ensure_schedules


class Command(BaseCommand):
    help = "Create or correct the django-q2 schedule (idempotent; also run by `migrate`)."

    def handle(self, *args, **options):
        created = ensure_schedules()
        for job in JOBS:
            state = "created" if job.name in created else "up to date"
            self.stdout.write(f"{job.name}: {job.func} ({state})")
