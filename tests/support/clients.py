"""Clients that speak to a live server the way a user's program would."""

import functools
import json
from dataclasses import dataclass, field

import requests
from jsonschema import Draft202012Validator, FormatChecker
from websockets.sync.client import connect

from realtime.protocol import server_schema_for


class Api:
    """A `requests` session bound to a base URL, optionally with a bearer token."""

    def __init__(self, base_url: str, token: str | None = None):
        self.base_url = base_url
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 15)
        return self.session.request(method, self.base_url + path, **kwargs)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, json=None, **kw):
        return self.request("POST", path, json=json, **kw)

    def patch(self, path, json=None, **kw):
        return self.request("PATCH", path, json=json, **kw)

    def put(self, path, json=None, **kw):
        return self.request("PUT", path, json=json, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


@dataclass
class Actor:
    """A signed-in person in a test: their user row, an access token and an Api."""

    user: object
    token: str
    api: Api
    password: str | None = None  # set when they can also sign in with a password
    extra: dict = field(default_factory=dict)

    @property
    def id(self) -> int:
        return self.user.pk

    @property
    def username(self) -> str:
        return self.user.username


_FORMATS = FormatChecker(["date-time"])


@functools.cache
def _validators(message_type: str) -> list[Draft202012Validator]:
    return [Draft202012Validator(schema, format_checker=_FORMATS)
            for schema in server_schema_for({"type": message_type})]


def assert_declared(message: dict) -> None:
    validators = _validators(str(message.get("type")))
    assert validators, f"a server message of undeclared type: {str(message)[:300]}"
    problems = [list(validator.iter_errors(message)) for validator in validators]
    assert any(not found for found in problems), (
        f"{message.get('type')} breaks its declaration in realtime/protocol.py: "
        f"{[error.message[:200] for error in min(problems, key=len)][:5]}"
    )


class Socket:
    """A real websocket client with JSON helpers."""

    def __init__(self, url: str, **kwargs):
        kwargs.setdefault("open_timeout", 10)
        self._connection = connect(url, **kwargs)
        self.ws = self._connection.__enter__()

    def send(self, message: dict) -> None:
        self.ws.send(json.dumps(message))

    def send_raw(self, data) -> None:
        self.ws.send(data)

    def recv(self, timeout: float = 5) -> dict:
        """The next message, checked against the protocol's declaration (what
        /asyncapi.json publishes): a frame the document does not describe fails the test."""
        message = json.loads(self.ws.recv(timeout=timeout))
        assert_declared(message)
        return message

    def recv_until(self, predicate, timeout: float = 5) -> dict:
        """Skip messages until one matches (e.g. lambda m: m["type"] == "timer.started")."""
        import time

        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no matching message")
            message = self.recv(timeout=remaining)
            if predicate(message):
                return message

    def close(self) -> None:
        self._connection.__exit__(None, None, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
