"""GET /badges/recent as the ticker on /live reads it: anyone sees who unlocked which badge,
newest first, and never someone the boards leave out. In-process, through the services."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from focushub.badges.services import badge_create, badges_evaluate
from focushub.leaderboards.fair_play import user_leaderboard_hide
from focushub.projects.services import project_create
from tests.support.cast import new_user, track
from tests.support.names import unique_name

pytestmark = pytest.mark.django_db


def test_anyone_sees_the_newest_unlocks_but_not_of_someone_off_the_boards(empty_redis):
    admin = new_user(role="admin")
    badge = badge_create(actor=admin, slug=unique_name("ticker").replace("_", "-"), name="First entry",
                         criteria={"type": "entries", "count": 1})
    first, second, cheater = new_user(), new_user(), new_user()
    user_leaderboard_hide(admin=admin, user_id=cheater.pk, hidden=True, reason="a bot")
    for person in (first, second, cheater):
        project = project_create(owner=person, name="Ticker project", visibility="public")
        track(person, project, start=timezone.now() - timedelta(hours=2), minutes=30)
        badges_evaluate(user_id=person.pk)  # what the task queue does after the commit

    response = APIClient().get("/badges/recent", {"limit": 10})
    assert response.status_code == 200, response.content[:500]
    unlocks = [(unlock["user"]["username"], unlock["badge"]["id"]) for unlock in response.json()]
    # Other catalog badges (a first project's, say) unlock alongside; ours are in order.
    assert [username for username, badge_id in unlocks if badge_id == badge.pk] == [second.username, first.username]
    assert cheater.username not in {username for username, _ in unlocks}
