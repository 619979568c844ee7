"""Projects over real HTTP: create, read, list, edit, transfer, delete (docs/tracking.md; docs/api.md)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from focushub.accounts.models import User
from focushub.accounts.tokens import issue_access
from focushub.badges.models import Badge, UserBadge
from focushub.projects import services
from focushub.projects.models import Project, ProjectMember
from focushub.timeline.models import Event
from focushub.tracking.models import DailyRollup, TimeEntry
from tests.support.cast import make_team
from tests.support.clock import now_clear_of_midnight
from tests.support.processes import wait_for

PROJECT_FIELDS = {"id", "name", "description", "visibility", "color", "archived", "owner", "role", "created_at"}


def _past_entry(actor, project_id, *, hours_ago=3, minutes=30):
    end = timezone.now().replace(microsecond=0) - timedelta(hours=hours_ago)
    body = {"project": project_id, "start_time": (end - timedelta(minutes=minutes)).isoformat(),
            "end_time": end.isoformat()}
    response = actor.api.post("/time-entries", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_creating_a_project_returns_it_with_the_caller_as_owner(person):
    alice = person()
    response = alice.api.post("/projects/", json={"name": "  Thesis  ", "description": "Chapter 3"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == PROJECT_FIELDS
    assert body["name"] == "Thesis"
    assert body["visibility"] == "private"
    assert body["color"] == "#4f46e5"
    assert body["archived"] is False
    assert body["role"] == "owner"
    assert body["owner"] == {"id": alice.id, "username": alice.username, "avatar_url": ""}
    assert body["created_at"].endswith("Z")
    assert ProjectMember.objects.get(project_id=body["id"]).role == "owner"
    event = Event.objects.get(kind="project.created")
    assert (event.actor_id, event.project_id, event.audience) == (alice.id, body["id"], "project")
    brief = {"id": body["id"], "name": "Thesis", "color": "#4f46e5", "visibility": "private"}
    assert event.payload == {"project": brief}


def test_a_public_project_announces_itself_publicly(person):
    alice = person()
    body = alice.api.post("/projects", json={"name": "Open source", "visibility": "public", "color": "#A0B1C2"}).json()
    assert body["color"] == "#a0b1c2"
    assert Event.objects.get(kind="project.created", project_id=body["id"]).audience == "public"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": None}, "name"),
        ({"name": ["a"]}, "name"),
        ({"name": "ok", "description": "d" * 2001}, "description"),
        ({"name": "ok", "visibility": "secret"}, "visibility"),
        ({"name": "ok", "color": "red"}, "color"),
        ({"name": "ok", "color": "#12345g"}, "color"),
        ({"name": "ok", "color": "#1234567"}, "color"),
        ({"name": "nul\u0000byte"}, "name"),
    ],
)
def test_invalid_project_fields_get_field_errors_and_create_nothing(person, body, field):
    response = person().api.post("/projects", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "validation_error"
    assert field in response.json()["errors"]
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b"", b"[1, 2]", b'"a string"', b"null", b'{"name": "\\ud800"}', b"\xff\xfe"],
)
def test_malformed_bodies_are_400_and_create_nothing(person, raw):
    response = person().api.post("/projects", data=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert response.json()["code"] in {"malformed_request", "validation_error"}
    assert not Project.objects.exists()


def test_a_huge_body_is_refused_without_a_server_error(person):
    response = person().api.post("/projects", json={"name": "big", "description": "x" * 3_000_000})
    assert response.status_code in {400, 413}, response.text
    assert "code" in response.json()
    assert not Project.objects.exists()


def test_put_is_not_a_way_to_edit(team):
    response = team.owner.api.put(f"/projects/{team.pid}", json={"name": "x"})
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.parametrize("bad_id", ["abc", "1.5", "-1", "0", "99999999999999999999999", "%00"])
def test_ids_that_are_not_project_ids_are_404(person, bad_id):
    response = person().api.get(f"/projects/{bad_id}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_my_list_holds_the_projects_i_belong_to_with_my_role(team, person):
    mine = team.contributor.api.get("/projects").json()
    assert [(p["id"], p["role"]) for p in mine["results"]] == [(team.pid, "contributor")]
    assert mine["next"] is None and mine["previous"] is None
    assert team.stranger.api.get("/projects").json()["results"] == []


def test_visibility_public_browses_every_public_project_and_never_a_private_one(live, team, person):
    public = make_team(live, visibility="public")
    browse = team.stranger.api.get("/projects?visibility=public").json()["results"]
    assert [(p["id"], p["role"]) for p in browse] == [(public.pid, None)]
    own_private = team.owner.api.get("/projects?visibility=private").json()["results"]
    assert [p["id"] for p in own_private] == [team.pid]


def test_the_list_pages_by_limit_and_offset_in_name_order(person):
    alice = person()
    for name in ("charlie", "Alpha", "bravo"):
        assert alice.api.post("/projects", json={"name": name}).status_code == 201
    first = alice.api.get("/projects?limit=2").json()
    assert [p["name"] for p in first["results"]] == ["Alpha", "bravo"]
    assert first["count"] == 3
    second = alice.api.session.get(first["next"]).json()
    assert [p["name"] for p in second["results"]] == ["charlie"]
    assert second["next"] is None


@pytest.mark.parametrize("query", ["limit=junk&offset=-4", "limit=101&offset=1.5", "limit=&offset="])
def test_bad_paging_parameters_are_a_400_naming_them(person, query):
    response = person().api.get(f"/projects?{query}")
    assert response.status_code == 400, response.text
    assert set(response.json()["errors"]) == {"limit", "offset"}


def test_the_archived_filter_narrows_the_list(team):
    assert team.owner.api.patch(f"/projects/{team.pid}", json={"archived": True}).status_code == 200
    assert [p["id"] for p in team.owner.api.get("/projects?archived=true").json()["results"]] == [team.pid]
    assert team.owner.api.get("/projects?archived=false").json()["results"] == []


@pytest.mark.parametrize("query", ["visibility=secret", "archived=maybe", "archived=1", "visibility="])
def test_bad_list_filters_are_400(person, query):
    response = person().api.get(f"/projects?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


def test_a_maintainer_edits_and_the_edit_is_a_timeline_event(team):
    response = team.maintainer.api.patch(
        f"/projects/{team.pid}", json={"name": "Renamed", "visibility": "public", "color": "#000000"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["name"], body["visibility"], body["color"], body["role"]) == (
        "Renamed", "public", "#000000", "maintainer"
    )
    event = Event.objects.get(kind="project.updated")
    assert event.actor_id == team.maintainer.id
    assert event.payload["changes"] == ["color", "name", "visibility"]
    assert event.audience == "public"


def test_an_edit_that_changes_nothing_records_nothing(team):
    response = team.owner.api.patch(f"/projects/{team.pid}", json={"name": team.project["name"]})
    assert response.status_code == 200
    assert not Event.objects.filter(kind="project.updated").exists()


def test_invalid_edits_are_400_and_change_nothing(team):
    for body in ({"name": ""}, {"color": "blue"}, {"archived": "perhaps"}, {"owner": "me"}, {"owner": 0}):
        response = team.owner.api.patch(f"/projects/{team.pid}", json=body)
        assert response.status_code == 400, (body, response.text)
    assert team.owner.api.get(f"/projects/{team.pid}").json() == {**team.project, "role": "owner"}


def test_archiving_stops_new_tracking_but_keeps_the_project_readable(team):
    assert team.owner.api.patch(f"/projects/{team.pid}", json={"archived": True}).json()["archived"] is True
    refused = team.contributor.api.post("/time-entries/start", json={"project": team.pid})
    assert refused.status_code == 403
    assert refused.json()["code"] == "project_archived"
    assert team.contributor.api.get(f"/projects/{team.pid}").status_code == 200


def test_the_owner_hands_the_project_to_a_member_and_stays_as_maintainer(team):
    response = team.owner.api.patch(f"/projects/{team.pid}", json={"owner": team.contributor.id})
    assert response.status_code == 200, response.text
    assert response.json()["owner"]["id"] == team.contributor.id
    assert response.json()["role"] == "maintainer"
    assert team.contributor.api.get(f"/projects/{team.pid}").json()["role"] == "owner"
    assert team.owner.api.delete(f"/projects/{team.pid}").status_code == 403
    roles = dict(ProjectMember.objects.filter(project_id=team.pid).values_list("user_id", "role"))
    assert roles[team.owner.id] == "maintainer" and roles[team.contributor.id] == "owner"
    assert list(roles.values()).count("owner") == 1
    event = Event.objects.get(kind="project.updated")
    assert event.payload["owner"]["id"] == team.contributor.id
    assert team.contributor.api.delete(f"/projects/{team.pid}").status_code == 204


def test_ownership_goes_only_to_a_member_and_only_from_the_owner(team):
    stranger = team.owner.api.patch(f"/projects/{team.pid}", json={"owner": team.stranger.id})
    assert stranger.status_code == 400
    assert "owner" in stranger.json()["errors"]
    by_maintainer = team.maintainer.api.patch(f"/projects/{team.pid}", json={"owner": team.maintainer.id})
    assert by_maintainer.status_code == 403
    assert Project.objects.get(pk=team.pid).owner_id == team.owner.id


def test_deleting_a_project_takes_its_time_off_every_leaderboard(team):
    other = team.contributor.api.post("/projects", json={"name": "Side project"}).json()
    now = now_clear_of_midnight(timedelta(seconds=100))  # the week board must hold it all

    def entry(actor, project_id, first_second, last_second):
        body = {"project": project_id, "start_time": (now - timedelta(seconds=first_second)).isoformat(),
                "end_time": (now - timedelta(seconds=last_second)).isoformat()}
        assert actor.api.post("/time-entries", json=body).status_code == 201

    entry(team.contributor, team.pid, 100, 60)
    entry(team.contributor, other["id"], 50, 40)
    entry(team.owner, team.pid, 100, 80)
    team.contributor.api.post("/time-entries/start", json={"project": team.pid})

    def scores(period, project=None):
        query = f"/leaderboard?metric=time&period={period}" + (f"&project={project}" if project else "")
        return {row["user"]["id"]: row["score"] for row in team.owner.api.get(query).json()["rows"]}

    assert scores("all") == {team.contributor.id: 50, team.owner.id: 20}
    assert scores("all", team.pid) == {team.contributor.id: 40, team.owner.id: 20}

    assert team.owner.api.delete(f"/projects/{team.pid}").status_code == 204

    assert scores("all") == {team.contributor.id: 10}
    assert scores("week") == {team.contributor.id: 10}
    assert not TimeEntry.objects.filter(project_id=team.pid).exists()
    assert not DailyRollup.objects.filter(project_id=team.pid).exists()
    assert team.contributor.api.get("/time-entries/current").json() is None
    event = Event.objects.get(kind="project.deleted")
    assert (event.project_id, event.audience, event.payload["project"]["id"]) == (None, "private", team.pid)
    assert team.owner.api.get(f"/projects/{team.pid}").status_code == 404
    stopped = Event.objects.get(kind="timer.stopped", actor_id=team.contributor.id)
    assert (stopped.audience, stopped.payload["reason"]) == ("private", "project_deleted")
    assert stopped.payload["entry"]["project"]["id"] == team.pid
    assert stopped.id < event.id


def test_making_a_project_private_hides_its_past_public_events(public_team):
    public_team.contributor.api.post("/time-entries/start", json={"project": public_team.pid})
    stranger_view = f"/users/{public_team.contributor.username}/timeline"
    assert [e["kind"] for e in public_team.stranger.api.get(stranger_view).json()["results"]] == ["timer.started"]

    changed = public_team.owner.api.patch(f"/projects/{public_team.pid}", json={"visibility": "private"})
    assert changed.status_code == 200

    assert public_team.stranger.api.get(stranger_view).json()["results"] == []
    assert public_team.stranger.api.get(f"/projects/{public_team.pid}/timeline").status_code == 404
    own_view = [e["kind"] for e in public_team.contributor.api.get(stranger_view).json()["results"]]
    assert "timer.started" in own_view


def test_creating_a_first_project_earns_the_founder_badge(person, qcluster):
    Badge.objects.create(slug="founder", name="Founder", criteria={"type": "projects_created", "count": 1})
    alice = person()
    assert alice.api.post("/projects", json={"name": "First"}).status_code == 201
    wait_for(lambda: UserBadge.objects.filter(user_id=alice.id, badge__slug="founder").exists(),
             timeout=15, message="the founder badge")


@pytest.mark.django_db
def test_listing_projects_costs_a_fixed_number_of_queries(django_assert_max_num_queries):
    alice = User.objects.create_user(email="a@example.com", username="alice_q", password=None)
    bob = User.objects.create_user(email="b@example.com", username="bob_q", password=None)
    for i in range(8):
        project = services.project_create(owner=bob if i % 2 else alice, name=f"p{i}", visibility="public")
        if i % 2:
            services.member_add(actor=bob, project_id=project.pk, username="alice_q", role="viewer")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access(alice.pk)}")
    with django_assert_max_num_queries(3):  # the caller, the count, one page (owner and role joined in)
        response = client.get("/projects")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 8
    assert {p["role"] for p in response.json()["results"]} == {"owner", "viewer"}
