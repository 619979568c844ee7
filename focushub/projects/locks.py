"""The one lock order every writer follows, and the only functions that take user and
project row locks (docs/concurrency.md).

Lock order (PostgreSQL; SQLite serialises writers with IMMEDIATE transactions):
  1. user rows, FOR NO KEY UPDATE, ascending id, in ONE call of users_lock: every user
     whose time, scores or badges the transaction changes;
  2. project rows: KEY SHARE for anything that adds or changes rows pointing at a project
     (entries, rollups, members, events), NO KEY UPDATE to edit it, FOR UPDATE only to
     delete it;
  3. everything else (entries, rollups, members, board scores, tokens), and the event
     rows, which take no lock anyone waits for.
There is no global lock: event writers run in parallel and the reader orders them
(focushub/timeline/log.py).

Why this cannot deadlock:
- User locks are NO KEY UPDATE, which does not conflict with the KEY SHARE that a foreign
  key check takes on the user it points at (an event's actor, a membership): a row that
  merely points at a user never waits for that user's lock.
- Foreign keys are checked at the INSERT, not at COMMIT (@service runs SET CONSTRAINTS
  ALL IMMEDIATE), so the KEY SHARE on a project is taken where the service takes it,
  after its user locks, never after everything else.
- Every transaction takes its user locks first, in one ascending batch, and never asks
  for another user lock after any other lock: the ledger of @service refuses it
  (LockOrderError). A later call may only re-lock users it already holds (a nested
  service).
- Projects come second; only a deletion takes FOR UPDATE, after locking every user with
  time on the project, so a tracker holding a user lock never waits for a deleter that
  waits for that user.
"""

from django.db import connection

from focushub.accounts.models import User
from focushub.projects.models import Project
from focushub.transactions import LockOrderError, current_ledger

_CHUNK = 5000


def users_lock(user_ids) -> dict[int, User]:
    """Lock the given users in ascending id order (in chunks, still ascending, so long
    lists stay within every database's parameter limit); returns those that exist.
    The first lock of a transaction; afterwards only users already held may be named."""
    ids = sorted({pk for pk in user_ids if pk is not None})
    ledger = current_ledger()
    if (ledger.users or ledger.beyond_users) and not set(ids) <= ledger.users:
        raise LockOrderError(f"users {sorted(set(ids) - ledger.users)} locked after other row locks")
    locked: dict[int, User] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        rows = User.objects.select_for_update(no_key=True).filter(pk__in=chunk).order_by("pk")
        locked.update((u.pk, u) for u in rows)
    ledger.users.update(ids)
    return locked


def user_lock(user_id: int) -> User | None:
    """users_lock for one user; None if there is no such user."""
    return users_lock([user_id]).get(user_id)


def projects_lock_shared(project_ids) -> set[int]:
    """Hold the given projects against deletion until commit; returns the ids that still
    exist (a project deleted meanwhile is simply missing)."""
    ids = sorted({int(pk) for pk in project_ids if pk is not None})
    current_ledger().beyond_users = True
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
    current_ledger().beyond_users = True
    return Project.objects.select_for_update().filter(pk=project_id).first()


def project_lock_for_update(project_id: int) -> Project | None:
    """Serialise edits of one project (and ownership transfers) without blocking trackers."""
    current_ledger().beyond_users = True
    return (
        Project.objects.select_related("owner")
        .select_for_update(no_key=True, of=("self",))
        .filter(pk=project_id)
        .first()
    )
