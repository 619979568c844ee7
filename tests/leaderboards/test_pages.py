"""Board pages are kept by each server process until the boards change
(focushub/leaderboards/pages.py), and no reader sees the difference: a change committed
in any process, and a person leaving the boards, show on the next read from every
process; a signed-in reader gets the kept page with their own `me`, and a private
project's page stays its members'. Only the scaled mode keeps pages (its processes share
Redis)."""

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


def test_signed_in_readers_get_the_kept_page_each_with_their_own_me(person, new_project, anon, empty_redis):
    alice, bob, carol = person(), person(), person()
    project_id = new_project(alice, members=[bob, carol])
    for actor, seconds in ((alice, 300), (bob, 200), (carol, 100)):
        log_time(actor, project_id, seconds=seconds)
    top = {"period": "all", "project": project_id, "limit": 1}
    page = read_board(anon, **top)
    assert standings(page) == [(alice.username, 1, 300)] and page["me"] is None
    assert read_board(alice.api, **top) == {**page, "me": {"rank": 1, "score": 300}}  # their row on the page
    assert read_board(carol.api, **top) == {**page, "me": {"rank": 3, "score": 100}}  # below it

    assert bob.api.patch("/users/me", json={"show_on_leaderboard": False}).status_code == 200
    assert read_board(bob.api, **top)["me"] is None  # off the boards: no rank, not even their own
    assert read_board(carol.api, **top)["me"] == {"rank": 2, "score": 100}
    assert read_board(alice.api, **top)["me"] == {"rank": 1, "score": 300}


def test_a_private_projects_kept_page_stays_its_members(person, new_project, anon, empty_redis):
    alice, bob, stranger = person(), person(), person()
    project_id = new_project(alice, members=[bob], visibility="private")
    log_time(alice, project_id, seconds=120)
    log_time(bob, project_id, seconds=60)
    board = {"period": "all", "project": project_id}
    assert standings(read_board(alice.api, **board)) == [(alice.username, 1, 120), (bob.username, 2, 60)]
    assert read_board(bob.api, **board)["me"] == {"rank": 2, "score": 60}
    for api in (anon, stranger.api):
        response = api.get("/leaderboard", params=board)
        assert (response.status_code, response.json()["code"]) == (404, "not_found")

    assert alice.api.delete(f"/projects/{project_id}/members/{bob.id}").status_code == 204
    assert bob.api.get("/leaderboard", params=board).status_code == 404
