"""GET /time-entries/export: a user's entries as CSV or iCalendar (RFC 5545), produced in
batches read by keyset (start_time, id) so an export of years of entries never holds
more than one batch in memory and never runs one long query.

CSV cells that a spreadsheet would run as a formula (=, +, -, @ ...) are prefixed with a
quote (OWASP "CSV injection"). iCal has one VEVENT per stopped entry; running ones have
no end yet.
"""

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime

from django.db.models import Q, QuerySet

from focushub.presenters import iso
from focushub.replicas import lag_tolerant
from focushub.tracking.models import TimeEntry
from focushub.tracking.selectors import entries_of_user

BATCH_SIZE = 1000
CSV_HEADER = ["id", "project", "description", "start_time", "end_time", "duration_seconds", "source"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def entry_batches(
    *, user_id: int, start: datetime | None = None, end: datetime | None = None, stopped_only: bool = False
) -> Iterator[list[TimeEntry]]:
    """The user's entries overlapping [start, end), oldest first, BATCH_SIZE at a time."""
    entries = entries_of_user(user_id=user_id, start=start, end=end, running=False if stopped_only else None)
    entries = entries.select_related("project").order_by("start_time", "id")
    after: tuple[datetime, int] | None = None
    while True:
        batch = _batch(entries, after)
        if not batch:
            return
        yield batch
        if len(batch) < BATCH_SIZE:
            return
        after = (batch[-1].start_time, batch[-1].pk)


@lag_tolerant
def _batch(entries: QuerySet[TimeEntry], after: tuple[datetime, int] | None) -> list[TimeEntry]:
    """One batch after the keyset position `after`, read from a replica when one is close
    enough (focushub/replicas.py). Marked here, not on the generator: a generator's body
    runs at each next(), long after a call to it has returned."""
    if after is not None:
        entries = entries.filter(Q(start_time__gt=after[0]) | Q(start_time=after[0], id__gt=after[1]))
    return list(entries[:BATCH_SIZE])


def _cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_chunks(batches: Iterator[list[TimeEntry]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for batch in batches:
        for entry in batch:
            writer.writerow([
                entry.pk,
                _cell(entry.project.name),
                _cell(entry.description),
                iso(entry.start_time),
                iso(entry.end_time) or "",
                "" if entry.duration is None else entry.duration,
                entry.source,
            ])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.getvalue():
        yield buffer.getvalue()


_ICAL_ESCAPES = str.maketrans({"\\": "\\\\", ";": "\\;", ",": "\\,", "\n": "\\n", "\r": ""})


def _ical_text(text: str) -> str:
    """RFC 5545 §3.3.11 TEXT: backslash, semicolon, comma and newlines escaped."""
    return text.translate(_ICAL_ESCAPES)


def _ical_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> str:
    """RFC 5545 §3.1: lines longer than 75 octets continue on lines starting with a space,
    split between characters, never inside one."""
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > 75:
            out.append(current)
            current, size = " ", 1
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out) + "\r\n"


def _vevent(entry: TimeEntry) -> str:
    summary = entry.project.name + (f" — {entry.description}" if entry.description else "")
    lines = [
        "BEGIN:VEVENT",
        f"UID:entry-{entry.pk}@focushub",
        f"DTSTAMP:{_ical_time(entry.updated_at)}",
        f"DTSTART:{_ical_time(entry.start_time)}",
        f"DTEND:{_ical_time(entry.end_time)}",
        f"SUMMARY:{_ical_text(summary)}",
        f"DESCRIPTION:{_ical_text(entry.description)}",
        f"CATEGORIES:{_ical_text(entry.project.name)}",
        f"X-FOCUSHUB-SOURCE:{entry.source}",
        "END:VEVENT",
    ]
    return "".join(_fold(line) for line in lines)


def ical_chunks(batches: Iterator[list[TimeEntry]]) -> Iterator[str]:
    yield "".join(
        _fold(line)
        for line in ("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//FocusHub//Time entries//EN", "CALSCALE:GREGORIAN")
    )
    for batch in batches:
        yield "".join(_vevent(entry) for entry in batch)
    yield _fold("END:VCALENDAR")
