"""Fixtures for the websocket tests: a socket opener that closes what it opened."""

from contextlib import suppress

import pytest

from tests.realtime.streams import stream_url
from tests.support.clients import Socket


@pytest.fixture
def connect(live):
    """connect("/ws/me", token=..., since=..., server=other_daphne, origin=..., subprotocols=[...])"""
    opened: list[Socket] = []

    def open_(path: str, *, token: str | None = None, server=None, **params) -> Socket:
        socket_kwargs = {k: params.pop(k) for k in ("origin", "subprotocols", "additional_headers") if k in params}
        socket = Socket(stream_url(server or live, path, token=token, **params), **socket_kwargs)
        opened.append(socket)
        return socket

    yield open_
    for socket in opened:
        with suppress(Exception):
            socket.close()
