"""The people and things tests are made of, in one place: users and signed-in actors,
projects with their members, finished time entries, sign-ups, images and instants.

Users are created without a password unless a test signs in with one: they use an
access token, and skipping the (deliberately slow) password hash keeps the many short
tests fast. Projects are made through the real API when a test is about what the API
does with them, or as bare rows when a test must not see the events creating them would
write (a timeline that should hold only the entries under test). The team is the cast of
the project and tracking tests (healthchecks' Alice/Bob/Charlie): the owner, a
maintainer, a contributor and a viewer of one project, a `helper` member that the member
endpoints act on, a `newcomer` who can be added, and a stranger."""

import functools
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from PIL import Image

from focushub.accounts.models import User
from focushub.accounts.tokens import issue_access
from focushub.projects.models import Project, ProjectMember
from focushub.tracking.models import TimeEntry
from focushub.tracking.services import time_entry_create
from tests.support.clients import Actor, Api
from tests.support.names import unique_name

ROLES = ("maintainer", "contributor", "viewer")
STRONG_PASSWORD = "violet-Harbor-93-kite"  # passes the password rules (focushub.accounts.services)


@functools.cache
def password_hash(password: str) -> str:
    """One hash per distinct password for the whole session: argon2 is slow on purpose,
    and many tests create people who sign in with the same password."""
    return make_password(password)


def new_user(username: str | None = None, *, password: str | None = None, **fields) -> User:
    """A user row; with `password` they can also sign in with it."""
    username = username or unique_name()
    user = User(username=username, email=fields.pop("email", f"{username}@example.com"), **fields)
    if password is None:
        user.set_unusable_password()
    else:
        user.password = password_hash(password)
    user.save()
    return user


def quick_actor(live, username: str | None = None, *, password: str | None = None, **fields) -> Actor:
    """A new user, signed in with an access token, talking to the server `live`."""
    user = new_user(username, password=password, **fields)
    token = issue_access(user.pk)
    return Actor(user=user, token=token, api=Api(live.url, token), password=password)


def moment(**before) -> datetime:
    """Now to the second (what the API stores), minus `before` (timedelta's arguments)."""
    return timezone.now().replace(microsecond=0) - timedelta(**before)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def iso(instant: datetime) -> str:
    """An instant as the API writes it: UTC, to the second, with `Z`."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def midnight_days_ago(days: int) -> datetime:
    """The UTC midnight that began the day `days` before today."""
    today = timezone.now().astimezone(UTC).date()
    return utc(today.year, today.month, today.day) - timedelta(days=days)


def _created_project(owner: Actor, visibility: str, fields: dict) -> dict:
    body = {"name": fields.pop("name", unique_name("project")), "visibility": visibility, **fields}
    response = owner.api.post("/projects", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _add_member(owner: Actor, project_id: int, member: Actor, role: str) -> None:
    added = owner.api.post(f"/projects/{project_id}/members", json={"username": member.username, "role": role})
    assert added.status_code == 201, added.text


def new_project(owner: Actor, *, visibility: str = "public", members: Iterable[Actor] = (),
                role: str = "contributor", **fields) -> int:
    """A project made through the API by `owner`, with `members` added in `role`: its id.
    Public unless told otherwise: the tests that make one mostly read its boards and
    timeline as other people would."""
    project_id = _created_project(owner, visibility, fields)["id"]
    for member in members:
        _add_member(owner, project_id, member, role)
    return project_id


def project_row(owner: User, *, visibility: str = "private", name: str = "Project",
                members: Iterable[tuple[User, str]] = ()) -> Project:
    """A project and its memberships as bare rows: no event, no badge check."""
    project = Project.objects.create(name=name, owner=owner, visibility=visibility)
    ProjectMember.objects.create(project=project, user=owner, role=ProjectMember.Role.OWNER)
    for user, role in members:
        ProjectMember.objects.create(project=project, user=user, role=role)
    return project


def _wire(instant: datetime | str) -> str:
    return instant if isinstance(instant, str) else instant.isoformat()


def log_entry(actor: Actor, project_id: int, start: datetime | str, end: datetime | str, **fields) -> dict:
    """A finished (manual) entry made through POST /time-entries: the entry as answered.
    Times are instants, or the exact strings to send."""
    body = {"project": project_id, "start_time": _wire(start), "end_time": _wire(end), **fields}
    response = actor.api.post("/time-entries", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def log_span(actor: Actor, project_id: int, *, minutes: float, ago: timedelta = timedelta(), **fields) -> dict:
    """A finished entry of `minutes` that ended `ago` before now, through the API."""
    end = moment() - ago
    return log_entry(actor, project_id, end - timedelta(minutes=minutes), end, **fields)


def track(user: User, project: Project, *, start: datetime, minutes: int, description: str = "") -> TimeEntry:
    """A finished entry of `minutes` starting at `start`, through the tracking service."""
    return time_entry_create(
        user=user, project_id=project.pk, start_time=start, end_time=start + timedelta(minutes=minutes),
        description=description,
    )


def timed(user: User, project: Project, *, start: datetime, minutes: int) -> TimeEntry:
    """A finished live-timer entry as the database holds it (no service starts a timer in
    the past): for time-of-day badges, which only read when timers were started."""
    return TimeEntry.objects.create(
        user=user, project=project, start_time=start, end_time=start + timedelta(minutes=minutes),
        duration=minutes * 60, source=TimeEntry.Source.TIMER, placed_at=start,
    )


def signup(api: Api, username: str | None = None, *, email: str | None = None, password: str = STRONG_PASSWORD):
    """POST /auth/signup as a new person would: the response, whatever it is."""
    username = unique_name("u") if username is None else username
    return api.post(
        "/auth/signup", json={"email": email or f"{username}@example.com", "username": username, "password": password}
    )


def signed_up(api: Api, username: str | None = None, **kwargs) -> dict:
    """A successful sign-up's answer: the profile and a token pair."""
    response = signup(api, username, **kwargs)
    assert response.status_code == 201, response.text
    return response.json()


def image_bytes(image_format: str = "PNG", size: tuple[int, int] = (8, 8), color: str = "teal") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=image_format)
    return buffer.getvalue()


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
    project = _created_project(people["owner"], visibility, {"name": f"Project {unique_name()}"})
    for name, role in (*((r, r) for r in ROLES), ("helper", "contributor")):
        _add_member(people["owner"], project["id"], people[name], role)
    return Team(project=project, **people)
