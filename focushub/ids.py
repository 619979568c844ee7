"""The one parser of integers and database ids sent by clients (paths, JSON bodies,
query strings, websocket frames, cursors). `int()` alone also takes " 80", "8_0", "8.0"
floats and Arabic-Indic "٨٠", so a client could name project 80 in ways nothing else
accepts."""

import re

MAX_ID = 2**63 - 1  # BigAutoField; larger numbers cannot name a row (and overflow SQLite)
_INTEGER = re.compile(r"-?[0-9]{1,19}")


def parse_int(raw) -> int | None:
    """An int (not a bool) or a string of ASCII digits with an optional minus; else None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and _INTEGER.fullmatch(raw):
        return int(raw)
    return None


def parse_id(raw) -> int | None:
    """A positive database id, or None."""
    value = parse_int(raw)
    return value if value is not None and 0 < value <= MAX_ID else None
