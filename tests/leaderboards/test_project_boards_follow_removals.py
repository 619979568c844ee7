"""A project's board loses a person's time when the time leaves the project: the entry
deleted, or moved to another project. The rollup row that held the project's credit is
emptied by such a change; the board must still move by what it held."""

from tests.leaderboards.conftest import log_time, read_board


def test_deleting_the_only_entry_on_a_project_takes_its_board_row_away(person, new_project, anon):
    owner = person()
    project_id = new_project(owner)
    entry = log_time(owner, project_id, seconds=90)
    assert [row["score"] for row in read_board(anon, period="all", project=project_id)["rows"]] == [90]
    assert owner.api.delete(f"/time-entries/{entry['id']}").status_code == 204
    assert read_board(anon, period="all", project=project_id)["rows"] == []
    assert read_board(anon, period="all")["rows"] == []


def test_moving_an_entry_to_another_project_moves_its_board_score(person, new_project, anon):
    owner = person()
    first, second = new_project(owner), new_project(owner)
    entry = log_time(owner, first, seconds=120)
    moved = owner.api.patch(f"/time-entries/{entry['id']}", json={"project": second})
    assert moved.status_code == 200, moved.text
    assert read_board(anon, period="all", project=first)["rows"] == []
    assert [row["score"] for row in read_board(anon, period="all", project=second)["rows"]] == [120]
    assert [row["score"] for row in read_board(anon, period="all")["rows"]] == [120]
