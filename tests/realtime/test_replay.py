"""Resuming with `since`: the log is replayed in order before live frames, with no gap
and no duplicate, even while events keep committing; and the relay's reader never skips
an event whose transaction commits late (the ordering hole, opened on purpose)."""

import threading

import pytest
from django.db import connection, transaction

from focushub.accounts.models import User
from focushub.presenters import user_brief
from focushub.timeline.models import Event
from focushub.timeline.selectors import events_for_user_feed
from focushub.timeline.services import event_record
from tests.concurrency.writers import HeldWriter, needs_postgresql
from tests.realtime.streams import event_ids_through, first, quiet
from tests.support.processes import wait_for

pytestmark = pytest.mark.live


NOTE = "user.joined"  # a declared private event with a small payload: the smallest thing the log holds


def private_event(actor_id: int):
    return event_record(actor_id=actor_id, kind=NOTE, payload={"user": user_brief(User.objects.get(pk=actor_id))})


def note(actor_id: int, n: int = 1) -> None:
    """Commit `n` private events of the actor."""
    with transaction.atomic():
        for _ in range(n):
            private_event(actor_id)


def feed_ids_after(user_id: int, since: int) -> list[int]:
    return list(events_for_user_feed(user_id).filter(id__gt=since).order_by("id").values_list("id", flat=True))


def test_a_client_that_resumes_gets_what_it_missed_then_live_events_once(connect, team):
    alice = team.contributor
    socket = connect("/ws/me", token=alice.token)
    since = first(socket, "hello")["last_event_id"]
    alice.api.post("/time-entries/start", json={"project": team.pid})
    live_seen = event_ids_through(socket, feed_ids_after(alice.id, since)[-1])
    socket.close()

    alice.api.post("/time-entries/stop")
    team.owner.api.post("/time-entries/start", json={"project": team.pid})  # a teammate's event
    note(alice.id, 3)
    cursor = max([since, *live_seen])

    resumed = connect("/ws/me", token=alice.token, since=cursor)
    hello = first(resumed, "hello")
    assert hello["timer"] is None
    alice.api.post("/time-entries/start", json={"project": team.pid})
    replayed = event_ids_through(resumed, feed_ids_after(alice.id, since)[-1])
    assert live_seen + replayed == feed_ids_after(alice.id, since)
    assert replayed == sorted(set(replayed))
    kinds = [Event.objects.get(pk=i).kind for i in replayed]
    assert kinds[:5] == ["timer.stopped", "timer.started", NOTE, NOTE, NOTE]
    assert kinds[-1] == "timer.started"


def test_replay_merges_with_events_committed_during_it(connect, person):
    """A long replay (several pages) while a writer keeps committing: every event arrives
    once and in order, whichever side of the horizon it committed on. The writer's pace
    is counted, not timed: the test waits for its commits before and after the connect."""
    alice = person()
    since = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
    note(alice.id, 1200)
    stop, committed = threading.Event(), []

    def writer():
        try:
            while not stop.is_set():
                note(alice.id)
                committed.append(1)
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        wait_for(lambda: len(committed) >= 5, message="the writer to be committing")
        socket = connect("/ws/me", token=alice.token, since=since)
        first(socket, "hello")
        mark = len(committed)  # the 50 commits after hello lie beyond its horizon
        wait_for(lambda: len(committed) >= mark + 50, timeout=60, message="50 commits after the connect")
    finally:
        stop.set()
        thread.join()
    expected = feed_ids_after(alice.id, since)
    assert event_ids_through(socket, expected[-1]) == expected


@needs_postgresql
def test_a_since_this_relay_has_not_reached_yet_is_not_a_log_reset(connect, person, start_server):
    """A client that read up to `since` from another, faster process reconnects here
    before this relay has reached it. Made certain by a writer held open: its event is a
    gap this relay waits at, below the committed event the client holds. The stream waits
    for the relay to catch up rather than answer a hello below `since` (which means a
    restored log: a reset); then every later event arrives once."""
    alice = person()
    fresh = start_server()  # its relay's mark is the log's own, not an earlier test's
    first(connect("/ws/me", token=alice.token, server=fresh), "hello")  # the relay is running
    held = HeldWriter(lambda: private_event(alice.id))
    held.start()
    assert held.written.wait(10) and held.error is None
    try:
        note(alice.id)
        since = feed_ids_after(alice.id, held.event_ids[-1])[-1]
        socket = connect("/ws/me", token=alice.token, since=since, server=fresh)
    finally:
        held.finish()  # the gap closes; the relay reaches `since`
    assert first(socket, "hello")["last_event_id"] >= since
    note(alice.id)
    later = feed_ids_after(alice.id, since)
    assert event_ids_through(socket, later[-1]) == later

    beyond = connect("/ws/me", token=alice.token, since=later[-1] + 1000, server=fresh)
    assert first(beyond, "hello")["last_event_id"] < later[-1] + 1000  # beyond the log: a reset, at once


def test_since_must_be_an_event_id(connect, person):
    socket = connect("/ws/me", token=person().token, since="yesterday")
    error = first(socket, "error")
    assert error["code"] == "validation_error" and "since" in error["errors"]


def test_a_transaction_that_commits_late_is_never_skipped(connect, person):
    """Transaction A writes an event and is held open; B writes a later event meanwhile.
    On PostgreSQL B commits at once (no lock between event writers), and the relay holds
    B's event back until A's id is settled (focushub/timeline/log.py); SQLite's single
    writer makes B wait. Either way the socket gets A's event, then B's, and nothing of
    B's while A is open."""
    alice = person()
    socket = connect("/ws/me", token=alice.token)
    first(socket, "hello")
    a_written, release_a, b_done = threading.Event(), threading.Event(), threading.Event()
    ids: dict[str, int] = {}

    def slow():
        try:
            with transaction.atomic():
                ids["a"] = private_event(alice.id).pk
                a_written.set()
                release_a.wait(10)
        finally:
            connection.close()

    def fast():
        try:
            with transaction.atomic():
                ids["b"] = private_event(alice.id).pk
        finally:
            b_done.set()
            connection.close()

    threads = [threading.Thread(target=slow), threading.Thread(target=fast)]
    threads[0].start()
    assert a_written.wait(10)
    threads[1].start()
    if connection.vendor == "postgresql":
        assert b_done.wait(5), "B waited for A: event writers must not serialise"
    held = quiet(socket, settle=0.8, limit=3)  # the relay polls several times while A is open
    assert [m for m in held if m["type"] == "timeline.event"] == []
    release_a.set()
    for thread in threads:
        thread.join(15)
    delivered = event_ids_through(socket, ids["b"])
    assert delivered == [ids["a"], ids["b"]]
    assert {Event.objects.get(pk=i).kind for i in delivered} == {NOTE}
    assert ids["a"] < ids["b"]
