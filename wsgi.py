"""The WSGI entry point: FocusHub's HTTP API and pages under gunicorn (serve.py starts it
when HTTP_WORKERS > 0; docs/deploy.md, "HTTP workers").

The same Django serves here as under daphne (asgi.py), minus websockets: a synchronous
worker skips the ASGI path every request pays under daphne (an event loop hop and a
thread hand-off each way), several times the requests per core (bench/README.md). Commits
made here reach every socket as a django-q2 worker's do: the doorbell rings the Channels
layer (realtime/doorbell.py), and the relays poll the event log besides.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "focushub.settings")
# This process serves requests: its database connections are pooled (focushub/settings.py).
os.environ["FOCUSHUB_WEB_PROCESS"] = "1"

from django.core.wsgi import get_wsgi_application

django_wsgi_app = get_wsgi_application()

from api.chunked import ChunkedBodyWSGI  # noqa: E402
from api.proxy import ForwardedForWSGI  # noqa: E402

application = ForwardedForWSGI(ChunkedBodyWSGI(django_wsgi_app))
