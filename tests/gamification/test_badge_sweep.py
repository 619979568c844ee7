"""Badges heal themselves (issue: a badge check lost between commit and worker): the
scheduled aggregation re-checks everyone who changed something since its last sweep."""

import pytest
from django_q.brokers import get_broker

from focushub.accounts.models import User
from focushub.badges.models import Badge, UserBadge
from focushub.projects.services import project_create
from workers.tasks import rollups_rebuild_today

# Nothing may take the queued check before the test loses it: no cluster runs meanwhile.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_cluster")]


@pytest.fixture(autouse=True)
def founder_badge():
    """The badge a first project earns (a default badge; made here, since transactional
    tests start from empty tables)."""
    Badge.objects.get_or_create(slug="first-project", defaults={
        "name": "Founder", "criteria": {"type": "projects_created", "count": 1}})


def awarded(user: User) -> set[str]:
    return set(UserBadge.objects.filter(user=user).values_list("badge__slug", flat=True))


def test_a_lost_badge_check_is_made_up_by_the_scheduled_aggregation():
    founder = User.objects.create_user(email="f@example.com", username="founder", password=None)
    project_create(owner=founder, name="first")  # queues a badge check after commit...
    get_broker().purge_queue()  # ...which is lost before any worker takes it
    assert awarded(founder) == set()

    rollups_rebuild_today()

    assert "first-project" in awarded(founder)


def test_a_second_sweep_awards_nothing_twice():
    founder = User.objects.create_user(email="g@example.com", username="second", password=None)
    project_create(owner=founder, name="first")
    get_broker().purge_queue()
    rollups_rebuild_today()
    before = UserBadge.objects.count()

    rollups_rebuild_today()

    assert UserBadge.objects.count() == before
    assert UserBadge.objects.filter(user=founder, badge__slug="first-project").count() == 1
