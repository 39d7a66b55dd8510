"""The live feed (SSE) in-process: snapshot, ordered ids, resume, fallback to a snapshot, heartbeats.

tests/server/test_live.py follows the same feed through a real server with
``QueueClient.events()``.
"""

from __future__ import annotations

import pytest

from queue_server.web import api_events
from tests.support.event_feed import Feed
from tests.support.servers import InProcess, act, issue

SNAPSHOT_KEYS = {"office", "day", "services", "counters", "waiting_tickets", "recent_calls", "last_event_id", "at",
                 "notices"}


def event_ids(api: InProcess, after: int = 0) -> list[int]:
    with api.db.connect() as conn:
        return [row[0] for row in conn.execute("SELECT id FROM events WHERE id > ? ORDER BY id", (after,))]


def test_a_new_subscriber_gets_a_snapshot_first(api: InProcess, feeds) -> None:
    issue(api, "HT", "a")
    issue(api, "VP", "b")
    act(api, 3, "call-next")
    feed = feeds(api)
    snapshot = feed.next()
    assert feed.raw[0] == "retry: 2000\n\n"  # browsers reconnect after 2 s
    assert snapshot.type == "snapshot"
    assert set(snapshot.data) == SNAPSHOT_KEYS
    assert snapshot.id == snapshot.data["last_event_id"] == event_ids(api)[-1] == 3
    data = snapshot.data
    assert data["office"] == {"name": "Trung tâm Phục vụ hành chính công xã Tân Phú", "timezone": "Asia/Ho_Chi_Minh",
                              "hotline": "1900 1234"}
    assert data["day"] == "2026-03-02"
    assert data["at"] == "2026-03-02T08:00:00+07:00"
    assert [s["code"] for s in data["services"]] == ["HT", "VP", "DC", "VH", "KQ"]
    assert [s["waiting"] for s in data["services"]] == [1, 0, 0, 0, 0]
    assert [c["number"] for c in data["counters"]] == [1, 2, 3, 4, 5]
    assert data["counters"][2]["current"]["number"] == "B001"
    assert data["waiting_tickets"] == [{"id": 1, "number": "A001", "service": "HT", "priority": None,
                                        "issued_at": "2026-03-02T08:00:00+07:00", "target_counter": None}]
    assert [t["number"] for t in data["recent_calls"]] == ["B001"]


def test_every_action_reaches_subscribers_in_order_with_increasing_ids(api: InProcess, feeds) -> None:
    feed = feeds(api)
    assert feed.next().type == "snapshot"
    issue(api, "HT", "a")
    issue(api, "HT", "b")
    act(api, 1, "call-next")
    act(api, 1, "recall")
    act(api, 1, "start")
    act(api, 1, "complete")
    act(api, 1, "call-next")
    act(api, 1, "no-show")
    act(api, 1, "call", {"ticket": 2})
    act(api, 1, "transfer", {"service": "VP"})
    act(api, 3, "pause", {"reason": "Nghỉ trưa"})
    act(api, 3, "resume")
    act(api, 3, "close")
    expected = ["ticket.issued", "ticket.issued", "ticket.called", "ticket.recalled", "ticket.serving",
                "ticket.completed", "ticket.called", "ticket.no_show", "ticket.called", "ticket.transferred",
                "counter.paused", "counter.resumed", "counter.closed"]
    events = feed.take(len(expected))
    assert [e.type for e in events] == expected
    assert [e.id for e in events] == event_ids(api) == list(range(1, len(expected) + 1))
    assert all("waiting" in e.data for e in events)
    assert events[0].data["ticket"]["number"] == "A001"
    assert events[2].data["ticket"]["status"] == "called" and events[2].data["counter"]["number"] == 1
    assert events[9].data["ticket"]["service"] == "VP" and events[9].data["from_service"] == "HT"
    assert events[10].data["reason"] == "Nghỉ trưa"


def test_a_second_subscriber_sees_the_same_events(api: InProcess, feeds) -> None:
    first, second = feeds(api), feeds(api)
    first.next(), second.next()
    issue(api, "HT", "a")
    act(api, 1, "call-next")
    seen = [[(e.id, e.type, e.data) for e in feed.take(2)] for feed in (first, second)]
    assert seen[0] == seen[1]


def test_resume_with_last_event_id_replays_exactly_what_was_missed(api: InProcess, feeds) -> None:
    feed = feeds(api)
    feed.next()
    issue(api, "HT", "a")
    issue(api, "HT", "b")
    seen = feed.take(2)
    feed.close()  # the screen loses its connection…
    act(api, 1, "call-next")  # …while the queue moves on
    issue(api, "VH", "c")
    act(api, 1, "recall")
    resumed = feeds(api, seen[-1].id)
    missed = resumed.take(3)
    assert [e.type for e in missed] == ["ticket.called", "ticket.issued", "ticket.recalled"]
    assert [e.id for e in missed] == event_ids(api, after=seen[-1].id)
    assert "snapshot" not in "".join(resumed.raw)
    act(api, 1, "complete")  # and then it follows live again, without a gap
    live = resumed.next()
    assert (live.id, live.type) == (missed[-1].id + 1, "ticket.completed")


def test_resume_at_the_latest_id_replays_nothing(api: InProcess, feeds) -> None:
    issue(api, "HT", "a")
    feed = feeds(api, 1)
    issue(api, "HT", "b")
    event = feed.next()
    assert (event.id, event.type) == (2, "ticket.issued")


def test_an_unknown_future_id_gets_a_snapshot(api: InProcess, feeds) -> None:
    """E.g. a screen that remembers an id from a database that was since replaced."""
    issue(api, "HT", "a")
    feed = feeds(api, 999)
    snapshot = feed.next()
    assert (snapshot.type, snapshot.id) == ("snapshot", 1)
    issue(api, "HT", "b")
    assert feed.next().id == 2


def test_an_id_too_old_to_replay_gets_a_snapshot(api: InProcess, feeds, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api_events, "MAX_REPLAY", 3)
    for key in "abcde":
        issue(api, "HT", key)
    feed = feeds(api, 1)  # 4 events missed, more than MAX_REPLAY
    snapshot = feed.next()
    assert (snapshot.type, snapshot.id) == ("snapshot", 5)
    assert len(snapshot.data["waiting_tickets"]) == 5
    short = feeds(api, 2)  # 3 missed: replayed
    assert [e.id for e in short.take(3)] == [3, 4, 5]


def test_a_quiet_feed_sends_heartbeats(api: InProcess, feeds) -> None:
    feed = feeds(api)
    feed.next()
    chunks = iter(feed.response.response)
    assert next(chunks) == b": ping\n\n"
    assert next(chunks) == b": ping\n\n"
    issue(api, "HT", "a")
    assert next(chunks).startswith(b"id: 1\nevent: ticket.issued\ndata: {")


def test_the_feed_ends_when_the_engine_stops(api: InProcess, feeds) -> None:
    feed = feeds(api)
    feed.next()
    api.engine.broker.close()
    assert list(feed.response.response) == []


def test_open_streams_are_capped_and_a_closed_one_frees_its_place(make_app, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each stream holds a server thread; past the cap a device is told to poll instead."""
    monkeypatch.setattr(api_events, "HEARTBEAT_SECONDS", 0.3)
    api = make_app(max_streams=2)
    first, second = Feed(api), Feed(api)
    try:
        first.next(), second.next()
        refused = api.client.get("/api/events")
        assert refused.status_code == 503
        assert refused.get_json() == {"error": {"code": "too_many_streams", "message":
                                                "Kênh cập nhật trực tiếp đang đầy. Trang sẽ tự cập nhật định kỳ "
                                                "(poll GET /api/services or /api/status/<token>, or retry later)."}}
        first.close()
        third = Feed(api)
        assert third.next().type == "snapshot"
        third.close()
    finally:
        first.close()
        second.close()
