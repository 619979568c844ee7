"""The spectator page at /live in headless Chromium, at phone and desktop width: it
follows a rank change made through the API without a reload and shows who moved and by
how much (also to screen readers), ticks running timers with an icon that needs no emoji
font until they overtake someone, lines the time heading up with its numbers, keeps the
chosen board in the URL, and its connection indicator tells the truth (live, offline, a
board it may not show)."""

from datetime import timedelta

import pytest

from tests.realtime.browser import SERVER_ENV, chromium, new_page
from tests.support.cast import image_bytes, log_entry, moment, new_project

pytestmark = [pytest.mark.live, pytest.mark.browser]

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
TEAM_SITE = "http://localhost:5173"  # a team page allowed to show the embedded board
OTHER_SITE = "http://localhost:5174"  # a site that is not
# The right edge of the text of an element, as laid out.
TEXT_RIGHT = "element => { const r = document.createRange(); r.selectNodeContents(element); " \
             "return r.getBoundingClientRect().right; }"


@pytest.fixture(scope="module")
def browser(server):
    with chromium() as browser:
        yield browser


def track(actor, project_id: int, length: timedelta, ago: timedelta = timedelta()) -> None:
    end = moment() - ago
    log_entry(actor, project_id, end - length, end)


def row(name: str, rank: int | None = None) -> str:
    return f'tr[data-user="{name}"]' + (f'[data-rank="{rank}"]' if rank else "")


def test_rank_changes_show_without_a_reload_on_a_phone_and_a_desktop(browser, live, public_team):
    leader, runner, chaser = public_team.owner, public_team.maintainer, public_team.contributor
    uploaded = leader.api.post("/users/me/avatar", files={"avatar": ("me.png", image_bytes(), "image/png")})
    assert uploaded.status_code == 200, uploaded.text
    track(leader, public_team.pid, timedelta(minutes=90))
    track(runner, public_team.pid, timedelta(minutes=89, seconds=58))
    track(chaser, public_team.pid, timedelta(minutes=30))

    with new_page(browser, viewport=PHONE) as (phone, phone_errors), \
            new_page(browser, viewport=DESKTOP) as (desktop, desktop_errors):
        pages = (phone, desktop)
        for page in pages:
            page.goto(f"{live.url}/live?period=all")
            page.wait_for_selector(row(chaser.username, 3))
            assert page.locator("#status").get_attribute("data-state") == "live"
            assert page.locator(f"{row(leader.username, 1)} td.score").inner_text() == "1:30:00"
            # Nothing sticks out sideways, and the heading sits over its numbers.
            assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
            heading = page.locator("#score-head").evaluate(TEXT_RIGHT)
            number = page.locator(f"{row(leader.username)} td.score").evaluate(TEXT_RIGHT)
            assert abs(heading - number) < 1
            # A picture where there is one, initials where there is none.
            picture = page.locator(f"{row(leader.username)} img.avatar")
            assert picture.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
            initials = page.locator(f"{row(chaser.username)} .initials").inner_text()
            assert len(initials) == 2 and initials[0] == chaser.username[0].upper()
            page.evaluate("window.sameDocument = true")

        # Through the API: who moved, by how much, said to screen readers too.
        track(chaser, public_team.pid, timedelta(minutes=120), ago=timedelta(minutes=120))
        for page in pages:
            page.wait_for_selector(f"{row(chaser.username, 1)} .move.up")
            assert page.locator(f"{row(chaser.username)} .move").inner_text() == "2"
            assert page.locator(f"{row(leader.username, 2)} .move.down").inner_text() == "1"
            assert f"{chaser.username} moved up 2 to rank 1." in page.locator("#announcer").inner_text()

        # A running timer ticks, with its icon, and overtakes the leader it was 2 s behind.
        assert runner.api.post("/time-entries/start", json={"project": public_team.pid}).status_code == 201
        for page in pages:
            icon = page.locator(f"{row(runner.username)}.running td.score svg.running-icon")
            icon.wait_for()
            box = icon.bounding_box()
            assert box["width"] > 0 and box["height"] > 0
            page.locator(f'#focusing li[data-user="{runner.username}"]').wait_for()
        for page in pages:
            page.wait_for_selector(f"{row(runner.username, 2)} .move.up")
            assert page.locator(f"{row(leader.username, 3)} .move.down").inner_text() == "1"
            assert f"{runner.username} moved up 1 to rank 2." in page.locator("#announcer").inner_text()
            assert page.evaluate("window.sameDocument") is True
        assert phone_errors == [] and desktop_errors == []


def test_the_chosen_board_lives_in_the_url_and_the_indicator_tells_the_truth(browser, live, public_team):
    owner = public_team.owner
    track(owner, public_team.pid, timedelta(minutes=45))
    secret = new_project(owner, visibility="private")  # a spectator may not see its board

    with new_page(browser, viewport=DESKTOP) as (page, errors):
        page.goto(f"{live.url}/live")
        page.wait_for_selector('#status[data-state="live"]')
        page.evaluate("window.sameDocument = true")

        # With the keyboard: the metric picker, one step down, is the badge board.
        page.focus('select[name="metric"]')
        page.keyboard.press("ArrowDown")
        page.wait_for_url("**/live?metric=badges&period=week")
        assert page.locator("#score-head").inner_text() == "Badges"
        assert page.locator('select[name="project"]').is_disabled()  # badge boards are global
        page.wait_for_selector('#status[data-state="live"]')

        page.select_option('select[name="metric"]', "time")
        page.select_option('select[name="period"]', "all")
        page.select_option('select[name="project"]', str(public_team.pid))
        page.wait_for_url(f"**/live?metric=time&period=all&project={public_team.pid}")
        page.wait_for_selector(row(owner.username, 1))
        assert public_team.project["name"] in page.locator("#caption").inner_text()

        page.go_back()  # the previous board, from the URL
        page.wait_for_url("**/live?metric=time&period=all")
        assert page.locator('select[name="project"]').input_value() == ""
        assert page.evaluate("window.sameDocument") is True

        page.context.set_offline(True)
        page.wait_for_selector('#status[data-state="offline"]')
        assert page.locator("#main").get_attribute("data-stale") is not None  # numbers may be old
        page.context.set_offline(False)
        page.wait_for_selector('#status[data-state="live"]')

        # A timer started before the period began counts from the period's start:
        # Sunday 23:00 to Monday 00:30 is half an hour today and this week, 90 minutes
        # this month and all time.
        ticked = page.evaluate("""async () => {
            const { liveScore } = await import("/static/focushub/client.js");
            const row = { score: 60, running_since: "2026-11-29T23:00:00Z" };
            const now = Date.parse("2026-11-30T00:30:00Z");
            return ["day", "week", "month", "all"].map((period) => liveScore(row, { metric: "time", period }, now));
        }""")
        assert ticked == [1860, 1860, 5460, 5460]

        page.goto(f"{live.url}/live?project={secret}")
        page.wait_for_selector('#status[data-state="failed"]')
        assert "cannot be shown" in page.locator("#status").inner_text()
        assert errors == []


def framing(url: str) -> str:
    """A page of another site with one frame, which notes when its document has loaded."""
    return f'<!doctype html><iframe name="board" src="{url}" onload="this.dataset.loaded = 1"></iframe>'


def framed_document(page, site: str, url: str):
    page.context.grant_permissions(["local-network-access"], origin=site)
    page.route(f"{site}/", lambda route: route.fulfill(body=framing(url), content_type="text/html"))
    page.goto(f"{site}/")
    page.wait_for_selector("iframe[data-loaded]", state="attached")
    return page.frame(name="board")


def test_the_embedded_board_shows_in_a_frame_on_an_allowed_site_only(browser, live, start_server, public_team):
    server = start_server(EMBED_FRAME_ANCESTORS=TEAM_SITE, **SERVER_ENV)
    owner = public_team.owner
    track(owner, public_team.pid, timedelta(minutes=45))
    embed = f"{server.url}/live/embed?period=all&project={public_team.pid}"

    with new_page(browser, viewport=DESKTOP) as (page, errors):
        refusals: list[str] = []
        page.on("console", lambda message: refusals.append(message.text) if "frame" in message.text else None)

        board = framed_document(page, TEAM_SITE, embed)
        board.locator(row(owner.username, 1)).wait_for()
        assert board.locator("#caption").inner_text() == f"Time tracked · All time · {public_team.project['name']}"
        assert board.locator(f"{row(owner.username)} td.score").inner_text() == "0:45:00"
        assert board.locator("#status").get_attribute("data-state") == "live"

        # The same site may not frame the full page, and another site not even the board.
        assert framed_document(page, TEAM_SITE, f"{server.url}/live").locator("#rows").count() == 0
        assert framed_document(page, OTHER_SITE, embed).locator("#rows").count() == 0
        assert any("X-Frame-Options" in text for text in refusals)
        assert any(f"frame-ancestors {TEAM_SITE}" in text for text in refusals)
        assert errors == []
