"""The event log without a global lock (focushub/timeline/log.py): writers commit out of
id order, roll back, or stay open for seconds, and a reader following the log with a
cursor still gets every committed event once, in id order, and nothing it must not.
Real PostgreSQL connections, one per thread; nothing mocked."""

import time

from focushub.accounts.models import User
from focushub.timeline.log import LogCursor, latest_event_id
from focushub.timeline.models import Event
from tests.concurrency.writers import HeldWriter, commit_now, manual_entry, needs_postgresql
from tests.support.processes import wait_for

pytestmark = needs_postgresql

def read_ids(cursor: LogCursor) -> list[int]:
    return [event.pk for event in cursor.read(500).events]


def open_writer_then_a_later_commit(tracker, other_tracker) -> tuple[HeldWriter, list[int]]:
    """A writer holds its event uncommitted while another person's later event commits;
    returns the open writer and the ids committed after its own."""
    open_writer = HeldWriter(manual_entry(*tracker))
    open_writer.start()
    assert open_writer.written.wait(10)
    commit_now(manual_entry(*other_tracker))
    newer = list(Event.objects.filter(id__gt=open_writer.event_ids[-1]).values_list("id", flat=True))
    assert newer, "the second writer's event is committed"
    return open_writer, newer


def test_a_lower_id_committing_after_a_higher_one_is_not_skipped(tracker, other_tracker):
    cursor = LogCursor(latest_event_id())
    slow, newer = open_writer_then_a_later_commit(tracker, other_tracker)

    assert read_ids(cursor) == [], "nothing may pass the uncommitted lower id"
    assert cursor.read(500).waiting

    slow.finish(commit=True)
    assert read_ids(cursor) == [*slow.event_ids, *newer]
    assert read_ids(cursor) == []


def test_a_rolled_back_id_is_skipped_once_its_writer_is_gone(tracker, other_tracker):
    cursor = LogCursor(latest_event_id())
    doomed, committed = open_writer_then_a_later_commit(tracker, other_tracker)
    assert read_ids(cursor) == []

    doomed.finish(commit=False)
    assert read_ids(cursor) == committed
    assert not Event.objects.filter(id__in=doomed.event_ids).exists()
    assert not cursor.read(500).waiting


def test_a_writer_open_for_seconds_delays_later_events_but_loses_none(tracker, other_tracker):
    user, project_id = tracker
    cursor = LogCursor(latest_event_id())
    slow = HeldWriter(manual_entry(user, project_id))
    slow.start()
    assert slow.written.wait(10)
    for _ in range(20):
        commit_now(manual_entry(*other_tracker))
    seen: list[int] = []
    held_until = time.monotonic() + 3
    while time.monotonic() < held_until:
        seen += read_ids(cursor)
        time.sleep(0.05)
    assert seen == [], "events after the open transaction's id wait for it"

    slow.finish(commit=True)
    expected = list(Event.objects.filter(id__gte=slow.event_ids[0]).order_by("id").values_list("id", flat=True))

    def caught_up() -> bool:
        seen.extend(read_ids(cursor))
        return len(seen) >= len(expected)

    wait_for(caught_up, timeout=30, message="the reader to pass the slow writer's events")
    assert seen == expected and len(expected) == len(slow.event_ids) + 20


def test_writers_that_never_touch_the_event_table_do_not_hold_the_log(tracker, other_tracker):
    """Only transactions inserting events can fill a gap, so only they are waited for:
    an unrelated open transaction (a report, an admin shell) does not stall the log."""
    user, project_id = tracker
    bystander = User.objects.create_user(email="by@example.com", username="bystander", password=None)
    cursor = LogCursor(latest_event_id())

    def unrelated():
        User.objects.filter(pk=bystander.pk).update(bio="reading the log")
        Event.objects.filter(actor=bystander).exists()

    unrelated = HeldWriter(unrelated)
    unrelated.start()
    assert unrelated.written.wait(10)
    doomed = HeldWriter(manual_entry(user, project_id))
    doomed.start()
    assert doomed.written.wait(10)
    commit_now(manual_entry(*other_tracker))
    doomed.finish(commit=False)
    assert len(read_ids(cursor)) == 1
    unrelated.finish(commit=True)


def test_a_cursor_started_beside_an_open_writer_still_gets_its_event(tracker, other_tracker):
    """The relay starts at the newest committed id; an older id committing afterwards is
    delivered as a late event instead of being lost."""
    slow, _ = open_writer_then_a_later_commit(tracker, other_tracker)
    cursor = LogCursor.at_latest()
    assert cursor.horizon > slow.event_ids[-1]
    slow.finish(commit=True)
    late = cursor.read(500).late
    assert [event.pk for event in late] == slow.event_ids
    assert cursor.read(500).late == []
