"""Every project-scoped path against every kind of caller (NetBox's declarative API
tests): anonymous 401; a stranger gets 404 for a private project and, for a public one,
may read but not write (403); viewers read but do not track; contributors track;
maintainers manage members and edit; only the owner deletes. A refused request leaves
the project, its members and its entries exactly as they were."""

from datetime import timedelta

import pytest
from django.utils import timezone

from focushub.tracking.models import TimeEntry
from tests.support.cast import Team, make_team
from tests.support.clients import Api

READ, MANAGE, OWN, TRACK = "read", "manage", "own", "track"


def _entry_times() -> dict:
    end = timezone.now().replace(microsecond=0) - timedelta(hours=1)
    return {"start_time": (end - timedelta(minutes=30)).isoformat(), "end_time": end.isoformat()}


# (method, path, body, kind, status when allowed)
ENDPOINTS = {
    "project detail": ("GET", "/projects/{pid}", None, READ, 200),
    "project detail, trailing slash": ("GET", "/projects/{pid}/", None, READ, 200),
    "edit project": ("PATCH", "/projects/{pid}", lambda t: {"description": "changed"}, MANAGE, 200),
    "delete project": ("DELETE", "/projects/{pid}", None, OWN, 204),
    "list members": ("GET", "/projects/{pid}/members", None, READ, 200),
    "add member": (
        "POST", "/projects/{pid}/members", lambda t: {"username": t.newcomer.username, "role": "viewer"}, MANAGE, 201
    ),
    "change member role": ("PATCH", "/projects/{pid}/members/{helper}", lambda t: {"role": "viewer"}, MANAGE, 200),
    "remove member": ("DELETE", "/projects/{pid}/members/{helper}/", None, MANAGE, 204),
    "start timer": ("POST", "/time-entries/start", lambda t: {"project": t.pid}, TRACK, 201),
    "manual entry": ("POST", "/time-entries", lambda t: {"project": t.pid, **_entry_times()}, TRACK, 201),
}

# caller -> (project visibility, what it may do)
CALLERS = {
    "anonymous on private": ("private", set()),
    "anonymous on public": ("public", set()),
    "stranger on private": ("private", set()),
    "stranger on public": ("public", {READ}),
    "viewer": ("private", {READ}),
    "contributor": ("private", {READ, TRACK}),
    "maintainer": ("private", {READ, TRACK, MANAGE}),
    "owner": ("private", {READ, TRACK, MANAGE, OWN}),
}


def _expected(caller: str, kind: str, allowed_status: int) -> int:
    visibility, rights = CALLERS[caller]
    if caller.startswith("anonymous"):
        return 401
    if kind in rights:
        return allowed_status
    if caller.startswith("stranger") and visibility == "private":
        return 404
    return 403


def _api(team: Team, caller: str, live) -> Api:
    if caller.startswith("anonymous"):
        return Api(live.url)
    return getattr(team, caller.split()[0]).api


def _state(team: Team) -> tuple:
    project = team.owner.api.get(f"/projects/{team.pid}").json()
    members = team.owner.api.get(f"/projects/{team.pid}/members").json()["results"]
    return project, members, TimeEntry.objects.count()


@pytest.mark.parametrize("caller", list(CALLERS))
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_each_project_path_answers_each_caller_as_the_rules_say(live, endpoint, caller):
    visibility, _ = CALLERS[caller]
    team = make_team(live, visibility=visibility)
    method, path, body, kind, allowed_status = ENDPOINTS[endpoint]
    expected = _expected(caller, kind, allowed_status)
    before = _state(team)

    response = _api(team, caller, live).request(
        method, path.format(pid=team.pid, helper=team.helper.id), json=body(team) if body else None
    )

    assert response.status_code == expected, response.text
    if expected >= 400:
        error = response.json()
        assert set(error) >= {"code", "detail"}
        assert error["code"] == {401: "not_authenticated", 403: "forbidden", 404: "not_found"}[expected]
        assert _state(team) == before


def test_private_project_is_indistinguishable_from_a_missing_one_for_a_stranger(team):
    hidden = team.stranger.api.get(f"/projects/{team.pid}")
    missing = team.stranger.api.get("/projects/999999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
