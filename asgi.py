"""The ASGI entry point daphne serves: HTTP through Django (chunked bodies made ordinary
first: api/chunked.py), websockets through realtime/; the client's address behind a
trusted proxy taken from X-Forwarded-For (api/proxy.py)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "focushub.settings")
# This process serves requests: its database connections are pooled (focushub/settings.py).
os.environ["FOCUSHUB_WEB_PROCESS"] = "1"

from django.core.asgi import get_asgi_application

django_asgi_app = get_asgi_application()

from api import wire as http_wire  # noqa: E402
from api.chunked import ChunkedBody  # noqa: E402
from api.proxy import ForwardedFor  # noqa: E402
from realtime import wire as websocket_wire  # noqa: E402
from realtime.routing import build_application  # noqa: E402

# How daphne itself answers what it cannot hand to the application (api/wire.py,
# realtime/wire.py): in the contract's shape, with a close code.
http_wire.install()
websocket_wire.install()
application = ForwardedFor(build_application(ChunkedBody(django_asgi_app)))
