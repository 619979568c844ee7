"""/asyncapi.json describes the sockets exactly: the AsyncAPI Initiative's parser accepts
it, its channels are the paths the server routes, and every frame any test client
receives is checked against the message schemas it is built from
(tests/support/clients.py, realtime/protocol.py)."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import requests

from realtime.protocol import CHANNELS, CLIENT_MESSAGES, SERVER_MESSAGES
from realtime.routing import websocket_urlpatterns

pytestmark = pytest.mark.live
CHECKER = Path(__file__).parent / "asyncapi"


@pytest.mark.skipif(shutil.which("node") is None, reason="the AsyncAPI parser needs Node.js (bin/test installs it)")
def test_the_asyncapi_parser_accepts_the_served_document(live):
    if not (CHECKER / "node_modules" / "@asyncapi" / "parser").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=CHECKER, check=True, capture_output=True)
    body = requests.get(f"{live.url}/asyncapi.json", timeout=10)
    assert body.status_code == 200 and body.headers["Content-Type"] == "application/json"
    checked = subprocess.run(["node", "validate.mjs"], cwd=CHECKER, input=body.content, capture_output=True,
                             timeout=120)
    report = json.loads(checked.stdout)
    errors = [d for d in report["diagnostics"] if d["severity"] == 0]
    assert checked.returncode == 0 and report["valid"], errors[:10]


def test_the_document_names_every_routed_path_and_message(live):
    document = requests.get(f"{live.url}/asyncapi.json", timeout=10).json()
    assert document["asyncapi"].startswith("3.")
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert addresses == {address for address, _, _ in CHANNELS.values()}
    routes = [route.pattern.regex for route in websocket_urlpatterns if route.pattern.regex.pattern]  # no catch-all
    concrete = [address.replace("{project_id}", "12").lstrip("/") for address in addresses]
    assert all(any(route.match(path) for route in routes) for path in concrete)
    assert all(any(route.match(path) for path in concrete) for route in routes)
    names = {message["name"] for message in document["components"]["messages"].values()}
    assert names == set(SERVER_MESSAGES) | set(CLIENT_MESSAGES)
