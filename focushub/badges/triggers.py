"""Queue a badge check once a change is committed (SPEC §5: evaluated by a django-q2 task
after each time-entry change). `robust`: the change is already saved, so a queue that
cannot be reached (Redis down) is logged rather than turned into a 500 for a request that
succeeded; the badge is then checked with the user's next change."""

from django.db import transaction
from django_q.tasks import async_task


def badges_check_after_commit(user_id: int, entry_id: int | None = None) -> None:
    transaction.on_commit(lambda: async_task("workers.tasks.badges_evaluate", user_id, entry_id), robust=True)
