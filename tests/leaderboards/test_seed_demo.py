"""manage.py seed_demo builds consistent demo data through the real services."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from focushub.accounts.models import User
from focushub.leaderboards.boards import current_families
from focushub.leaderboards.rebuild import boards_rebuild_current
from focushub.projects.models import Project
from focushub.tracking.models import TimeEntry
from tests.leaderboards.conftest import read_board, stored
from tests.support.clients import Api


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", users=6, projects=2, days=3, seed=3, stdout=out, **options)
    return out.getvalue()


def test_the_demo_login_it_prints_signs_in_and_sees_a_live_board(live):
    output = seed()
    assert "Demo login: demo / focushub-demo" in output
    session = Api(live.url).post("/auth/login", json={"login": "demo", "password": "focushub-demo"})
    assert session.status_code == 200, session.text
    demo = Api(live.url, session.json()["access"])
    board = read_board(demo, period="all")
    assert board["rows"] and board["me"] is not None
    assert TimeEntry.objects.filter(end_time__isnull=True).exists()  # someone's timer runs


def test_its_boards_agree_with_a_rebuild_from_the_database(live):
    seed()
    boards = [
        family.board_key(project_id)
        for family in current_families(timezone.now())
        for project_id in [None, *Project.objects.values_list("pk", flat=True)]
    ]
    written = {board: stored(board) for board in boards}
    assert written["time:all:all:all"]
    boards_rebuild_current()
    assert {board: stored(board) for board in boards} == written


def test_a_second_run_needs_reset_and_reset_starts_over(live):
    seed()
    with pytest.raises(CommandError, match="--reset"):
        seed()
    seed(reset=True)
    assert User.objects.filter(username__startswith="demo").count() == 6
    assert "Seeded 6 people" in seed(prefix="other")
