"""The ASGI entry point daphne serves: HTTP through Django, websockets through realtime/."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "focushub.settings")

from django.core.asgi import get_asgi_application

django_asgi_app = get_asgi_application()

from realtime.routing import build_application  # noqa: E402

application = build_application(django_asgi_app)
