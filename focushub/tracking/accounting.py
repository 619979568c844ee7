"""The one step every change to time entries ends with, whichever service made it: the
tracking services (start, stop, create, edit, delete, auto-stop) and project deletion.

`entries_changed` keeps rollups, credit and boards exact for a batch of (before, after)
pairs of one user, in the caller's transaction and under the caller's lock on that user.
`entry_changed` adds what a single change also owes the user: its timeline event, and a
badge check queued for after the commit. A service that writes entries without them
leaves totals wrong; tests/fair_play/test_exactness.py compares every total with a
from-scratch computation after each step of random sequences.
"""

from collections.abc import Iterable

from focushub.accounts.models import User
from focushub.badges.triggers import badges_check_after_commit
from focushub.leaderboards.services import scores_add_time
from focushub.timeline.services import event_record
from focushub.tracking import credit, rollups
from focushub.tracking.models import TimeEntry
from focushub.tracking.presenters import entry_data

Change = tuple[TimeEntry | None, TimeEntry | None]


def _counted_facts(entry: TimeEntry | None) -> tuple | None:
    if entry is None:
        return None
    return (entry.project_id, entry.start_time, entry.end_time, entry.source, entry.placed_at)


def entries_changed(user: User, changes: Iterable[Change]) -> None:
    """Keep rollups, credit and leaderboards exact for these changes of `user`'s entries
    (None before: created; None after: deleted). Tracked time goes into the rollups
    first; then the credit of every day the entries touched, before and after, is
    recomputed (focushub.tracking.credit) against what the rollup rows held, and boards
    move by what the credit moved; rows left empty go last. Rollups before board scores:
    the order every writer keeps."""
    counted = [(before, after) for before, after in changes if _counted_facts(before) != _counted_facts(after)]
    if not counted:
        return  # only descriptions changed: nothing any total counts
    touched = {key for before, after in counted for entry in (before, after) for key in rollups.contribution(entry)}
    if not touched:
        return  # a timer started: a running entry counts nowhere until it stops
    deltas = rollups.diff(counted)
    rollups.rollups_apply(user_id=user.pk, changes=deltas)
    overall, by_project = credit.credit_refresh(
        user_id=user.pk, days={day for _, day in touched}, project_ids={project_id for project_id, _ in touched}
    )
    rollups.rollups_prune(user_id=user.pk, changes=deltas)
    scores_add_time(user=user, overall=overall, by_project=by_project)


def entry_changed(
    user: User, before: TimeEntry | None, after: TimeEntry | None, *, kind: str, payload: dict | None = None
) -> None:
    """Account for one change, record its event (`payload` defaults to the entry as it
    is now, or as it was when deleted) and queue the user's badge check."""
    entries_changed(user, [(before, after)])
    entry = after if after is not None else before
    event_record(actor_id=user.pk, kind=kind, project=entry.project, payload=payload or {"entry": entry_data(entry)})
    badges_check_after_commit(user.pk, after.pk if after is not None else None)
