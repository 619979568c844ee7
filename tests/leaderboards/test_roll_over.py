"""The daily roll-over drops the boards of past days, weeks and months; all-time boards
and the current ones stay."""

from datetime import timedelta

from django.utils import timezone

from focushub.leaderboards.boards import period_key
from focushub.leaderboards.rebuild import boards_roll_over
from tests.leaderboards.conftest import log_time, stored
from tests.support.cast import utc


def test_roll_over_drops_past_period_boards_and_keeps_current_and_all_time_ones(person, new_project):
    owner = person()
    project_id = new_project(owner)
    today = timezone.now().date()
    old_day = today - timedelta(days=10)
    log_time(owner, project_id, seconds=600, end=utc(old_day.year, old_day.month, old_day.day, 12))
    log_time(owner, project_id, seconds=60)
    old_boards = [f"time:day:{old_day.isoformat()}:all", f"time:week:{period_key('week', old_day)}:p{project_id}"]
    assert all(stored(board) == {owner.id: 600} for board in old_boards)

    assert boards_roll_over() > 0

    assert all(stored(board) == {} for board in old_boards)
    assert stored(f"time:day:{today.isoformat()}:all") == {owner.id: 60}
    assert stored(f"time:all:all:p{project_id}") == {owner.id: 660}


def test_when_the_periods_end_only_all_time_boards_remain(person, new_project):
    owner = person()
    project_id = new_project(owner)
    log_time(owner, project_id, seconds=60)
    today = timezone.now().date()

    boards_roll_over(now=timezone.now() + timedelta(days=40))

    assert stored(f"time:day:{today.isoformat()}:all") == {}
    assert stored(f"time:month:{period_key('month', today)}:p{project_id}") == {}
    assert stored("time:all:all:all") == {owner.id: 60}
