"""Task failures reach Sentry with the task they came from.

django-q2 catches whatever a task raises (to record the failure and retry it), so
Sentry's Django integration never sees it. django-q2 calls the error reporters named in
Q_CLUSTER["error_reporter"] from inside its `except`; this one is registered under the
entry point `djangoq.errorreporters: focushub_sentry` (pyproject.toml; django-q2 itself
names "sentry" for a plugin we do not install) and settings enable it
when SENTRY_DSN is set. The `pre_execute` receiver puts the task's name, id and
arguments on the worker's scope before each task runs, so the event says which task
failed and on what; the arguments are ids, never secrets (workers/tasks.py).
"""

from typing import Any

import sentry_sdk


class SentryReporter:
    """The reporter django-q2 instantiates with the configured options (none needed)."""

    def __init__(self, **options: Any) -> None:
        """django-q2 passes the configured options; Sentry is set up by settings."""

    def report(self) -> None:
        sentry_sdk.capture_exception()


def describe_task(sender: str, func: Any, task: dict[str, Any], **kwargs: Any) -> None:
    """pre_execute receiver: the context of the task about to run."""
    name = func if isinstance(func, str) else f"{func.__module__}.{func.__qualname__}"
    scope = sentry_sdk.get_isolation_scope()
    scope.set_tag("task", name)
    scope.set_context("task", {"name": name, "id": task.get("id"), "args": task.get("args"),
                               "kwargs": task.get("kwargs"), "attempt": task.get("attempt_count")})
