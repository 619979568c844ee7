"""Boards follow every change: deletes and edits take seconds back, opting out hides a
person everywhere and opting back in restores what they tracked meanwhile."""

from datetime import datetime, timedelta

from tests.leaderboards.conftest import log_time, read_board, standings


def test_deleting_an_entry_takes_its_seconds_back(crew, anon):
    people, project_id = crew
    extra = log_time(people[3], project_id, seconds=400)
    assert standings(read_board(anon, period="all"))[0] == (people[3].username, 1, 500)

    assert people[3].api.delete(f"/time-entries/{extra['id']}").status_code == 204
    assert standings(read_board(anon, period="all"))[-1] == (people[3].username, 4, 100)
    assert read_board(anon, period="all", project=project_id)["rows"][-1]["score"] == 100


def test_deleting_someones_only_entry_takes_them_off_the_board(person, new_project, anon):
    owner = person()
    project_id = new_project(owner)
    entry = log_time(owner, project_id, seconds=90)
    assert owner.api.delete(f"/time-entries/{entry['id']}").status_code == 204
    assert read_board(anon, period="all")["rows"] == []
    assert read_board(owner.api, period="day")["me"] is None


def test_editing_an_entry_moves_the_score_by_the_difference(crew, anon):
    people, project_id = crew
    entry = log_time(people[2], project_id, seconds=60)
    end = datetime.fromisoformat(entry["end_time"])
    changed = people[2].api.patch(
        f"/time-entries/{entry['id']}",
        json={"start_time": (end - timedelta(seconds=1000)).isoformat(), "end_time": end.isoformat()},
    )
    assert changed.status_code == 200, changed.text
    assert standings(read_board(anon, period="all"))[0] == (people[2].username, 1, 1200)


def test_opting_out_hides_a_person_and_opting_in_restores_their_time(crew, anon):
    people, project_id = crew
    hidden = people[0]
    assert hidden.api.patch("/users/me", json={"show_on_leaderboard": False}).status_code == 200

    body = read_board(hidden.api, period="all")
    assert hidden.id not in {row["user"]["id"] for row in body["rows"]}
    assert [(rank, score) for _, rank, score in standings(body)] == [(1, 200), (1, 200), (3, 100)]
    assert body["me"] is None
    assert hidden.id not in {row["user"]["id"] for row in read_board(anon, period="day", project=project_id)["rows"]}

    log_time(hidden, project_id, seconds=50)  # tracked while hidden: kept out, but not forgotten
    assert hidden.id not in {row["user"]["id"] for row in read_board(anon, period="all")["rows"]}

    assert hidden.api.patch("/users/me", json={"show_on_leaderboard": True}).status_code == 200
    assert standings(read_board(anon, period="all"))[0] == (hidden.username, 1, 350)
    assert standings(read_board(anon, period="week", project=project_id))[0] == (hidden.username, 1, 350)
    assert read_board(hidden.api, period="month")["me"] == {"rank": 1, "score": 350}
