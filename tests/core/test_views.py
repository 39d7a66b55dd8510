"""The public shapes (docs/api.md): tickets, services, counters, events and snapshots."""

from __future__ import annotations

from queue_server.core import actions, views
from queue_server.core.model import Event

from .builders import at, call_next, issue, office, queue

API_TICKET_KEYS = {"id", "number", "service", "priority", "status", "issued_at", "called_at", "counter", "ahead",
                   "estimated_wait_s", "status_url"}


def test_a_waiting_ticket_view_has_the_whole_public_shape():
    o = office()
    s = queue(o)
    issue(s, o, "HT", minutes=0)
    ticket = issue(s, o, "HT", minutes=1, priority=None)
    ticket.procedure = "1.001193"
    assert views.ticket_view(s, o, ticket, at(2)) == {
        "id": ticket.id,
        "number": "A002",
        "service": "HT",
        "service_name": "Tư pháp – Hộ tịch",
        "priority": None,
        "status": "waiting",
        "issued_at": "2026-03-02T08:01:00+07:00",
        "called_at": None,
        "finished_at": None,
        "counter": None,
        "counter_name": None,
        "target_counter": None,
        "procedure": "1.001193",
        "recalls": 0,
        "transfers": 0,
        "ahead": 1,
        "estimated_wait_s": 600,  # 1 ahead x the default 10 minutes; no counter open yet
        "wait_note": None,
        "expected_call_at": None,
        "wait_text": "khoảng 10 phút",  # the kiosk's and the paper's words (wording)
        "status_url": f"/t/{ticket.status_token}",  # no public_url, no base_url: the path, completed by the web layer
    }


def test_a_ticket_view_holds_every_key_of_the_api_contract():
    o = office()
    s = queue(o)
    ticket = issue(s, o, "HT")
    assert set(views.ticket_view(s, o, ticket, at(0))) >= API_TICKET_KEYS


def test_a_ticket_view_shows_times_with_the_offices_offset():
    o = office()
    s = queue(o)
    ticket = issue(s, o, "HT", minutes=0)
    call_next(s, o, 1, minutes=90)
    view = views.ticket_view(s, o, ticket, at(91))
    assert (view["issued_at"], view["called_at"]) == ("2026-03-02T08:00:00+07:00", "2026-03-02T09:30:00+07:00")


def test_a_called_ticket_view_names_its_counter_and_has_nobody_ahead():
    o = office()
    s = queue(o)
    issue(s, o, "HT")
    ticket = issue(s, o, "HT")
    actions.call_ticket(s, o, 3, ticket.id, at(1))
    view = views.ticket_view(s, o, ticket, at(1))
    assert (view["status"], view["counter"], view["counter_name"], view["ahead"], view["estimated_wait_s"]) == (
        "called", 3, "Quầy 3", 0, 0
    )


def test_the_estimated_wait_of_a_ticket_follows_its_people_ahead():
    o = office(counters={1: ("HT",)})
    s = queue(o)
    for minute in range(3):
        issue(s, o, "HT", minutes=minute)
    ticket = issue(s, o, "HT", minutes=3)
    view = views.ticket_view(s, o, ticket, at(4))
    assert (view["ahead"], view["estimated_wait_s"]) == (3, 3 * 600)


def test_a_ticket_view_carries_no_personal_data():
    o = office()
    s = queue(o)
    ticket = issue(s, o, "HT")
    ticket.device = "kiosk-sảnh"
    view = views.ticket_view(s, o, ticket, at(0))
    assert "device" not in view and "status_token" not in view
    assert view["status_url"].rsplit("/", 1)[1] == ticket.status_token


def test_the_services_view_lists_counters_waiting_and_wait():
    o = office()
    s = queue(o)
    issue(s, o, "HT")
    issue(s, o, "HT")
    call_next(s, o, 1)
    # A new HT ticket: counter 1 ends its 10-minute service in progress, calls the one waiting, then this one.
    assert views.services_view(s, o, at(0)) == [
        {"code": "HT", "name": "Tư pháp – Hộ tịch", "prefix": "A", "counters": [1, 3], "accepting": True,
         "waiting": 1, "estimated_wait_s": 1200, "wait_note": None, "expected_call_at": None,
         "wait_text": "khoảng 20 phút", "target_wait_minutes": 30},
        {"code": "VP", "name": "Văn phòng – Thống kê", "prefix": "B", "counters": [2, 3], "accepting": True,
         "waiting": 0, "estimated_wait_s": 0, "wait_note": None, "expected_call_at": None, "wait_text": "dưới 1 phút",
         "target_wait_minutes": 30},
    ]


def test_a_counter_view_shows_its_state_and_current_ticket():
    o = office()
    s = queue(o)
    ticket = issue(s, o, "HT")
    call_next(s, o, 1)
    # paused with its ticket still there, as a database from before pause refused that holds it
    s.counters[1].state, s.counters[1].pause_reason = "paused", "Tra cứu"
    view = views.counter_view(s, o, 1, at(1))
    assert {k: v for k, v in view.items() if k != "current"} == {
        "number": 1, "name": "Quầy 1", "services": ["HT"], "state": "paused", "pause_reason": "Tra cứu",
        "closed_today": False,
    }
    # screens and the live feed are public: the status link and the procedure stay private
    assert view["current"] == views.public_ticket_view(views.ticket_view(s, o, ticket, at(1)))


def test_a_closed_counter_view_has_no_current_ticket():
    o = office()
    s = queue(o)
    view = views.counter_view(s, o, 2, at(0))
    assert (view["state"], view["current"]) == ("closed", None)


def test_the_counters_view_follows_configuration_order():
    o = office(counters={3: ("HT",), 1: ("VP",)})
    s = queue(o)
    assert [c["number"] for c in views.counters_view(s, o, at(0))] == [3, 1]


def test_waiting_counts_per_service():
    o = office()
    s = queue(o)
    issue(s, o, "HT")
    issue(s, o, "VP")
    issue(s, o, "VP")
    assert views.waiting_counts(s, o) == {"HT": 1, "VP": 2}


def test_an_event_view_carries_the_ticket_the_counter_and_the_waiting_counts():
    o = office()
    s = queue(o)
    issue(s, o, "HT")
    ticket, outcome = actions.call_next(s, o, 1, at(1))
    event = outcome.events[-1]
    data = views.event_view(s, o, event, at(1))
    assert data["ticket"] == views.public_ticket_view(views.ticket_view(s, o, ticket, at(1)))
    assert data["counter"] == views.counter_view(s, o, 1, at(1))
    assert data["waiting"] == {"HT": 0, "VP": 0}


def test_an_event_view_keeps_the_events_own_data():
    o = office()
    s = queue(o)
    data = views.event_view(s, o, Event("counter.paused", {"reason": "Nghỉ"}, counter=2), at(0))
    assert data["reason"] == "Nghỉ" and data["counter"]["number"] == 2 and "ticket" not in data


def test_recent_calls_lists_the_newest_call_first():
    o = office()
    s = queue(o)
    first = issue(s, o, "HT")
    second = issue(s, o, "VP")
    call_next(s, o, 1, minutes=1)
    call_next(s, o, 2, minutes=2)
    assert [c["id"] for c in views.recent_calls(s, o, at(3))] == [second.id, first.id]


def test_recent_calls_stops_at_the_limit():
    o = office()
    s = queue(o)
    for _ in range(4):
        issue(s, o, "HT")
    for minute in range(4):
        call_next(s, o, 1, minutes=minute)
    assert len(views.recent_calls(s, o, at(5), limit=3)) == 3


def test_a_snapshot_holds_everything_a_screen_draws():
    o = office()
    s = queue(o)
    waiting = issue(s, o, "VP", minutes=0)
    issue(s, o, "HT", minutes=1)
    call_next(s, o, 1, minutes=2)
    snap = views.snapshot_view(s, o, at(3))
    assert snap["office"] == {"name": o.name, "timezone": "Asia/Ho_Chi_Minh", "hotline": ""}
    assert snap["day"] == "2026-03-02"
    assert snap["services"] == views.services_view(s, o, at(3))
    assert snap["counters"] == views.counters_view(s, o, at(3))
    assert snap["waiting_tickets"] == [
        {"id": waiting.id, "number": "B001", "service": "VP", "priority": None,
         "issued_at": "2026-03-02T08:00:00+07:00", "target_counter": None}
    ]
    assert [c["number"] for c in snap["recent_calls"]] == ["A001"]
    assert (snap["last_event_id"], snap["at"]) == (0, "2026-03-02T08:03:00+07:00")


def test_a_snapshot_lists_the_oldest_waiting_tickets_of_each_service_up_to_the_limit():
    o = office()
    s = queue(o)
    for minute in range(views.SNAPSHOT_WAITING_LIMIT + 5):
        issue(s, o, "HT", minutes=minute / 100)
    issue(s, o, "VP", minutes=2)
    listed = [t["number"] for t in views.snapshot_view(s, o, at(3))["waiting_tickets"]]
    expected = [f"A{seq:03d}" for seq in range(1, views.SNAPSHOT_WAITING_LIMIT + 1)] + ["B001"]
    assert listed == expected


def test_a_snapshot_of_a_fresh_queue_has_no_day_yet():
    o = office()
    s = queue(o)
    assert views.snapshot_view(s, o, at(0))["day"] is None


def test_a_ticket_of_a_past_day_shows_nobody_ahead():
    o = office()
    s = queue(o)
    old = issue(s, o, "HT")
    actions.start_day_if_new(s, o, at(0, day=1))
    view = views.ticket_view(s, o, old, at(0, day=1))
    assert (view["status"], view["ahead"], view["estimated_wait_s"]) == ("cancelled", 0, 0)
