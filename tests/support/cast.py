"""The people of the project and tracking tests (healthchecks' Alice/Bob/Charlie): the
owner, a maintainer, a contributor and a viewer of one project, a `helper` member that
the member endpoints act on, a `newcomer` who can be added, and a stranger.

Users are created without a password: they sign in with an access token, and skipping
the (deliberately slow) password hash keeps the many short tests fast. The project and
its memberships are made through the real API."""

from dataclasses import dataclass

from focushub.accounts.models import User
from focushub.accounts.tokens import issue_access
from tests.support.clients import Actor, Api
from tests.support.names import unique_name

ROLES = ("maintainer", "contributor", "viewer")


def quick_actor(live, **fields) -> Actor:
    username = fields.pop("username", None) or unique_name()
    user = User(username=username, email=f"{username}@example.com", **fields)
    user.set_unusable_password()
    user.save()
    token = issue_access(user.pk)
    return Actor(user=user, token=token, api=Api(live.url, token))


@dataclass
class Team:
    project: dict
    owner: Actor
    maintainer: Actor
    contributor: Actor
    viewer: Actor
    helper: Actor
    newcomer: Actor
    stranger: Actor

    @property
    def pid(self) -> int:
        return self.project["id"]


def make_team(live, *, visibility: str = "private") -> Team:
    people = {name: quick_actor(live) for name in ("owner", *ROLES, "helper", "newcomer", "stranger")}
    body = {"name": f"Project {unique_name()}", "visibility": visibility}
    response = people["owner"].api.post("/projects", json=body)
    assert response.status_code == 201, response.text
    project = response.json()
    for name, role in (*((r, r) for r in ROLES), ("helper", "contributor")):
        added = people["owner"].api.post(
            f"/projects/{project['id']}/members", json={"username": people[name].username, "role": role}
        )
        assert added.status_code == 201, added.text
    return Team(project=project, **people)
