"""Stored event payloads take the current shapes: an entry embeds its project's brief
instead of its id, and `timer.started` carries the stopped entry instead of its id.

The log is what clients replay, so old and new events must look alike. A project's brief
comes from its row, or for a deleted project from its `project.deleted` event. The
stopped entry is the one in the actor's `timer.stopped` event that the same start wrote
just before (one transaction under the user's lock, so it is the actor's latest).
"""

from django.db import migrations

ENTRY_KINDS = ("timer.started", "timer.stopped", "timer.auto_stopped", "entry.created", "entry.updated",
               "entry.deleted")
BATCH = 2000


def briefs(apps) -> dict[int, dict]:
    Project = apps.get_model("projects", "Project")
    Event = apps.get_model("timeline", "Event")
    known = {
        event.payload["project"]["id"]: event.payload["project"]
        for event in Event.objects.filter(kind="project.deleted").only("payload")
    }
    for pk, name, color, visibility in Project.objects.values_list("id", "name", "color", "visibility"):
        known[pk] = {"id": pk, "name": name, "color": color, "visibility": visibility}
    return known


def embed(apps, schema_editor):
    Event = apps.get_model("timeline", "Event")
    projects = briefs(apps)
    last_stopped: dict[int, dict] = {}  # actor id -> entry of their latest timer.stopped
    changed = []
    for event in Event.objects.filter(kind__in=ENTRY_KINDS).order_by("id").iterator(chunk_size=BATCH):
        entry = event.payload.get("entry")
        if isinstance(entry, dict) and isinstance(entry.get("project"), int):
            pid = entry["project"]
            entry["project"] = projects.get(pid, {"id": pid, "name": "", "color": "", "visibility": "private"})
            changed.append(event)
        if event.kind == "timer.stopped":
            last_stopped[event.actor_id] = entry
        elif event.kind == "timer.started" and isinstance(event.payload.get("stopped"), int):
            candidate = last_stopped.get(event.actor_id)
            hit = candidate is not None and candidate.get("id") == event.payload["stopped"]
            event.payload["stopped"] = candidate if hit else None
            if not changed or changed[-1] is not event:
                changed.append(event)
        if len(changed) >= BATCH:
            Event.objects.bulk_update(changed, ["payload"])
            changed = []
    Event.objects.bulk_update(changed, ["payload"])


class Migration(migrations.Migration):
    dependencies = [("timeline", "0002_event_created_at_index"), ("projects", "0001_initial")]

    operations = [migrations.RunPython(embed, migrations.RunPython.noop)]
