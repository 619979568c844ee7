"""The database keeps the fair-play invariants whatever writes to it: a known source, a
credit within one day, and no one hidden from the boards without a reason."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from focushub.accounts.models import User
from focushub.projects.models import Project
from focushub.tracking.models import DailyCredit, DailyRollup, TimeEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return User.objects.create_user(email="c@example.com", username="constraints", password=None)


def refused(write) -> bool:
    try:
        with transaction.atomic():
            write()
    except IntegrityError:
        return True
    return False


def test_the_database_refuses_what_the_services_never_write(owner):
    project = Project.objects.create(name="Kept", owner=owner)
    now = timezone.now()
    assert refused(lambda: TimeEntry.objects.create(user=owner, project=project, start_time=now, source="forged"))
    assert refused(lambda: DailyRollup.objects.create(user=owner, project=project, date=now.date(), seconds=10,
                                                      credited=-1))
    assert refused(lambda: DailyCredit.objects.create(user=owner, date=now.date(), seconds=86401))
    assert refused(lambda: User.objects.filter(pk=owner.pk).update(leaderboard_hidden=True))
    assert not refused(lambda: User.objects.filter(pk=owner.pk).update(leaderboard_hidden=True,
                                                                         leaderboard_hidden_reason="bot"))
    assert not refused(lambda: TimeEntry.objects.create(user=owner, project=project, source="edited",
                                                        start_time=now - timedelta(hours=1)))
