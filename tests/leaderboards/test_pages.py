"""The pages anyone reads are kept by each server process until the boards change
(focushub/leaderboards/pages.py), and an anonymous reader never sees the difference: a
change committed in any process, and a person leaving the boards, show on the next read
from every process. Only the scaled mode keeps pages (its processes share Redis)."""

import pytest
from django.conf import settings

from tests.leaderboards.conftest import log_time, read_board, standings

pytestmark = pytest.mark.skipif(settings.EMBEDDED or not settings.REDIS_URL,
                                reason="only the scaled mode keeps board pages")


def test_a_kept_page_gives_way_to_every_change_whoever_commits_it(person, new_project, anon, empty_redis):
    alice, bob = person(), person()
    project_id = new_project(alice, members=[bob])
    log_time(alice, project_id, seconds=120)
    log_time(bob, project_id, seconds=60)
    board = {"period": "all", "project": project_id}
    assert standings(read_board(anon, **board)) == [(alice.username, 1, 120), (bob.username, 2, 60)]
    assert read_board(anon, **board) == read_board(anon, **board)  # kept: the same page again

    log_time(bob, project_id, seconds=300)  # through the server
    assert standings(read_board(anon, **board)) == [(bob.username, 1, 360), (alice.username, 2, 120)]

    started = alice.api.post("/time-entries/start", json={"project": project_id})
    assert started.status_code == 201
    assert read_board(anon, **board)["rows"][1]["running_since"] == started.json()["entry"]["start_time"]
    # A rename saved in this process, not the server's: its next read shows it all the same.
    alice.user.username = f"{alice.username}x"
    alice.user.save(update_fields=["username"])
    assert [row["user"]["username"] for row in read_board(anon, **board)["rows"]] == [bob.username,
                                                                                      alice.user.username]


def test_someone_leaving_the_boards_is_gone_from_the_next_anonymous_read(person, new_project, anon, empty_redis):
    alice, bob = person(), person()
    project_id = new_project(alice, members=[bob])
    log_time(alice, project_id, seconds=120)
    log_time(bob, project_id, seconds=60)
    assert len(read_board(anon, period="all")["rows"]) == 2
    assert bob.api.patch("/users/me", json={"show_on_leaderboard": False}).status_code == 200
    assert [row["user"]["username"] for row in read_board(anon, period="all")["rows"]] == [alice.username]
