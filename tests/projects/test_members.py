"""Memberships over real HTTP: maintainers manage members; only the owner deletes or
transfers the project (docs/tracking.md, "Projects and members")."""

import threading

import pytest
from rest_framework.test import APIClient

from focushub.accounts.models import User
from focushub.accounts.tokens import issue_access
from focushub.projects import services
from focushub.projects.models import ProjectMember
from focushub.timeline.models import Event
from focushub.tracking.models import TimeEntry


def _members(actor, pid):
    response = actor.api.get(f"/projects/{pid}/members")
    assert response.status_code == 200, response.text
    return response.json()["results"]


def test_the_member_list_shows_each_user_with_role_and_join_time_owner_first(team):
    members = _members(team.viewer, team.pid)
    assert [(m["user"]["id"], m["role"]) for m in members] == [
        (team.owner.id, "owner"),
        (team.maintainer.id, "maintainer"),
        (team.contributor.id, "contributor"),
        (team.helper.id, "contributor"),
        (team.viewer.id, "viewer"),
    ]
    assert set(members[0]) == {"user", "role", "joined_at"}
    assert set(members[0]["user"]) == {"id", "username", "avatar_url"}
    assert members[0]["joined_at"].endswith("Z")


def test_a_public_projects_members_are_readable_by_anyone_signed_in(public_team):
    assert len(_members(public_team.stranger, public_team.pid)) == 5


def test_a_maintainer_adds_a_member_by_username_in_any_case(team):
    response = team.maintainer.api.post(
        f"/projects/{team.pid}/members", json={"username": team.newcomer.username.upper(), "role": "maintainer"}
    )
    assert response.status_code == 201, response.text
    assert response.json()["user"]["id"] == team.newcomer.id
    assert response.json()["role"] == "maintainer"
    event = Event.objects.get(kind="member.added", payload__member__user__id=team.newcomer.id)
    assert (event.actor_id, event.project_id, event.audience) == (team.maintainer.id, team.pid, "project")
    assert team.newcomer.api.get(f"/projects/{team.pid}").json()["role"] == "maintainer"


def test_the_role_defaults_to_contributor(team):
    response = team.owner.api.post(f"/projects/{team.pid}/members", json={"username": team.newcomer.username})
    assert response.status_code == 201, response.text
    assert response.json()["role"] == "contributor"
    assert team.newcomer.api.get(f"/projects/{team.pid}").json()["role"] == "contributor"
    assert team.newcomer.api.post("/time-entries/start", json={"project": team.pid}).status_code == 201


def test_adding_an_existing_member_is_a_409(team):
    response = team.owner.api.post(f"/projects/{team.pid}/members", json={"username": team.viewer.username})
    assert response.status_code == 409
    assert response.json()["code"] == "already_member"
    assert ProjectMember.objects.get(project_id=team.pid, user_id=team.viewer.id).role == "viewer"


def test_two_simultaneous_adds_of_the_same_person_make_one_member(team):
    results: list[int] = []
    barrier = threading.Barrier(6)

    def add():
        barrier.wait()
        response = team.owner.api.post(f"/projects/{team.pid}/members", json={"username": team.newcomer.username})
        results.append(response.status_code)

    threads = [threading.Thread(target=add) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [201] + [409] * 5
    assert ProjectMember.objects.filter(project_id=team.pid, user_id=team.newcomer.id).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "nobody-by-this-name"}, "username"),
        ({"username": ""}, "username"),
        ({}, "username"),
        ({"username": "x" * 151}, "username"),
        ({"username": 17}, "username"),
        ({"username": "{newcomer}", "role": "owner"}, "role"),
        ({"username": "{newcomer}", "role": "admin"}, "role"),
    ],
)
def test_bad_member_additions_are_400_with_the_field_named(team, body, field):
    body = {k: v.format(newcomer=team.newcomer.username) if isinstance(v, str) else v for k, v in body.items()}
    response = team.owner.api.post(f"/projects/{team.pid}/members", json=body)
    assert response.status_code == 400, response.text
    assert field in response.json()["errors"]
    assert ProjectMember.objects.filter(project_id=team.pid).count() == 5


def test_a_maintainer_changes_roles_but_never_the_owners(team):
    promoted = team.maintainer.api.patch(f"/projects/{team.pid}/members/{team.helper.id}", json={"role": "maintainer"})
    assert promoted.status_code == 200
    assert promoted.json()["role"] == "maintainer"
    event = Event.objects.get(kind="member.role_changed")
    assert (event.payload["previous_role"], event.payload["member"]["role"]) == ("contributor", "maintainer")

    owner = team.maintainer.api.patch(f"/projects/{team.pid}/members/{team.owner.id}", json={"role": "viewer"})
    assert owner.status_code == 403
    assert owner.json()["code"] == "owner_protected"
    to_owner = team.owner.api.patch(f"/projects/{team.pid}/members/{team.helper.id}", json={"role": "owner"})
    assert to_owner.status_code == 400
    assert to_owner.json()["code"] == "validation_error" and "role" in to_owner.json()["errors"]
    roles = {m["user"]["id"]: m["role"] for m in _members(team.viewer, team.pid)}
    assert (roles[team.owner.id], roles[team.helper.id]) == ("owner", "maintainer")


def test_a_maintainer_cannot_remove_the_owner(team):
    response = team.maintainer.api.delete(f"/projects/{team.pid}/members/{team.owner.id}")
    assert response.status_code == 403
    assert response.json()["code"] == "owner_protected"
    assert team.owner.api.get(f"/projects/{team.pid}").json()["role"] == "owner"


def test_a_member_leaves_and_a_private_project_then_vanishes_for_them(team):
    assert team.viewer.api.delete(f"/projects/{team.pid}/members/{team.viewer.id}").status_code == 204
    assert team.viewer.api.get(f"/projects/{team.pid}").status_code == 404
    event = Event.objects.get(kind="member.removed")
    assert event.payload["left"] is True
    assert event.actor_id == team.viewer.id


def test_the_owner_cannot_leave_their_own_project(team):
    response = team.owner.api.delete(f"/projects/{team.pid}/members/{team.owner.id}")
    assert response.status_code == 409
    assert response.json()["code"] == "owner_cannot_leave"
    assert team.owner.api.get(f"/projects/{team.pid}").json()["role"] == "owner"


@pytest.mark.parametrize("target", ["abc", "0", "999999999", "99999999999999999999999"])
def test_members_that_do_not_exist_are_404(team, target):
    for response in (
        team.owner.api.patch(f"/projects/{team.pid}/members/{target}", json={"role": "viewer"}),
        team.owner.api.delete(f"/projects/{team.pid}/members/{target}"),
    ):
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "not_found"
    assert len(_members(team.owner, team.pid)) == 5


def test_a_non_member_user_is_404_as_a_member(team):
    response = team.owner.api.patch(f"/projects/{team.pid}/members/{team.stranger.id}", json={"role": "viewer"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert team.stranger.api.get(f"/projects/{team.pid}").status_code == 404


def test_removing_a_member_stops_their_running_timer_on_the_project(team):
    started = team.helper.api.post("/time-entries/start", json={"project": team.pid, "description": "deep work"})
    assert started.status_code == 201
    assert team.maintainer.api.delete(f"/projects/{team.pid}/members/{team.helper.id}").status_code == 204
    assert team.helper.api.get("/time-entries/current").json() is None
    entry = TimeEntry.objects.get(pk=started.json()["entry"]["id"])
    assert entry.end_time is not None and entry.duration >= 1
    stop = Event.objects.get(kind="timer.stopped")
    assert (stop.actor_id, stop.payload["reason"]) == (team.helper.id, "access_revoked")


def _running_entry_id(actor) -> int:
    current = actor.api.get("/time-entries/current").json()
    assert current is not None, "no timer is running"
    return current["id"]


def test_becoming_a_viewer_stops_the_timer_and_tracking(team):
    assert team.helper.api.post("/time-entries/start", json={"project": team.pid}).status_code == 201
    running = _running_entry_id(team.helper)
    demoted = team.owner.api.patch(f"/projects/{team.pid}/members/{team.helper.id}", json={"role": "viewer"})
    assert demoted.status_code == 200, demoted.text
    assert team.helper.api.get("/time-entries/current").json() is None
    assert team.helper.api.get(f"/time-entries/{running}").json()["end_time"] is not None
    refused = team.helper.api.post("/time-entries/start", json={"project": team.pid})
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"


def test_a_timer_on_another_project_keeps_running_when_removed_elsewhere(team):
    other = team.helper.api.post("/projects", json={"name": "Mine"}).json()
    assert team.helper.api.post("/time-entries/start", json={"project": other["id"]}).status_code == 201
    running = _running_entry_id(team.helper)
    assert team.owner.api.delete(f"/projects/{team.pid}/members/{team.helper.id}").status_code == 204
    assert team.helper.api.get(f"/projects/{team.pid}").status_code == 404
    assert _running_entry_id(team.helper) == running


@pytest.mark.django_db
def test_listing_members_costs_a_fixed_number_of_queries(django_assert_max_num_queries):
    owner = User.objects.create_user(email="o@example.com", username="owner_q", password=None)
    project = services.project_create(owner=owner, name="Crowded")
    for i in range(12):
        User.objects.create_user(email=f"m{i}@example.com", username=f"member_q{i}", password=None)
        services.member_add(actor=owner, project_id=project.pk, username=f"member_q{i}", role="viewer")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access(owner.pk)}")
    with django_assert_max_num_queries(4):  # the caller, the project with my role, the count, one page
        response = client.get(f"/projects/{project.pk}/members")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 13
