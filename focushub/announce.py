"""How the domain says "this was committed" without knowing who listens.

Services call `after_commit(...)` inside their transaction; once it commits, every
registered listener gets the message. The doors register their listeners at startup
(realtime.apps.RealtimeConfig.ready hooks the realtime doorbell up), so the domain never
imports a door (enforced by import-linter, see pyproject.toml).

Messages are small dicts with a `type`:
- {"type": "events"}: new timeline events were committed;
- {"type": "board"}: a leaderboard changed;
- {"type": "access", "user": id, "families": [uuid, ...] | None, "project": id | None}:
  a user's sockets must be re-checked (a refresh-token family revoked, the account
  deactivated or its password changed, access to a project lost). `families` None means
  every session of the user; `project` names the one project they lost.

A listener must not raise into the committing code and must be quick: it only rings.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)

Listener = Callable[[dict[str, Any]], None]
_listeners: list[Listener] = []


def listen(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def announce(message: dict[str, Any]) -> None:
    """Tell every listener now (call it only for what is already committed)."""
    for listener in list(_listeners):
        try:
            listener(message)
        except Exception:
            logger.warning("announce: a listener failed for %s", message.get("type"), exc_info=True)


def after_commit(message: dict[str, Any]) -> None:
    """Announce `message` once the current transaction commits (never if it rolls back)."""
    transaction.on_commit(lambda: announce(message))
