import itertools
import uuid

_counter = itertools.count(1)


def unique_name(prefix: str = "user") -> str:
    """Distinct per test run and per call, so tests never collide on usernames."""
    return f"{prefix}{next(_counter)}_{uuid.uuid4().hex[:6]}"
