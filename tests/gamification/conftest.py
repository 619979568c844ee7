"""Shared actors and data for the gamification tests: projects are rows (the projects
area's own REST is tested there), time entries go through the tracking services so every
rollup, board score and timeline event is the real one."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from PIL import Image

from focushub.badges.models import Badge
from focushub.projects.models import Project, ProjectMember
from focushub.tracking.models import TimeEntry
from focushub.tracking.services import time_entry_create

NEW = {"slug": "marathon", "name": "Marathon", "description": "Tracked 42 hours.",
       "criteria": {"type": "total_time", "seconds": 151200}}


def png(size=(8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "orange").save(out, format="PNG")
    return out.getvalue()


def make_project(owner, *, visibility="private", name="Project", members=()) -> Project:
    project = Project.objects.create(name=name, owner=owner, visibility=visibility)
    ProjectMember.objects.create(project=project, user=owner, role=ProjectMember.Role.OWNER)
    for user, role in members:
        ProjectMember.objects.create(project=project, user=user, role=role)
    return project


def track(user, project, *, start: datetime, minutes: int, description: str = ""):
    """A finished entry of `minutes` starting at `start`, through the tracking service."""
    return time_entry_create(
        user=user, project_id=project.pk, start_time=start, end_time=start + timedelta(minutes=minutes),
        description=description,
    )


def timed(user, project, *, start: datetime, minutes: int):
    """A finished live-timer entry as the database holds it (no service starts a timer in
    the past): for time-of-day badges, which only read when timers were started."""
    return TimeEntry.objects.create(
        user=user, project=project, start_time=start, end_time=start + timedelta(minutes=minutes),
        duration=minutes * 60, source=TimeEntry.Source.TIMER, placed_at=start,
    )


def hours_ago(hours: float) -> datetime:
    return timezone.now().replace(microsecond=0) - timedelta(hours=hours)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def badge(slug: str, criteria: dict, *, active: bool = True) -> Badge:
    return Badge.objects.create(slug=slug, name=slug.replace("-", " ").title(), criteria=criteria, active=active)


@pytest.fixture
def admin(make_actor):
    return make_actor(role="admin")


@pytest.fixture
def empty_catalog(live):
    """Start from no badges, so a test sees only the awards of the badges it defines
    (the default badges exist only until the first transactional test flushes them)."""
    Badge.objects.all().delete()
