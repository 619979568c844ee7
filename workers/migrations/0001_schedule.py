"""Creates the django-q2 schedule on `migrate` (README.md, "How it is built"), through the same idempotent
function as `manage.py setup_schedule`."""

from django.db import migrations


def create_schedule(apps, schema_editor):
    from workers.schedule import ensure_schedules

    ensure_schedules(apps.get_model("django_q", "Schedule"))


class Migration(migrations.Migration):
    dependencies = [("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more")]

    operations = [migrations.RunPython(create_schedule, migrations.RunPython.noop)]
