"""Closing or narrowing one user's sockets when their access changes (docs/realtime.md,
"Access changes").

The domain announces {"type": "access", "user", "families", "project"} after the commit
that revoked a session, deactivated an account or removed someone from a project; the
doorbell carries it to the relay of every process, which calls `apply` on its own
sockets:
- a revoked session (`families`): the user's sockets opened with an access token of one
  of those families close with 4401 `token_revoked`;
- every session (`families` None, no project): all the user's sockets close with 4401;
- a lost project (`project`): the user's sockets watching that project are checked
  again and close with 4404 if it is no longer visible to them (a private project they
  left; a public one stays watchable).
The access token's expiry (ACCESS_TOKEN_TTL) stays the backstop if a message is lost.
"""

import logging
from typing import Any

from channels.db import database_sync_to_async

from focushub.accounts.tokens import TokenInvalid
from focushub.errors import NotFound
from focushub.projects.selectors import project_visible
from realtime.registry import Registry

logger = logging.getLogger(__name__)


def _still_sees(user_id: int, project_id: int) -> bool:
    try:
        project_visible(user_id=user_id, project_id=project_id)
    except NotFound:
        return False
    return True


async def apply(registry: Registry, message: dict[str, Any]) -> None:
    user_id, families, project_id = message.get("user"), message.get("families"), message.get("project")
    if not isinstance(user_id, int):
        return
    sockets = registry.signed_in(user_id)
    if not sockets:
        return
    if project_id is not None:
        watching = [s for s in sockets if s.project_id == project_id]
        if watching and not await database_sync_to_async(_still_sees)(user_id, project_id):
            for socket in watching:
                await socket.refuse(NotFound())
        return
    if families is None:
        revoked = sockets
    else:
        names = set(families)
        revoked = [s for s in sockets if s.family is not None and str(s.family) in names]
    for socket in revoked:
        await socket.refuse(TokenInvalid("This session has been signed out.", code="token_revoked"))
    if revoked:
        logger.info("realtime: closed %d socket(s) of user %s after an access change", len(revoked), user_id)
