"""The JavaScript client (realtime/static/focushub/client.js) in headless Chromium, used
by a small frontend (tests/realtime/client_app.html) the way docs/realtime.md tells a
frontend to: from another origin, every event reaches it exactly once through a frozen
and restarted daphne and access tokens expiring mid-stream; timer requests answer as
promises and a project's presence follows them; it goes offline and back, resumes from a
stored cursor after a reload, and hears when the server's log went back."""

import os
import signal
from pathlib import Path

import pytest

from tests.realtime.browser import SERVER_ENV, chromium, new_page
from tests.support.cast import STRONG_PASSWORD, new_project
from tests.support.clients import Api

pytestmark = [pytest.mark.live, pytest.mark.browser]

APP = (Path(__file__).parent / "client_app.html").read_text()
# Vite's development origin: a frontend served apart from the API, as teams build it.
FRONTEND_ORIGIN = "http://localhost:5173"
# Short steps, so a test waits for the reconnect it causes and not for production pauses.
QUICK = {"backoff": {"initial": 200, "max": 1000}, "heartbeat": {"interval": 500, "timeout": 1000}}


@pytest.fixture(scope="module")
def browser(server):
    with chromium() as browser:
        yield browser


@pytest.fixture
def frontend(browser):
    """open(origin) -> the frontend's page served at `origin`, and the errors it throws."""
    with new_page(browser) as (page, errors):

        def open_(origin: str):
            # The page comes from the test, not from a loopback server, so Chromium asks a
            # person before it may reach one; granted, as the developer would.
            page.context.grant_permissions(["local-network-access"], origin=origin)
            page.route(f"{origin}/app", lambda route: route.fulfill(body=APP, content_type="text/html"))
            page.goto(f"{origin}/app")
            return page, errors

        yield open_


def sign_in(actor, server) -> str:
    """A new sign-in's refresh token: what a frontend keeps (and rotates) for its session."""
    login = Api(server.url).post("/auth/login", json={"login": actor.username, "password": STRONG_PASSWORD})
    assert login.status_code == 200, login.text
    return login.json()["refresh"]


def start_app(page, server, refresh: str | None = None, **options) -> None:
    """Start the frontend's stream: signed in with `refresh`, or with the session it kept."""
    page.wait_for_function("window.app !== undefined")
    given = {"refresh": refresh} if refresh else {}
    page.evaluate("options => app.start(options)", {"server": server.url, **given, **options})
    page.wait_for_selector('#state[data-state="live"]')


def work(actor, project_id: int) -> None:
    """Start and stop a timer through REST: two events on the person's timeline."""
    assert actor.api.post("/time-entries/start", json={"project": project_id}).status_code == 201
    assert actor.api.post("/time-entries/stop").status_code == 200


def timeline_ids(actor, after: int) -> list[int]:
    """The ids GET /timeline shows the person, after `after`, oldest first."""
    ids, url = [], "/timeline?limit=100"
    while url:
        page = actor.api.get(url).json()
        ids += [event["id"] for event in page["results"]]
        url = page["next"] and page["next"].removeprefix(actor.api.base_url)
    return sorted(i for i in ids if i > after)


def lists_exactly(page, actor, after: int) -> list[int]:
    """Wait until the frontend lists the newest event GET /timeline shows `actor` after
    `after`; then its list must be exactly those events, each once, oldest first."""
    expected = timeline_ids(actor, after)
    page.wait_for_selector(f'#events li[data-id="{expected[-1]}"]', state="attached")
    assert page.evaluate("app.ids()") == expected
    return expected


def test_every_event_arrives_once_through_a_frozen_and_restarted_server_and_expiring_tokens(
        frontend, live, start_server, person):
    server_env = {"ACCESS_TOKEN_TTL": "3", "CORS_ALLOWED_ORIGINS": FRONTEND_ORIGIN, **SERVER_ENV}
    server = start_server(**server_env)
    page, errors = frontend(FRONTEND_ORIGIN)
    alice = person(password=STRONG_PASSWORD)
    project = new_project(alice)
    start_app(page, server, sign_in(alice, live), **QUICK)
    work(alice, project)

    # The 3-second access token runs out under the open stream: the server closes with
    # 4401 token_expired, the app is asked for a new token, the stream goes on.
    page.wait_for_function("app.tokenRequests.includes('token_expired') && app.states.at(-1) === 'live'")
    work(alice, project)

    # A server that hangs sends no close: only the heartbeat notices.
    os.kill(server.proc.pid, signal.SIGSTOP)
    page.wait_for_selector('#state[data-state="reconnecting"]')
    work(alice, project)  # committed through the session's server while this one hangs
    server.kill()
    start_server(port=server.port, **server_env)
    page.wait_for_function("app.states.at(-1) === 'live' && app.states.includes('reconnecting')")
    work(alice, project)

    assert len(lists_exactly(page, alice, after=page.evaluate("app.firstHello"))) >= 8
    assert errors == []


def test_timer_requests_answer_as_promises_and_offline_is_told(frontend, live, person):
    page, errors = frontend(live.url)
    alice = person(password=STRONG_PASSWORD)
    first, second = new_project(alice), new_project(alice)
    start_app(page, live, sign_in(alice, live))
    page.evaluate("project => app.watch(project)", first)  # /ws/projects/{id}: who is tracking there
    page.wait_for_selector(f'#tracking[data-project="{first}"]', state="attached")

    started = page.evaluate("project => app.me.startTimer(project, 'drafting')", first)
    assert started["entry"]["project"]["id"] == first and started["entry"]["description"] == "drafting"
    assert started["stopped"] is None
    page.wait_for_selector(f'#tracking li[data-user="{alice.username}"]', state="attached")
    switched = page.evaluate("project => app.me.startTimer(project)", second)
    assert switched["stopped"]["id"] == started["entry"]["id"]
    page.wait_for_selector(f'#tracking li[data-user="{alice.username}"]', state="detached")
    stopped = page.evaluate("app.me.stopTimer()")
    assert stopped["entry"]["id"] == switched["entry"]["id"] and stopped["entry"]["end_time"] is not None

    refusal = "request => app.me[request]().then(() => null, error => [error.name, error.code])"
    assert page.evaluate(refusal, "stopTimer") == ["FocusHubError", "no_running_timer"]
    unknown = page.evaluate("app.me.startTimer(987654321).then(() => null, error => error.code)")
    assert unknown == "not_found"

    page.context.set_offline(True)
    page.wait_for_selector('#state[data-state="offline"]')
    assert page.evaluate(refusal, "stopTimer") == ["FocusHubError", "not_connected"]
    work(alice, first)  # from another device while this one is offline
    page.context.set_offline(False)
    page.wait_for_selector('#state[data-state="live"]')

    listed = lists_exactly(page, alice, after=page.evaluate("app.firstHello"))
    assert len(listed) >= 5  # the three timer requests and the two REST calls, at least
    assert errors == []


def test_a_reloaded_page_resumes_from_its_stored_cursor_and_hears_of_a_reset_log(frontend, live, person):
    page, errors = frontend(live.url)
    alice = person(password=STRONG_PASSWORD)
    project = new_project(alice)
    start_app(page, live, sign_in(alice, live))
    work(alice, project)
    seen = lists_exactly(page, alice, after=page.evaluate("app.firstHello"))

    # Closed for a while: what happened meanwhile is all the reloaded page lists.
    page.goto("about:blank")
    work(alice, project)
    page.goto(f"{live.url}/app")
    start_app(page, live)
    missed = lists_exactly(page, alice, after=seen[-1])

    # A cursor from before a database restore points past the log's end: the client says
    # so once, and the events after the reset are still handed over.
    page.evaluate("localStorage.setItem('cursor', String(10 ** 12))")
    page.reload()
    start_app(page, live)
    resets = page.evaluate("app.resets")
    assert len(resets) == 1 and resets[0]["since"] == 10**12 and resets[0]["lastEventId"] >= missed[-1]
    work(alice, project)
    lists_exactly(page, alice, after=missed[-1])
    assert errors == []
