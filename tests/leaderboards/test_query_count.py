"""A page costs the same few queries whatever the number of people on the board, and
GET /leaderboard exactly these (bench/README.md, "Profile of the hot paths")."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from focushub.accounts.tokens import issue_access
from focushub.leaderboards.selectors import leaderboard_read
from focushub.projects.services import project_create
from tests.leaderboards.conftest import log_time
from tests.support.cast import new_user, track


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


@pytest.mark.django_db(transaction=True)
def test_get_leaderboard_takes_these_queries(empty_redis):
    """GET /leaderboard as served (in-process: middleware, DRF, the view), anonymous and
    with a token (`me`): exact counts, with what each query is for. With Redis, a page
    kept for anyone serves a signed-in reader too."""
    people = [new_user() for _ in range(3)]
    for index, user in enumerate(people):
        project = project_create(owner=user, name="Board", visibility="public")
        track(user, project, start=timezone.now() - timedelta(hours=3), minutes=30 + index)
    query = {"metric": "time", "period": "week", "limit": 20}
    client = APIClient()
    client.get("/leaderboard", query)  # warm the connection and the scripts
    sql_store = not settings.REDIS_URL
    page = ["SELECT leaderboards_boardscore"] if sql_store else []  # the page (Redis: one script, no SQL)
    present = ["SELECT accounts_user",  # the page's people, still shown on boards (in_bulk)
               "SELECT tracking_timeentry",  # their running timers (`running_since`)
               "SELECT timeline_event"]  # the version: the newest event id

    with CaptureQueriesContext(connection) as captured:
        body = client.get("/leaderboard", query).json()
    assert len(body["rows"]) == 3
    # With Redis, the page the warm-up read is kept until the boards change
    # (focushub/leaderboards/pages.py); the embedded mode reads it every time.
    assert _gists(captured) == ([*page, *present] if sql_store else [])
    track(people[-1], project, start=timezone.now() - timedelta(hours=2), minutes=5)  # a change: read anew
    with CaptureQueriesContext(connection) as captured:
        body = client.get("/leaderboard", query).json()
    assert _gists(captured) == [*page, *present]

    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access(people[0].pk)}")
    with CaptureQueriesContext(connection) as captured:
        body = client.get("/leaderboard", query).json()
    assert body["me"] == {"rank": 3, "score": 30 * 60}
    if sql_store:  # read in full: first the token's user, then my score and rank
        assert _gists(captured) == ["SELECT accounts_user", *page, "SELECT leaderboards_boardscore", *present]
    else:  # the kept page and my row on it: only the token's user
        assert _gists(captured) == ["SELECT accounts_user"]


def _gists(captured) -> list[str]:
    """`VERB table` of each query: what it is for."""
    gists = []
    for query in captured.captured_queries:
        table = re.search(r'FROM "?(\w+)', query["sql"])
        gists.append(f"{query['sql'].split()[0]} {table.group(1) if table else '?'}")
    return gists
