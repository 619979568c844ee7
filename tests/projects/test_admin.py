"""Operators' admin pages for projects and tracked time: they list, search and show
members inline; entries and rollups are read-only, and nothing here deletes a project
(deletion must also take its time off the leaderboards, which only the service does)."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from focushub.projects.models import Project
from focushub.tracking.models import DailyRollup, TimeEntry


def test_the_admin_lists_and_shows_projects_entries_and_rollups(admin_client, team):
    now = timezone.now().replace(microsecond=0)
    team.contributor.api.post("/time-entries", json={
        "project": team.pid, "start_time": (now - timedelta(hours=2)).isoformat(),
        "end_time": (now - timedelta(hours=1)).isoformat(), "description": "Admin-visible",
    })
    entry = TimeEntry.objects.get()
    rollup = DailyRollup.objects.filter(user_id=team.contributor.id).first()  # two after midnight: either will do

    listing = admin_client.get("/admin/projects/project/", {"q": team.project["name"]})
    assert listing.status_code == 200
    assert team.project["name"] in listing.content.decode()
    detail = admin_client.get(f"/admin/projects/project/{team.pid}/change/")
    assert detail.status_code == 200
    assert team.viewer.username in detail.content.decode()  # the members inline
    assert admin_client.get("/admin/projects/projectmember/").status_code == 200
    entries = admin_client.get("/admin/tracking/timeentry/", {"q": "Admin-visible"})
    assert entries.status_code == 200 and "Admin-visible" in entries.content.decode()
    assert admin_client.get(f"/admin/tracking/timeentry/{entry.pk}/change/").status_code == 200
    assert admin_client.get(f"/admin/tracking/dailyrollup/{rollup.pk}/change/").status_code == 200


def test_the_admin_cannot_delete_projects_or_change_tracked_time(admin_client, team):
    assert admin_client.post(f"/admin/projects/project/{team.pid}/delete/", {"post": "yes"}).status_code == 403
    assert Project.objects.filter(pk=team.pid).exists()
    assert admin_client.get("/admin/tracking/timeentry/add/").status_code == 403


def test_only_admins_reach_the_admin(live, team):
    client = Client()
    client.force_login(team.owner.user)
    response = client.get("/admin/projects/project/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
