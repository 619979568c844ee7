"""Reading the event log in id order without ever stepping past an id that may still
commit (design and proof: docs/realtime.md, "Ordering without a lock").

Event writers run in parallel: a sequence hands out ids before commit, so transaction A
can take id 10, B id 11, and B commit first. A reader that delivered 11 and then asks for
`id > 11` would never see 10. The cursor below holds its horizon at the first gap until
it knows how the gap ends:

- A gap can only be filled by a transaction that is inserting into the event table right
  now. Every such transaction holds a RowExclusiveLock on the table from before it takes
  its id (the lock comes with the INSERT's parse, the id with its execution) until it
  ends, so `pg_locks` names all of them by virtual transaction id.
- When the cursor meets a gap below the highest id it read, it notes those writers (the
  list is taken AFTER the read, so a writer still running then is on it; one that ended
  in between is committed or rolled back, and the next read sees which).
- Once every noted writer has ended, the next read shows every id up to the highest one
  seen: what is still missing was rolled back (or deleted) and is skipped for good.

No writer waits for anything: the cost of ordering is paid by the reader, as a short
delay of the events after a gap, bounded by the longest event-writing transaction. As a
last line, a gap whose writers are still running after GAP_WAIT_MAX is given up (with a
WARNING) and its ids are watched for LATE_WATCH seconds; an event that commits late is
still returned (`late`), out of order, so it reaches live sockets at least once.

SQLite serialises writers, so its ids commit in order and any gap is already final.
"""

import logging
import time
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Max

from focushub.timeline.models import Event

logger = logging.getLogger(__name__)

GAP_WAIT_MAX = 30.0  # seconds a gap may hold the horizon before it is given up
LATE_WATCH = 600.0  # seconds a given-up id is still looked for
LATE_WATCH_MAX = 1000  # ids watched at most (the oldest are dropped first)

_WRITERS_SQL = """
    SELECT DISTINCT virtualtransaction FROM pg_locks
    WHERE locktype = 'relation' AND mode = 'RowExclusiveLock'
      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND relation = %s::regclass
"""


def event_writers() -> frozenset[str]:
    """The transactions that may be inserting events right now (virtual transaction ids;
    never reused, so one that shows up again later is a new transaction)."""
    if connection.vendor != "postgresql":
        return frozenset()
    with connection.cursor() as cursor:
        cursor.execute(_WRITERS_SQL, [Event._meta.db_table])
        return frozenset(row[0] for row in cursor.fetchall())


def latest_event_id() -> int:
    return Event.objects.aggregate(top=Max("id"))["top"] or 0


@dataclass
class _Probe:
    """A gap below `upto` is settled once none of `writers` is running any more."""

    upto: int
    writers: frozenset[str]
    started: float = field(default_factory=time.monotonic)

    def settled(self) -> bool:
        return not self.writers or not (event_writers() & self.writers)


@dataclass(frozen=True)
class LogRead:
    events: list[Event]  # the next events after the horizon, gap-free, in id order
    late: list[Event]  # events that committed after their gap was given up
    waiting: bool  # a gap holds the horizon: read again soon


class LogCursor:
    """One reader's position in the log. Not thread-safe: one relay task owns it."""

    def __init__(self, horizon: int, *, settled_upto: int | None = None):
        self.horizon = horizon
        self._settled = horizon if settled_upto is None else settled_upto
        self._probe: _Probe | None = None
        self._late: dict[int, tuple[float, _Probe]] = {}  # id -> (given up at, its probe)

    @classmethod
    def at_latest(cls) -> "LogCursor":
        """Start at the newest committed event. Ids below it whose writers are still
        running are watched as late events until those writers end."""
        writers = event_writers()
        latest = latest_event_id()
        cursor = cls(latest)
        if writers and latest:
            low = max(0, latest - LATE_WATCH_MAX)
            present = set(Event.objects.filter(id__gt=low, id__lte=latest).values_list("id", flat=True))
            cursor._watch([i for i in range(low + 1, latest + 1) if i not in present], _Probe(latest, writers))
        return cursor

    def reset(self, horizon: int) -> None:
        """The log went back (a restored database): follow it."""
        self.horizon = self._settled = horizon
        self._probe = None
        self._late.clear()

    def read(self, limit: int) -> LogRead:
        late = self._late_arrivals()
        events: list[Event] = []
        for _ in range(3):  # at most: read, settle a gap nobody can fill, read again
            self._settle()
            rows = list(Event.objects.filter(id__gt=self.horizon).select_related("actor").order_by("id")[:limit])
            events, blocked = self._contiguous(rows)
            if not blocked:
                break
            if self._probe is None:
                self._probe = _Probe(rows[-1].pk, event_writers())
                if not self._probe.writers:
                    continue
            break
        if events:
            self.horizon = events[-1].pk
        return LogRead(events, late, self._probe is not None)

    def _contiguous(self, rows: list[Event]) -> tuple[list[Event], bool]:
        expected = self.horizon + 1
        for index, event in enumerate(rows):
            if event.pk > expected and event.pk - 1 > self._settled:
                return rows[:index], True
            expected = event.pk + 1
        return rows, False

    def _settle(self) -> None:
        probe = self._probe
        if probe is None:
            return
        if probe.settled():
            self._settled = max(self._settled, probe.upto)
            self._probe = None
        elif time.monotonic() - probe.started > GAP_WAIT_MAX:
            present = set(
                Event.objects.filter(id__gt=self.horizon, id__lte=probe.upto).values_list("id", flat=True)
            )
            missing = [i for i in range(self.horizon + 1, probe.upto + 1) if i not in present]
            logger.warning(
                "event log: %d id(s) in (%d, %d] still uncommitted after %.0f s; delivering past them "
                "and watching them for late commits", len(missing), self.horizon, probe.upto, GAP_WAIT_MAX,
            )
            self._watch(missing, probe)
            self._settled = max(self._settled, probe.upto)
            self._probe = None

    def _watch(self, ids: list[int], probe: _Probe) -> None:
        now = time.monotonic()
        for event_id in ids[-LATE_WATCH_MAX:]:
            self._late[event_id] = (now, probe)
        while len(self._late) > LATE_WATCH_MAX:
            del self._late[min(self._late)]

    def _late_arrivals(self) -> list[Event]:
        if not self._late:
            return []
        now = time.monotonic()
        # Check which probes have ended BEFORE looking for rows: once a writer has ended,
        # its row is visible to the read below or never will be.
        probes = {id(probe): probe for _, probe in self._late.values()}
        ended = {key for key, probe in probes.items() if probe.settled()}
        found = list(Event.objects.filter(id__in=list(self._late)).select_related("actor").order_by("id"))
        for event in found:
            del self._late[event.pk]
        for event_id, (since, probe) in list(self._late.items()):
            if id(probe) in ended or now - since > LATE_WATCH:
                del self._late[event_id]
        return found
