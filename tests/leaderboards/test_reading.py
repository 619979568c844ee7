"""GET /leaderboard: ranking, paging, `me`, running timers, who may read."""

from focushub.badges.models import Badge
from focushub.badges.services import badges_evaluate
from tests.leaderboards.conftest import log_time, read_board, standings


def test_ties_share_a_rank_and_the_next_rank_skips(crew, anon):
    people, _ = crew
    body = read_board(anon, period="all")
    ranks = [(rank, score) for _, rank, score in standings(body)]
    assert ranks == [(1, 300), (2, 200), (2, 200), (4, 100)]
    assert {row["user"]["username"] for row in body["rows"][1:3]} == {people[1].username, people[2].username}
    assert body["rows"][0]["user"] == {"id": people[0].id, "username": people[0].username, "avatar_url": ""}
    assert (body["metric"], body["period"], body["period_key"], body["me"]) == ("time", "all", "all", None)


def test_a_page_deeper_in_the_board_keeps_the_ranks_of_the_whole_board(crew, anon):
    # The page starts on the second of two tied people: their rank comes from the board, not the page.
    body = read_board(anon, period="all", limit=2, offset=2)
    assert [(rank, score) for _, rank, score in standings(body)] == [(2, 200), (4, 100)]
    assert read_board(anon, period="all", offset=4)["rows"] == []


def test_me_is_the_callers_rank_and_score_even_outside_the_page(crew):
    people, _ = crew
    body = read_board(people[3].api, period="all", limit=1)
    assert len(body["rows"]) == 1
    assert body["me"] == {"rank": 4, "score": 100}
    assert read_board(people[2].api, period="all", limit=1)["me"] == {"rank": 2, "score": 200}


def test_me_is_null_for_someone_who_has_not_tracked(crew, person):
    assert read_board(person().api, period="all")["me"] is None


def test_defaults_are_this_weeks_time_board_and_the_path_takes_a_trailing_slash(crew, anon):
    plain = anon.get("/leaderboard").json()
    slashed = anon.get("/leaderboard/").json()
    assert plain == slashed
    assert (plain["metric"], plain["period"], plain["limit"], plain["offset"]) == ("time", "week", 20, 0)
    assert plain["period_key"].count("-W") == 1
    assert plain["period_start"].endswith("T00:00:00Z") and plain["period_end"].endswith("T00:00:00Z")


def test_a_running_timer_is_shown_on_the_boards_of_its_project_only(crew, new_project, anon):
    people, project_id = crew
    other_project = new_project(people[1])
    started = people[1].api.post("/time-entries/start", json={"project": other_project})
    assert started.status_code == 201, started.text
    since = started.json()["entry"]["start_time"]

    global_rows = {row["user"]["id"]: row for row in read_board(anon, period="all")["rows"]}
    assert global_rows[people[1].id]["running_since"] == since
    assert global_rows[people[0].id]["running_since"] is None
    project_rows = {row["user"]["id"]: row for row in read_board(anon, period="all", project=project_id)["rows"]}
    assert project_rows[people[1].id]["running_since"] is None


def test_a_project_board_ranks_only_time_on_that_project(crew, new_project, anon):
    people, project_id = crew
    side_project = new_project(people[3])
    log_time(people[3], side_project, seconds=1000)
    assert standings(read_board(anon, period="all"))[0] == (people[3].username, 1, 1100)
    assert standings(read_board(anon, period="all", project=side_project)) == [(people[3].username, 1, 1000)]
    assert standings(read_board(anon, period="all", project=project_id))[-1] == (people[3].username, 4, 100)


def test_badges_board_counts_the_badges_each_person_earned(crew, anon):
    people, _ = crew
    Badge.objects.all().delete()  # only the two badges below, not the default catalog
    Badge.objects.create(slug="lb-first", name="First", criteria={"type": "entries", "count": 1})
    Badge.objects.create(slug="lb-long", name="Long", criteria={"type": "total_time", "seconds": 250})
    for actor in people:
        badges_evaluate(user_id=actor.id)
    body = read_board(people[1].api, metric="badges", period="all")
    scores = {row["user"]["id"]: (row["rank"], row["score"]) for row in body["rows"]}
    assert scores[people[0].id] == (1, 2)
    assert scores[people[1].id] == (2, 1)
    assert body["me"] == {"rank": 2, "score": 1}


def test_version_grows_when_the_board_changes(crew, anon):
    people, project_id = crew
    before = read_board(anon, period="all")["version"]
    log_time(people[3], project_id, seconds=50)
    assert read_board(anon, period="all")["version"] > before
