"""Migration timeline 0003 gives events stored before it the shapes clients now replay:
an entry embeds its project, and `timer.started` carries the stopped entry itself."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from focushub.accounts.models import User
from focushub.projects.models import Project
from focushub.timeline.models import Event

ENTRY = {"description": "", "start_time": "2026-11-01T09:00:00Z", "end_time": "2026-11-01T10:00:00Z",
         "duration": 3600, "source": "timer", "created_at": "2026-11-01T09:00:00Z",
         "updated_at": "2026-11-01T10:00:00Z"}


def migrate(target: tuple[str, str | None] | None = None) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([target] if target else executor.loader.graph.leaf_nodes())


def old_entry(entry_id: int, project_id: int) -> dict:
    return {"entry": {"id": entry_id, "project": project_id, **ENTRY}}


def test_old_events_get_the_project_brief_and_the_stopped_entry(transactional_db):
    ada = User.objects.create_user(email="ada@example.com", username="ada_m", password=None)
    kept = Project.objects.create(name="Thesis", owner=ada, color="#123456", visibility="public")
    migrate(("timeline", "0002_event_created_at_index"))
    try:
        gone_brief = {"id": kept.pk + 1000, "name": "Old", "color": "#654321", "visibility": "private"}
        rows = [
            Event(actor=ada, kind="entry.created", project=kept, audience="public", payload=old_entry(1, kept.pk)),
            Event(actor=ada, kind="entry.deleted", audience="private", payload=old_entry(2, gone_brief["id"])),
            Event(actor=ada, kind="project.deleted", audience="private", payload={"project": gone_brief}),
            Event(actor=ada, kind="timer.stopped", project=kept, audience="public", payload=old_entry(3, kept.pk)),
            Event(actor=ada, kind="timer.started", project=kept, audience="public",
                  payload={**old_entry(4, kept.pk), "stopped": 3}),
            Event(actor=ada, kind="timer.started", project=kept, audience="public",
                  payload={**old_entry(5, kept.pk), "stopped": None}),
        ]
        for row in rows:
            row.save()
    finally:
        migrate()
    created, deleted, _, stopped, started, first_start = (Event.objects.get(pk=row.pk).payload for row in rows)
    brief = {"id": kept.pk, "name": "Thesis", "color": "#123456", "visibility": "public"}
    assert created["entry"]["project"] == brief
    assert deleted["entry"]["project"] == gone_brief  # a deleted project's brief, from its deletion event
    assert started["stopped"] == stopped["entry"] and started["stopped"]["id"] == 3
    assert started["entry"]["project"] == brief
    assert first_start["stopped"] is None
