"""The scheduled rebuild makes every current board agree with the database: it heals
any drift, and it neither loses nor double-counts a change that commits while it runs.
The same tests run against the store the server is configured with (SQL rows in the
embedded mode, Redis sorted sets in the scaled one)."""

from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from focushub.accounts.models import User
from focushub.leaderboards.backends import get_backend
from focushub.leaderboards.boards import Board
from focushub.leaderboards.models import BoardScore
from focushub.leaderboards.rebuild import boards_rebuild_current
from focushub.leaderboards.redis_store import live_key
from focushub.leaderboards.sql_store import SqlBoards
from focushub.tracking.services import time_entry_create
from tests.leaderboards.conftest import log_time, read_board, standings, stored
from tests.support.cast import moment


def current(period: str, project_id: int | None = None) -> str:
    return Board.current("time", period, project_id, timezone.now()).key


def set_score(board: str, user_id: int, score: int) -> None:
    store = get_backend()
    if store.name == "redis":
        store.client.zadd(live_key(board), {user_id: score})
    else:
        BoardScore.objects.update_or_create(board=board, user_id=user_id, defaults={"score": score})


def wipe(board: str) -> None:
    store = get_backend()
    if store.name == "redis":
        store.client.delete(live_key(board))
    else:
        BoardScore.objects.filter(board=board).delete()


def test_a_rebuild_heals_wrong_missing_and_bogus_scores(crew, person, anon):
    people, project_id = crew
    expected = standings(read_board(anon, period="all"))
    bystander = person()
    set_score("time:all:all:all", people[3].id, 5000)
    set_score("time:all:all:all", bystander.id, 777)
    wipe(current("week"))
    wipe(current("day", project_id))
    set_score(current("month", project_id + 1), bystander.id, 42)  # a board nobody tracked on

    boards_rebuild_current()

    assert standings(read_board(anon, period="all")) == expected
    assert standings(read_board(anon, period="week")) == expected
    assert standings(read_board(anon, period="day", project=project_id)) == expected
    assert stored(current("month", project_id + 1)) == {}


def test_a_rebuild_takes_off_people_who_opted_out_behind_its_back(crew, anon):
    people, _ = crew
    User.objects.filter(pk=people[0].id).update(show_on_leaderboard=False)  # no resync: drift
    boards_rebuild_current()
    assert people[0].id not in stored("time:all:all:all")
    assert [score for _, _, score in standings(read_board(anon, period="all"))] == [200, 200, 100]


def test_the_sql_store_rebuilt_from_nothing_matches_the_incremental_writes(crew):
    """Runs on PostgreSQL in the scaled mode too, where the server itself uses Redis."""
    people, project_id = crew
    BoardScore.objects.all().delete()
    store = SqlBoards()
    result = boards_rebuild_current(backend=store)
    truth = {actor.id: score for actor, score in zip(people, (300, 200, 200, 100), strict=True)}
    for period in ("day", "week", "month", "all"):
        assert store.members(current(period)) == truth
        assert store.members(current(period, project_id)) == truth
    assert result.users_fixed == 4 * 4  # four people, in each of the four time families

    BoardScore.objects.filter(board=current("week"), user_id=people[1].id).update(score=1)
    again = boards_rebuild_current(backend=store)
    assert again.users_fixed == 1
    assert store.members(current("week"))[people[1].id] == 200
    assert store.rank(current("week"), people[3].id).rank == 4


def test_a_change_committed_while_the_rebuild_reads_is_counted_once(crew, anon):
    people, project_id = crew
    cut_in: list[dict] = []

    def writer_cuts_in(execute, sql, params, many, context):
        # The first aggregate read of the rebuild: a change commits right before it runs.
        if not cut_in and "tracking_dailyrollup" in sql:
            cut_in.append(log_time(people[3], project_id, seconds=1000))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(writer_cuts_in):
        boards_rebuild_current()

    assert cut_in
    for period in ("day", "week", "month", "all"):
        assert stored(current(period))[people[3].id] == 1100
        assert stored(current(period, project_id))[people[3].id] == 1100
    assert standings(read_board(anon, period="all"))[0] == (people[3].username, 1, 1100)


def test_an_increment_arriving_after_the_rebuild_is_not_counted_twice(crew, anon):
    people, project_id = crew
    rebuilt = []
    end = moment(seconds=5) - timedelta(seconds=600)  # clear of their crew entry: both count in full
    with transaction.atomic():
        # Registered first, this runs right after the commit and before the store's own
        # after-commit increment for the entry below: the rebuild reads the entry, and
        # the increment arrives after it.
        transaction.on_commit(lambda: rebuilt.append(boards_rebuild_current()))
        time_entry_create(
            user=people[3].user, project_id=project_id, start_time=end - timedelta(seconds=1000), end_time=end
        )

    assert rebuilt
    for period in ("day", "week", "month", "all"):
        assert stored(current(period))[people[3].id] == 1100
    assert standings(read_board(anon, period="all"))[0] == (people[3].username, 1, 1100)
