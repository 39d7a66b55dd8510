"""The feed loop: snapshot first, resume with Last-Event-ID, reconnect with back-off."""

from __future__ import annotations

import threading
import time

import pytest

from display.board import EMPTY, reduce
from display.live import Backoff, EventFeed
from queue_server.client import QueueClient

from .fakesse import FakeEventServer, counter, ticket


@pytest.fixture
def fake():
    server = FakeEventServer()
    yield server
    server.close()


class Collector:
    def __init__(self) -> None:
        self.state = EMPTY
        self.types: list[str] = []
        self.connections: list[bool] = []
        self.lock = threading.Lock()

    def on_event(self, event) -> None:
        with self.lock:
            self.state = reduce(self.state, event)
            self.types.append(event.type)

    def wait(self, predicate, timeout: float = 15.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if predicate(self):
                    return True
            time.sleep(0.01)
        return False


def call(fake: FakeEventServer, tid: int, number: str) -> int:
    t = ticket(tid, number)
    return fake.push("ticket.called", {"ticket": t, "counter": counter(1, "serving", t), "waiting": {"HT": 1}})


def feed_for(url: str, collector: Collector) -> EventFeed:
    return EventFeed(QueueClient(url), collector.on_event, collector.connections.append,
                     backoff=Backoff(first=0.05, maximum=0.2), read_timeout=3).start()


def test_the_feed_starts_from_a_snapshot_then_follows_events(fake):
    collector = Collector()
    feed = feed_for(fake.url, collector)
    assert collector.wait(lambda c: c.state.synced)
    call(fake, 1, "A001")
    assert collector.wait(lambda c: c.state.latest_call is not None)
    feed.stop()
    assert collector.types[:2] == ["snapshot", "ticket.called"] and collector.connections[0] is True


def test_after_a_break_the_feed_resumes_from_the_last_event_id(fake):
    collector = Collector()
    feed = feed_for(fake.url, collector)
    assert collector.wait(lambda c: c.state.synced)
    first = call(fake, 1, "A001")
    assert collector.wait(lambda c: c.state.last_event_id == first)
    fake.drop_connections()
    call(fake, 2, "A002")  # published while the screen was cut off
    assert collector.wait(lambda c: c.state.latest_call is not None and c.state.latest_call.number == "A002")
    feed.stop()
    assert fake.seen_last_ids[0] is None and str(first) in fake.seen_last_ids[1:]
    assert collector.types.count("snapshot") == 1  # resumed, not rebuilt
    assert False in collector.connections


def test_an_unreachable_server_keeps_the_state_and_retries_until_it_is_back():
    fake = FakeEventServer()
    port = fake.server.server_address[1]
    collector = Collector()
    feed = feed_for(fake.url, collector)
    assert collector.wait(lambda c: c.state.synced)
    call(fake, 1, "A001")
    assert collector.wait(lambda c: c.state.latest_call is not None)
    fake.close()
    assert collector.wait(lambda c: c.connections[-1] is False)
    assert collector.state.latest_call.number == "A001"  # the last state is kept
    time.sleep(0.3)  # several failed attempts
    revived = FakeEventServer(port=port)
    revived.events = list(fake.events)
    try:
        call(revived, 2, "A002")
        assert collector.wait(lambda c: c.connections[-1] is True and c.state.latest_call.number == "A002")
    finally:
        feed.stop()
        revived.close()


def test_backoff_grows_to_its_maximum_and_resets():
    backoff = Backoff(first=0.5, maximum=4, jitter=0)
    assert [backoff.next_delay() for _ in range(5)] == [0.5, 1, 2, 4, 4]
    backoff.reset()
    assert backoff.next_delay() == 0.5


def test_a_resume_with_nothing_missed_counts_as_connected_before_any_event(fake):
    collector = Collector()
    feed = feed_for(fake.url, collector)
    assert collector.wait(lambda c: c.state.synced)
    fake.drop_connections()
    assert collector.wait(lambda c: c.connections.count(True) == 2)  # back, though no event came
    feed.stop()
    assert collector.types == ["snapshot"]


def test_stop_ends_a_quiet_stream_at_once_and_reports_no_lost_connection(fake):
    collector = Collector()
    feed = feed_for(fake.url, collector)
    assert collector.wait(lambda c: c.state.synced and c.connections == [True])
    started = time.monotonic()
    feed.stop()  # only heartbeats come: the loop never sees one, the cut socket ends it
    assert feed._thread is not None
    feed._thread.join(5)
    assert not feed._thread.is_alive() and time.monotonic() - started < 2
    assert collector.connections == [True]
