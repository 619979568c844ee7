"""A page costs the same few queries whatever the number of people on the board."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from focushub.leaderboards.selectors import leaderboard_read
from tests.leaderboards.conftest import log_time


def _queries_for_a_page(project_id: int, viewer_id: int) -> list[str]:
    read = {"metric": "time", "period": "all", "project_id": project_id, "limit": 50, "offset": 1}
    leaderboard_read(**read, viewer_id=viewer_id)  # warm the connection
    with CaptureQueriesContext(connection) as captured:
        body = leaderboard_read(**read, viewer_id=viewer_id)
    assert body["me"] is not None
    return [query["sql"] for query in captured.captured_queries]


def test_a_page_takes_a_fixed_number_of_queries_for_3_or_30_people(person, new_project):
    people = [person() for _ in range(3)]
    project_id = new_project(people[0], members=people[1:])
    for index, actor in enumerate(people):
        log_time(actor, project_id, seconds=100 + index)
    with_three = _queries_for_a_page(project_id, people[0].id)

    more = [person() for _ in range(27)]
    for actor in more:
        assert people[0].api.post(
            f"/projects/{project_id}/members", json={"username": actor.username, "role": "contributor"}
        ).status_code == 201
    for index, actor in enumerate(more):
        log_time(actor, project_id, seconds=200 + index)
    with_thirty = _queries_for_a_page(project_id, people[0].id)

    assert len(with_thirty) == len(with_three) <= 7
