"""The README badges as a README's reader meets them (docs/api.md, "Badges for READMEs"):
an SVG image that shows the person's tracked time, cached by its ETag, and nothing at all
for someone the boards do not show. In-process, through the real services and store."""

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from focushub.leaderboards.fair_play import user_leaderboard_hide
from focushub.projects.services import project_create
from tests.support.cast import new_user, track

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def tracker(empty_redis, django_capture_on_commit_callbacks):
    """Someone with 2 h 30 m tracked on a public project, ending half an hour ago. The
    boards are written after commit (Redis, in scaled mode): run that here, as a commit would."""
    user = new_user()
    project = project_create(owner=user, name="Badge project", visibility="public")
    with django_capture_on_commit_callbacks(execute=True):
        track(user, project, start=timezone.now().replace(microsecond=0) - timedelta(hours=3), minutes=150)
    return user, project


def texts(response) -> list[str]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "image/svg+xml"
    return [text.text for text in ElementTree.fromstring(response.content).iter(f"{SVG}text")]


def test_the_badge_shows_the_time_tracked_and_round_trips_its_etag(tracker):
    user, project = tracker
    client = APIClient()
    first = client.get(f"/users/{user.username}/badge.svg", {"metric": "time", "period": "all"})
    assert texts(first) == ["focus · all time", "2 h 30 m"]
    assert first["Cache-Control"] == "public, max-age=300"
    again = client.get(f"/users/{user.username}/badge.svg", {"metric": "time", "period": "all"},
                       HTTP_IF_NONE_MATCH=first["ETag"])
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", first["ETag"])
    assert texts(client.get(f"/projects/{project.pk}/badge.svg?period=all")) == ["top focus · all time",
                                                                     f"{user.username} 2 h 30 m"]


def test_someone_taken_off_the_boards_has_no_badge(tracker):
    user, _ = tracker
    user_leaderboard_hide(admin=new_user(role="admin"), user_id=user.pk, hidden=True, reason="a bot")
    client = APIClient()
    hidden = client.get(f"/users/{user.username}/badge.svg")
    missing = client.get("/users/nobody-by-this-name/badge.svg")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
