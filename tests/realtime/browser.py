"""Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven through
Playwright (never a downloaded browser), one browser per test module, one context per
test."""

import os
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
# Daphne processes a browser test starts must not inherit the allowance made below.
SERVER_ENV = {ASYNC_UNSAFE: ""}


@contextmanager
def chromium() -> Iterator[Browser]:
    """A browser for a whole module. Playwright's sync API leaves its event loop marked as
    running in this thread between calls, and Django then refuses the ORM calls of the
    test's fixtures and teardown (SynchronousOnlyOperation). That loop is parked while
    the test's own code runs, so the ORM blocks nothing: allow it while the browser is up
    (servers started meanwhile take SERVER_ENV and keep Django's check)."""
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            del os.environ[ASYNC_UNSAFE]
        else:
            os.environ[ASYNC_UNSAFE] = previous


@contextmanager
def new_page(browser: Browser, **context_options) -> Iterator[tuple[Page, list[str]]]:
    """A page in a fresh context (its own storage), and the errors it throws."""
    context = browser.new_context(**context_options)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)  # what a test waits for comes in seconds or not at all
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        yield page, errors
    finally:
        context.close()
