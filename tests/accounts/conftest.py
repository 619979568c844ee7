"""Fixtures for account tests: extra daphne processes with their own settings (low
throttle rates, a Cloudinary URL) and a local stand-in for Cloudinary's upload API."""

import pytest

from tests.accounts.cloudinary_stub import CloudinaryStub
from tests.conftest import LOG_DIR
from tests.support.processes import Daphne


@pytest.fixture
def start_server(live):
    """Start another daphne on the same test database with some env overridden; it gets a
    fresh local cache, so throttle counts start at zero. Stopped after the test."""
    started: list[Daphne] = []

    def start(**env: str) -> Daphne:
        proc = Daphne(LOG_DIR, **env)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.stop()


@pytest.fixture
def cloudinary_stub():
    stub = CloudinaryStub()
    yield stub
    stub.stop()
