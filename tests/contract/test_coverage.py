"""Every operation the REST API serves has its contract declared in this package: a new
endpoint without one fails here, naming it, until its module lists it."""

import importlib
import pkgutil

from django.urls import URLPattern, URLResolver, resolve

import tests.contract
from api.urls import urlpatterns
from tests.support.contract import MISSING

METHODS = ("get", "post", "put", "patch", "delete")
SAMPLE_IDS = {"project": MISSING, "member": MISSING, "entry": MISSING, "badge": MISSING, "username": "someone"}


def _served(patterns) -> set[tuple[str, str]]:
    """(view, method) of every operation under these URL patterns."""
    found = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found |= _served(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            view = pattern.callback.view_class
            found |= {(view.__qualname__, method.upper()) for method in METHODS if hasattr(view, method)}
    return found


def _declared() -> set[tuple[str, str]]:
    found = set()
    for module in pkgutil.iter_modules(tests.contract.__path__):
        for endpoint in getattr(importlib.import_module(f"tests.contract.{module.name}"), "ENDPOINTS", ()):
            view = resolve(endpoint.path.format(**SAMPLE_IDS).partition("?")[0]).func.view_class
            found.add((view.__qualname__, endpoint.method))
    return found


def test_every_served_operation_has_a_declared_contract():
    declared = _declared()
    assert _served(urlpatterns) - declared == set()
    assert declared <= _served(urlpatterns)
