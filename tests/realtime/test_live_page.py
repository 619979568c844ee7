"""The spectator page at /live in headless Chromium (Debian's, never a downloaded one):
it shows the board, ticks running timers, and follows a rank change made through the API
without a reload."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import sync_playwright

pytestmark = [pytest.mark.live, pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def track(actor, project_id: int, minutes: int, ago_minutes: int = 0) -> None:
    end = timezone.now().replace(microsecond=0) - timedelta(minutes=ago_minutes)
    response = actor.api.post("/time-entries", json={
        "project": project_id, "start_time": (end - timedelta(minutes=minutes)).isoformat(),
        "end_time": end.isoformat()})
    assert response.status_code == 201, response.text


def test_the_live_page_follows_a_rank_change_without_a_reload(live, public_team):
    leader, chaser = public_team.owner, public_team.contributor
    track(leader, public_team.pid, 90)
    track(chaser, public_team.pid, 30)

    # Rows are made above, before Playwright runs its event loop in this thread.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{live.url}/live?period=all")
            page.wait_for_selector(f'tr[data-user="{leader.username}"][data-rank="1"]', timeout=5000)
            assert page.locator("#status").get_attribute("data-state") == "live"
            assert page.locator(f'tr[data-user="{chaser.username}"]').get_attribute("data-rank") == "2"
            assert page.locator(f'tr[data-user="{leader.username}"] td.score').inner_text() == "1:30:00"

            page.evaluate("window.__sameDocument = true")
            track(chaser, public_team.pid, 120, ago_minutes=120)
            page.wait_for_selector(f'tr[data-user="{chaser.username}"][data-rank="1"]', timeout=3000)
            assert page.locator(f'tr[data-user="{leader.username}"]').get_attribute("data-rank") == "2"

            chaser.api.post("/time-entries/start", json={"project": public_team.pid})
            row = page.locator(f'tr[data-user="{chaser.username}"].running td.score')
            row.wait_for(timeout=3000)
            first_reading = row.inner_text()
            page.wait_for_function(
                "([sel, before]) => document.querySelector(sel).textContent !== before",
                arg=[f'tr[data-user="{chaser.username}"] td.score', first_reading], timeout=4000,
            )
            assert page.evaluate("window.__sameDocument") is True  # never reloaded
            assert errors == []
        finally:
            browser.close()


def test_the_live_page_reconnects_by_itself(live, start_server, public_team):
    server = start_server()
    track(public_team.owner, public_team.pid, 10)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{server.url}/live?period=all")
            page.wait_for_selector('#status[data-state="live"]', timeout=5000)
            server.kill()
            page.wait_for_selector('#status[data-state="reconnecting"]', timeout=5000)
            restarted = start_server(port=server.port)
            track(public_team.maintainer, public_team.pid, 20)
            page.wait_for_selector(f'tr[data-user="{public_team.maintainer.username}"][data-rank="1"]', timeout=15000)
            assert page.url == f"{restarted.url}/live?period=all"
        finally:
            browser.close()
