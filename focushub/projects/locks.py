"""Row locks on projects, and the one lock order every writer follows.

Lock order (PostgreSQL; SQLite serialises writers with IMMEDIATE transactions):
  1. user rows (`SELECT ... FOR UPDATE`, ascending id when there are several): every
     user the transaction writes rows for, the actor included,
  2. project rows: KEY SHARE for anything that adds or changes rows pointing at a project
     (entries, rollups, members, events), FOR UPDATE only to delete the project,
  3. everything else (entries, rollups, then board scores, then the event writer lock).

Why: rows pointing at a project take a KEY SHARE lock on it when their (deferred) foreign
key is checked at COMMIT. A deletion that held the project and then waited for a user
row could otherwise deadlock with a timer stop that held the user row and waited, at
commit, for the project. Taking the project lock explicitly, right after the user lock
and before any write, makes the order the same for everyone. KEY SHARE does not conflict
with itself or with ordinary updates of the project row (PATCH), only with its deletion.
The same holds for users: a row pointing at a user (an event's actor, a membership)
takes KEY SHARE on that user at COMMIT, which waits for whoever holds the user's lock;
so a transaction first locks every user it writes about, and never waits for a user
lock while holding anything else.
"""

from django.db import connection

from focushub.accounts.models import User
from focushub.projects.models import Project

_CHUNK = 5000


def users_lock(user_ids) -> dict[int, User]:
    """Lock the given users in ascending id order (in chunks, still ascending, so long
    lists stay within every database's parameter limit); returns those that exist."""
    ids = sorted({pk for pk in user_ids if pk is not None})
    locked: dict[int, User] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        locked.update((u.pk, u) for u in User.objects.select_for_update().filter(pk__in=chunk).order_by("pk"))
    return locked


def projects_lock_shared(project_ids) -> set[int]:
    """Hold the given projects against deletion until commit; returns the ids that still
    exist (a project deleted meanwhile is simply missing)."""
    ids = sorted({int(pk) for pk in project_ids if pk is not None})
    if not ids:
        return set()
    if connection.vendor != "postgresql":
        return set(Project.objects.filter(pk__in=ids).values_list("pk", flat=True))
    placeholders = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {Project._meta.db_table} WHERE id IN ({placeholders}) ORDER BY id FOR KEY SHARE",
            ids,
        )
        return {row[0] for row in cursor.fetchall()}


def project_lock_for_delete(project_id: int) -> Project | None:
    """Exclusive lock for deleting a project; take every user lock you need first."""
    return Project.objects.select_for_update().filter(pk=project_id).first()


def project_lock_for_update(project_id: int) -> Project | None:
    """Serialise edits of one project (and ownership transfers) without blocking trackers."""
    return (
        Project.objects.select_related("owner")
        .select_for_update(no_key=True, of=("self",))
        .filter(pk=project_id)
        .first()
    )
