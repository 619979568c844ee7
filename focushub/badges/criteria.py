"""Badge criteria (docs/gamification.md): JSON objects with a `type` and that type's parameters.

Every write of a badge passes through `validate_criteria`, so a stored criteria object is
always one of the shapes below; `evaluate` turns one into (current value, target) from a
user's stats (focushub.badges.stats), which is both the award test (current >= target)
and the progress shown in the catalog.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from focushub.errors import ValidationFailed

MAX_NUMBER = 10**9  # ~31 years of seconds; keeps targets inside every integer column
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # "number" (positive integer) or "time" ("HH:MM", 24 h)


@dataclass(frozen=True)
class CriteriaType:
    name: str
    param: Param
    evaluate: Callable  # (stats, value) -> (current, target)
    description: str


def _minute_of_day(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _early_bird(stats, before: str) -> tuple[int, int]:
    earliest = stats.earliest_start_minute
    return (1 if earliest is not None and earliest < _minute_of_day(before) else 0), 1


def _night_owl(stats, after: str) -> tuple[int, int]:
    latest = stats.latest_start_minute
    return (1 if latest is not None and latest >= _minute_of_day(after) else 0), 1


TYPES: dict[str, CriteriaType] = {
    t.name: t
    for t in (
        CriteriaType("total_time", Param("seconds", "number"), lambda s, v: (s.total_seconds, v),
                     "all tracked time, in seconds"),
        CriteriaType("project_time", Param("seconds", "number"), lambda s, v: (s.best_project_seconds, v),
                     "tracked seconds on any single project"),
        CriteriaType("entries", Param("count", "number"), lambda s, v: (s.completed_entries, v),
                     "number of completed entries"),
        CriteriaType("streak", Param("days", "number"), lambda s, v: (s.best_streak_days, v),
                     "consecutive days (user's timezone) with at least 15 minutes tracked"),
        CriteriaType("projects_created", Param("count", "number"), lambda s, v: (s.projects_created, v),
                     "number of projects the user owns"),
        CriteriaType("early_bird", Param("before", "time"), _early_bird,
                     "an entry started before this local time (HH:MM)"),
        CriteriaType("night_owl", Param("after", "time"), _night_owl,
                     "an entry started at or after this local time (HH:MM)"),
    )
}


def _fail(message: str):
    raise ValidationFailed({"criteria": [message]}, detail=f"Invalid criteria: {message}")


def _check_param(type_name: str, param: Param, value) -> None:
    where = f"'{param.name}' of a {type_name} criteria"
    if param.kind == "number":
        # bool is an int subclass in Python; `true` is not a number of seconds.
        if isinstance(value, bool) or not isinstance(value, int):
            _fail(f"{where} must be an integer.")
        if value <= 0:
            _fail(f"{where} must be a positive integer.")
        if value > MAX_NUMBER:
            _fail(f"{where} must be at most {MAX_NUMBER}.")
        return
    if not isinstance(value, str) or not _HHMM.match(value):
        _fail(f'{where} must be a 24-hour time "HH:MM", e.g. "07:00".')
    if type_name == "early_bird" and value == "00:00":
        _fail("Nothing starts before 00:00; use a later 'before' time.")


def validate_criteria(value) -> dict:
    """Return a clean copy of `value`, or raise ValidationFailed naming the field `criteria`."""
    if not isinstance(value, dict):
        _fail('Must be a JSON object with a "type", e.g. {"type": "total_time", "seconds": 3600}.')
    type_name = value.get("type")
    if not isinstance(type_name, str) or type_name not in TYPES:
        _fail(f"Unknown or missing 'type'; must be one of: {', '.join(TYPES)}.")
    ctype = TYPES[type_name]
    extra = sorted(set(value) - {"type", ctype.param.name})
    if extra:
        _fail(f"Unexpected field(s) for {type_name}: {', '.join(extra)}; it takes only '{ctype.param.name}'.")
    if ctype.param.name not in value:
        _fail(f"A {type_name} criteria needs '{ctype.param.name}' ({ctype.description}).")
    _check_param(type_name, ctype.param, value[ctype.param.name])
    return {"type": type_name, ctype.param.name: value[ctype.param.name]}


def evaluate(criteria: dict, stats) -> tuple[int, int]:
    """(current, target) for a validated criteria; the badge is earned when current >= target."""
    ctype = TYPES[criteria["type"]]
    return ctype.evaluate(stats, criteria[ctype.param.name])


def progress(current: int, target: int) -> dict:
    return {"current": current, "target": target, "ratio": round(min(current / target, 1.0), 4)}
