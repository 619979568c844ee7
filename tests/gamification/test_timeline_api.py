"""GET /timeline, /projects/{id}/timeline, /users/{username}/timeline: who sees which
events (nothing of a private project reaches a non-member), newest first, by cursor."""

from urllib.parse import urlparse

import pytest

from focushub.projects.models import ProjectMember
from focushub.timeline.models import Event
from tests.support.cast import moment, project_row, track


@pytest.fixture
def world(person):
    """Alice owns a private and a public project; Bob is a member of the private one;
    Carol is a stranger. Alice tracks on both, Bob on the private one."""
    alice, bob, carol = person(), person(), person()
    secret = project_row(alice.user, name="Secret", members=[(bob.user, ProjectMember.Role.CONTRIBUTOR)])
    open_ = project_row(alice.user, name="Open", visibility="public")
    track(alice.user, secret, start=moment(hours=5), minutes=10, description="secret work")
    track(alice.user, open_, start=moment(hours=4), minutes=10, description="open work")
    track(bob.user, secret, start=moment(hours=3), minutes=10, description="bob on secret")
    return {"alice": alice, "bob": bob, "carol": carol, "secret": secret, "open": open_}


def descriptions(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [event["payload"]["entry"]["description"] for event in response.json()["results"]]


def test_my_timeline_has_my_events_and_those_of_my_projects_newest_first(world):
    assert descriptions(world["alice"].api.get("/timeline")) == ["bob on secret", "open work", "secret work"]
    assert descriptions(world["bob"].api.get("/timeline/")) == ["bob on secret", "secret work"]
    assert descriptions(world["carol"].api.get("/timeline")) == []


def test_a_timeline_event_has_the_documented_shape(world):
    alice = world["alice"]
    event = alice.api.get("/timeline").json()["results"][-1]
    stored = Event.objects.get(pk=event["id"])
    assert event == {
        "id": stored.pk,
        "kind": "entry.created",
        "actor": {"id": alice.id, "username": alice.username, "avatar_url": ""},
        "project": world["secret"].pk,
        "payload": stored.payload,
        "created_at": stored.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def test_a_private_project_timeline_is_members_only_and_404_for_everyone_else(world):
    path = f"/projects/{world['secret'].pk}/timeline"
    assert descriptions(world["bob"].api.get(path)) == ["bob on secret", "secret work"]
    assert descriptions(world["alice"].api.get(path + "/")) == ["bob on secret", "secret work"]
    refused = world["carol"].api.get(path)
    assert refused.status_code == 404
    assert refused.json() == {"code": "not_found", "detail": "Not found."}
    assert world["carol"].api.get("/projects/999999999/timeline").json()["code"] == "not_found"
    assert world["carol"].api.get("/projects/abc/timeline").status_code == 404


def test_a_public_project_timeline_is_readable_by_any_signed_in_user(world):
    path = f"/projects/{world['open'].pk}/timeline"
    assert descriptions(world["carol"].api.get(path)) == ["open work"]


def test_a_public_project_shows_strangers_only_its_public_events(world):
    """Events written while the project was private stay members-only after it opens up."""
    world["secret"].visibility = "public"
    world["secret"].save(update_fields=["visibility"])
    path = f"/projects/{world['secret'].pk}/timeline"
    assert descriptions(world["carol"].api.get(path)) == []
    track(world["bob"].user, world["secret"], start=moment(hours=2), minutes=5, description="now public")
    assert descriptions(world["carol"].api.get(path)) == ["now public"]
    assert descriptions(world["bob"].api.get(path)) == ["now public", "bob on secret", "secret work"]


def test_a_users_timeline_shows_others_only_public_events_and_the_user_everything(world):
    alice = world["alice"]
    for viewer in ("bob", "carol"):
        assert descriptions(world[viewer].api.get(f"/users/{alice.username}/timeline")) == ["open work"]
    assert descriptions(alice.api.get(f"/users/{alice.username.upper()}/timeline/")) == ["open work", "secret work"]


def test_an_unknown_users_timeline_is_404(world):
    response = world["carol"].api.get("/users/nobody_here/timeline")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_timelines_page_newest_first_by_an_opaque_cursor(person):
    alice = person()
    project = project_row(alice.user)
    for n in range(7):
        track(alice.user, project, start=moment(hours=10 - n), minutes=5, description=f"e{n}")
    first = alice.api.get("/timeline", params={"limit": 3}).json()
    assert [e["payload"]["entry"]["description"] for e in first["results"]] == ["e6", "e5", "e4"]
    assert first["previous"] is None
    track(alice.user, project, start=moment(hours=1), minutes=5, description="new")  # lands before page 1
    second = alice.api.get(_relative(first["next"])).json()
    assert [e["payload"]["entry"]["description"] for e in second["results"]] == ["e3", "e2", "e1"]
    third = alice.api.get(_relative(second["next"])).json()
    assert [e["payload"]["entry"]["description"] for e in third["results"]] == ["e0"]
    assert third["next"] is None
    back = alice.api.get(_relative(third["previous"])).json()
    assert [e["payload"]["entry"]["description"] for e in back["results"]] == ["e3", "e2", "e1"]


def test_a_forged_cursor_is_a_400_naming_the_cursor(world):
    response = world["alice"].api.get("/timeline", params={"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"cursor": ["Invalid cursor."]}


def test_timeline_reads_do_not_grow_with_the_number_of_events(world, client, django_assert_max_num_queries):
    alice = world["alice"]
    for n in range(20):
        track(world["bob"].user, world["secret"], start=moment(hours=30 - n), minutes=5)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {alice.token}"}
    for path in ("/timeline", f"/projects/{world['secret'].pk}/timeline", f"/users/{alice.username}/timeline"):
        with django_assert_max_num_queries(4):
            response = client.get(path, **auth)
        assert response.status_code == 200


def _relative(url: str) -> str:
    parsed = urlparse(url)
    return f"{parsed.path}?{parsed.query}"
