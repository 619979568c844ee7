"""The criteria validator: every badge write passes through it (REST, admin, services)."""

import pytest

from focushub.badges.criteria import TYPES, progress, validate_criteria
from focushub.errors import ValidationFailed

VALID = [
    {"type": "total_time", "seconds": 3600},
    {"type": "project_time", "seconds": 36000},
    {"type": "entries", "count": 1},
    {"type": "streak", "days": 7},
    {"type": "projects_created", "count": 1},
    {"type": "early_bird", "before": "07:00"},
    {"type": "night_owl", "after": "23:00"},
    {"type": "night_owl", "after": "00:00"},
    {"type": "total_time", "seconds": 10**9},
]

INVALID = [
    (None, "JSON object"),
    ([], "JSON object"),
    ("total_time", "JSON object"),
    ({}, "Unknown or missing 'type'"),
    ({"type": "speed"}, "Unknown or missing 'type'"),
    ({"type": 3, "seconds": 3}, "Unknown or missing 'type'"),
    ({"type": "total_time"}, "needs 'seconds'"),
    ({"type": "total_time", "count": 3}, "Unexpected field(s) for total_time: count"),
    ({"type": "entries", "count": 1, "seconds": 1}, "Unexpected field(s) for entries: seconds"),
    ({"type": "total_time", "seconds": "3600"}, "must be an integer"),
    ({"type": "total_time", "seconds": 36.5}, "must be an integer"),
    ({"type": "entries", "count": True}, "must be an integer"),
    ({"type": "entries", "count": None}, "must be an integer"),
    ({"type": "streak", "days": 0}, "must be a positive integer"),
    ({"type": "streak", "days": -3}, "must be a positive integer"),
    ({"type": "total_time", "seconds": 10**9 + 1}, "must be at most"),
    ({"type": "early_bird", "before": "7:00"}, '"HH:MM"'),
    ({"type": "early_bird", "before": "24:00"}, '"HH:MM"'),
    ({"type": "early_bird", "before": "07:60"}, '"HH:MM"'),
    ({"type": "early_bird", "before": 700}, '"HH:MM"'),
    ({"type": "early_bird", "before": "07:00:00"}, '"HH:MM"'),
    ({"type": "early_bird", "before": "00:00"}, "Nothing starts before 00:00"),
    ({"type": "night_owl", "before": "23:00"}, "Unexpected field(s) for night_owl: before"),
    ({"type": "night_owl"}, "needs 'after'"),
]


@pytest.mark.parametrize("criteria", VALID, ids=lambda c: f"{c['type']}-{next(iter(c.values()))}")
def test_valid_criteria_are_accepted_unchanged(criteria):
    assert validate_criteria(dict(criteria)) == criteria


@pytest.mark.parametrize(("criteria", "message"), INVALID, ids=[repr(c) for c, _ in INVALID])
def test_invalid_criteria_are_refused_naming_the_criteria_field(criteria, message):
    with pytest.raises(ValidationFailed) as refused:
        validate_criteria(criteria)
    assert list(refused.value.errors) == ["criteria"]
    assert message in refused.value.errors["criteria"][0]
    assert refused.value.code == "validation_error"


def test_every_type_in_the_spec_is_known():
    assert set(TYPES) == {
        "total_time", "project_time", "entries", "streak", "projects_created", "early_bird", "night_owl",
    }


@pytest.mark.parametrize(
    ("current", "target", "ratio"), [(0, 10, 0.0), (5, 10, 0.5), (10, 10, 1.0), (25, 10, 1.0), (1, 3, 0.3333)]
)
def test_progress_is_the_share_of_the_target_capped_at_one(current, target, ratio):
    assert progress(current, target) == {"current": current, "target": target, "ratio": ratio}
