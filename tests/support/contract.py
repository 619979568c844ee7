"""The REST contract, declared once per endpoint and tested alike everywhere (the shape of
NetBox's utilities/testing/api.py). A test module lists its endpoints as `Endpoint`s and
turns them into tests with `contract()`:

    ENDPOINTS = (
        Endpoint("PATCH", "/projects/{project}", allowed="maintainer", status=200, max_queries=14,
                 body={"description": "changed"}, invalid={"color": "red"}),
    )
    TestProjectEndpoints = contract(*ENDPOINTS)

From each declaration come the rules docs/api.md states for every path:
- an anonymous caller gets 401 `not_authenticated` and changes nothing;
- a stranger gets, for a private project or someone else's entry, the very bytes a
  missing id gets: 404, never 403, so an id reveals nothing;
- a member whose role is below the endpoint's (or a stranger on a public project it
  does not allow) gets 403 `forbidden` and changes nothing;
- an invalid request gets its declared status and code and changes nothing;
- every caller it allows gets the success status within the declared number of queries.

The tests run in-process, through Django's test client against the real test database,
each inside a transaction rolled back after it: a live daphne adds nothing to a status, a
body or a query count, and would cost a round trip per request and a committed world
per test. What needs the live processes (sockets, the relay, the cluster) is tested live
elsewhere. tests/contract/test_coverage.py fails while any served operation has no
declaration."""

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from types import FunctionType
from urllib.parse import parse_qsl

import pytest
from asgiref.sync import async_to_sync
from django.db import connection
from django.test import TestCase
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from rest_framework.test import APIClient

from focushub.accounts import services as accounts
from focushub.accounts.models import User
from focushub.accounts.tokens import issue_access
from focushub.badges.services import badge_create
from focushub.projects.services import member_add, project_create
from focushub.tracking.services import time_entry_create, time_entry_start
from tests.support.cast import STRONG_PASSWORD, moment, new_user
from tests.support.names import unique_name

LADDER = ("viewer", "contributor", "maintainer", "owner")  # a project's roles, each with the rights of those before
MEMBERS = {"maintainer": "maintainer", "contributor": "contributor", "viewer": "viewer", "helper": "contributor"}
MISSING = 999_999_999  # an id no row has
SCHEMA_TABLES = {"django_content_type", "auth_permission", "django_migrations"}  # describe the schema, not the data


def assert_error(response, status: int, code: str) -> dict:
    """The error shape of docs/api.md: JSON `{code, detail}` with this status and code."""
    assert response.status_code == status, response.content[:500]
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code, body
    assert isinstance(body["detail"], str) and body["detail"]
    return body


@dataclass(frozen=True)
class World:
    """What the endpoints act on, made through the real services: a private and a public
    project, each with the owner, a maintainer, a contributor, a viewer and `helper` (a
    contributor the member endpoints act on); `newcomer` and `stranger` belong to
    neither; an admin. The contributor has a finished entry and a running timer on the
    private project; the catalog holds one badge. Path templates and bodies name these
    through the fields below ({project}, {member}, {entry}, {badge}, {username})."""

    people: dict[str, User]
    project: int
    public_project: int
    member: int
    entry: int
    badge: int
    username: str

    def user(self, name: str) -> User:
        return self.people[name]

    def ids(self) -> dict:
        return {"project": self.project, "member": self.member, "entry": self.entry, "badge": self.badge,
                "username": self.username}

    def session(self) -> accounts.Session:
        """A fresh sign-in of the owner: a working refresh token for /auth/refresh and /auth/logout."""
        return accounts.user_login(login=self.people["owner"].username, password=STRONG_PASSWORD)


def build_world() -> World:
    """Through the services, so the rows, rollups, events and memberships are the ones
    production would hold, and a change to a service shows in the contract at once."""
    people = {name: new_user() for name in ("maintainer", "contributor", "viewer", "helper", "newcomer", "stranger")}
    people["owner"] = new_user(password=STRONG_PASSWORD)
    people["admin"] = new_user(role="admin")
    projects = [project_create(owner=people["owner"], name=f"{visibility} project", visibility=visibility)
                for visibility in ("private", "public")]
    for project in projects:
        for name, role in MEMBERS.items():
            member_add(actor=people["owner"], project_id=project.pk, username=people[name].username, role=role)
    contributor, private = people["contributor"], projects[0]
    entry = time_entry_create(user=contributor, project_id=private.pk, start_time=moment(hours=2),
                              end_time=moment(hours=1), description="the world's entry")
    time_entry_start(user=contributor, project_id=private.pk)
    badge = badge_create(actor=people["admin"], slug=unique_name("contract").replace("_", "-"), name="First entry",
                         criteria={"type": "entries", "count": 1})
    return World(people=people, project=private.pk, public_project=projects[1].pk, member=people["helper"].pk,
                 entry=entry.pk, badge=badge.pk, username=people["helper"].username)


Data = dict | Callable[[World], dict] | None


@dataclass(frozen=True)
class Endpoint:
    """One operation and what the contract expects of it.

    allowed: the least caller that may call it: "anyone" (no token needed), "signed_in"
        (tested as the contributor, who has entries, a timer and projects), "admin", a
        role of LADDER (that role and those above it; for "viewer", also a stranger on
        a public project), or "author" (the contributor, whose entry it is).
    body: the request's JSON body (query parameters for a GET), or a function of the
        World returning it, for what names the world's people and ids.
    invalid: a request that must be refused with `invalid_status` and `invalid_code`.
    scope: "project" or "entry" when the request names a private project or an entry
        that strangers must not learn about; read from the path when it holds {project}
        or {entry}, declared when only the body names it.
    open: a caller without a token is served like a signed-in stranger (GET /leaderboard).
    multipart: the body is a form with a file, not JSON.
    """

    method: str
    path: str
    allowed: str
    status: int
    max_queries: int
    body: Data = None
    invalid: Data = None
    invalid_status: int = 400
    invalid_code: str = "validation_error"
    scope: str | None = None
    open: bool = False
    multipart: bool = False
    hidden_from: tuple[str, ...] = field(init=False)

    def __post_init__(self):
        if self.scope is None:
            scope = next((name for name in ("project", "entry") if f"{{{name}}}" in self.path), None)
            object.__setattr__(self, "scope", scope)
        hidden_from = {"project": ("stranger",), "entry": ("stranger", "owner"), None: ()}[self.scope]
        object.__setattr__(self, "hidden_from", hidden_from + (("anonymous",) if self.open else ()))

    def __str__(self) -> str:
        return f"{self.method} {self.path}"

    def allowed_callers(self) -> list[str]:
        if self.allowed in LADDER:
            callers = list(LADDER[LADDER.index(self.allowed):])
            if self.allowed == "viewer":
                callers.append("stranger on public")
                if self.open:
                    callers.append("anonymous on public")
            return callers
        return [{"anyone": "anonymous", "signed_in": "contributor", "author": "contributor"}.get(self.allowed,
                                                                                                  self.allowed)]

    def refused_callers(self) -> list[str]:
        """Callers who see what the endpoint acts on but may not do this: 403 `forbidden`."""
        if self.allowed == "admin":
            return ["contributor"]
        if self.allowed in LADDER and self.allowed != "viewer":
            return [*LADDER[:LADDER.index(self.allowed)], "stranger on public"]
        return []


@dataclass
class Answer:
    """A response read to its end (a streamed one too)."""

    status_code: int
    content: bytes
    headers: dict

    def json(self):
        return json.loads(self.content)


def call(world: World, endpoint: Endpoint, caller: str, *, missing: bool = False, invalid: bool = False) -> Answer:
    """The endpoint as `caller` calls it ("viewer", "stranger on public", "anonymous", ...),
    on the world's private project (or the public one), or with the scope's id missing.
    A streamed body is read to its end here, so its queries count where it is called."""
    name, _, on = caller.partition(" on ")
    view = replace(world, project=world.public_project) if on == "public" else world
    if missing:
        view = replace(view, **{endpoint.scope: MISSING})
    data = endpoint.invalid if invalid else endpoint.body
    data = data(view) if callable(data) else data
    client = APIClient()
    if name != "anonymous":
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access(world.user(name).pk)}")
    path, _, query = endpoint.path.format(**view.ids()).partition("?")
    if endpoint.method == "GET":
        response = client.get(path, {**dict(parse_qsl(query)), **(data or {})})
    elif endpoint.multipart:
        response = client.generic(endpoint.method, path, encode_multipart(BOUNDARY, data or {}),
                                  content_type=MULTIPART_CONTENT)
    else:
        payload = "" if data is None else json.dumps(data)
        response = client.generic(endpoint.method, path, payload, content_type="application/json")
    return Answer(response.status_code, _read(response), response.headers)


def _read(response) -> bytes:
    """The whole body; a stream served from an async generator (the export) is read the
    way the ASGI server reads it."""
    if not response.streaming:
        return response.content
    if not response.is_async:
        return b"".join(response.streaming_content)

    async def gather() -> bytes:
        return b"".join([chunk async for chunk in response.streaming_content])

    return async_to_sync(gather)()


def database_state() -> dict[str, list[str]]:
    """Every row of every table (bar the schema's), to show a refused request wrote nothing."""
    tables = set(connection.introspection.django_table_names(only_existing=True, include_views=False))
    state = {}
    with connection.cursor() as cursor:
        for table in sorted(tables - SCHEMA_TABLES):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            state[table] = sorted(repr(row) for row in cursor.fetchall())
    return state


def assert_refused_without_a_trace(world: World, endpoint: Endpoint, caller: str, status: int, code: str,
                                   **how) -> Answer:
    before = database_state()
    answer = call(world, endpoint, caller, **how)
    assert_error(answer, status, code)
    assert database_state() == before, f"{endpoint} as {caller} was refused but changed the data"
    return answer


class WorldFixture:
    """The world the contract tests of one module act on: built once, in a transaction
    rolled back after the last of them, as Django's TestCase does for setUpTestData; each
    test runs in a savepoint of its own inside it (the `db` fixture), so every test
    starts from the same world. Building it costs about as much as ten tests."""

    @pytest.fixture(scope="class")
    @classmethod
    def world(cls, django_db_setup, django_db_blocker) -> World:
        with django_db_blocker.unblock():
            atomics = TestCase._enter_atomics()
            try:
                yield build_world()
            finally:
                TestCase._rollback_atomics(atomics)

    @pytest.fixture(autouse=True)
    def _per_test(self, world, db, empty_redis):
        """Each test in its savepoint, with Redis (scaled mode) as a fresh world has it."""


def _anonymous(self, world, endpoint, caller):
    assert_refused_without_a_trace(world, endpoint, caller, 401, "not_authenticated")


def _hidden(self, world, endpoint, caller):
    hidden = assert_refused_without_a_trace(world, endpoint, caller, 404, "not_found")
    missing = call(world, endpoint, caller, missing=True)
    assert (hidden.status_code, hidden.content) == (missing.status_code, missing.content)


def _forbidden(self, world, endpoint, caller):
    assert_refused_without_a_trace(world, endpoint, caller, 403, "forbidden")


def _invalid(self, world, endpoint):
    assert_refused_without_a_trace(world, endpoint, endpoint.allowed_callers()[0], endpoint.invalid_status,
                                   endpoint.invalid_code, invalid=True)


def _allowed(self, world, endpoint, caller, django_assert_max_num_queries):
    with django_assert_max_num_queries(endpoint.max_queries):
        answer = call(world, endpoint, caller)
    assert answer.status_code == endpoint.status, answer.content[:500]


def _rules(endpoints: tuple[Endpoint, ...]):
    """Each rule, its test's name, and the endpoints (with callers) it applies to."""
    def alone(chosen):
        return "endpoint", [pytest.param(endpoint, id=str(endpoint)) for endpoint in chosen]

    def each(pairs):
        return "endpoint,caller", [pytest.param(e, caller, id=f"{e} as {caller}") for e, caller in pairs]

    yield _anonymous, "test_an_anonymous_caller_gets_401_and_changes_nothing", each(
        (e, caller) for e in endpoints if e.allowed != "anyone" and not e.open
        for caller in ("anonymous", "anonymous on public")[:2 if e.scope == "project" else 1])
    yield _hidden, "test_a_stranger_cannot_tell_it_from_a_missing_id", each(
        (e, caller) for e in endpoints for caller in e.hidden_from)
    yield _forbidden, "test_a_caller_without_the_right_gets_403_and_changes_nothing", each(
        (e, caller) for e in endpoints for caller in e.refused_callers())
    yield _invalid, "test_an_invalid_request_is_refused_and_changes_nothing", alone(
        e for e in endpoints if e.invalid is not None)
    yield _allowed, "test_an_allowed_caller_succeeds_within_the_query_bound", each(
        (e, caller) for e in endpoints for caller in e.allowed_callers())


def contract(*endpoints: Endpoint) -> type:
    """A test class holding the rules that apply to these endpoints, each parametrized
    over them (a rule that applies to none is left out rather than skipped)."""
    namespace = {}
    for rule, name, (argnames, params) in _rules(endpoints):
        if params:
            test = FunctionType(rule.__code__, rule.__globals__, name)  # a copy of its own to carry the marks
            namespace[name] = pytest.mark.parametrize(argnames, params)(test)
    return type("TestContract", (WorldFixture,), namespace)
