"""A ticket's status link (its token) and procedure reach only the issuing device and staff.

Ticket ids are sequential, so anything anonymous that answers by id, and the
anonymous live feed, must carry neither.
"""

from __future__ import annotations

import json

import pytest

from queue_server.web import api_events
from tests.support.event_feed import Feed
from tests.support.servers import InProcess, act, issue

PROCEDURE = "1.001193"


def _private_fields_in(value) -> list[tuple[str, object]]:
    """Every non-null status_url or procedure anywhere in a JSON value."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("status_url", "procedure") and item is not None:
                found.append((key, item))
            found += _private_fields_in(item)
    elif isinstance(value, list):
        for item in value:
            found += _private_fields_in(item)
    return found


def test_the_issuing_kiosk_gets_the_link_and_the_procedure_when_it_takes_the_ticket(api: InProcess) -> None:
    ticket = issue(api, "HT", "a", procedure=PROCEDURE).get_json()["ticket"]
    assert (ticket["status_url"], ticket["procedure"]) == ("http://localhost/t/tok1", PROCEDURE)


def test_an_anonymous_read_by_id_carries_neither_the_link_nor_the_procedure(api: InProcess) -> None:
    issue(api, "HT", "a", procedure=PROCEDURE)
    ticket = api.client.get("/api/tickets/1").get_json()["ticket"]
    assert (ticket["number"], ticket["status_url"], ticket["procedure"]) == ("A001", None, None)
    assert "tok1" not in api.client.get("/api/tickets/1").get_data(as_text=True)


def test_another_device_reads_the_ticket_like_anyone(api: InProcess) -> None:
    issue(api, "HT", "a", procedure=PROCEDURE)
    for who in ("kiosk2", "display", "rating"):
        ticket = api.client.get("/api/tickets/1", headers=api.auth(who)).get_json()["ticket"]
        assert (ticket["status_url"], ticket["procedure"]) == (None, None), who


def test_the_issuing_device_and_staff_read_the_whole_ticket(api: InProcess) -> None:
    issue(api, "HT", "a", procedure=PROCEDURE)
    for who in ("kiosk", "quay1", "quay3", "admin"):
        ticket = api.client.get("/api/tickets/1", headers=api.auth(who)).get_json()["ticket"]
        assert (ticket["status_url"], ticket["procedure"]) == ("http://localhost/t/tok1", PROCEDURE), who


def test_the_status_by_token_does_not_echo_the_token(api: InProcess) -> None:
    issue(api, "HT", "a", procedure=PROCEDURE)
    answer = api.client.get("/api/status/tok1")
    assert answer.status_code == 200
    assert answer.get_json()["ticket"]["number"] == "A001"
    assert _private_fields_in(answer.get_json()) == []


def test_the_counters_list_shows_the_current_ticket_without_its_link(api: InProcess) -> None:
    issue(api, "HT", "a", procedure=PROCEDURE)
    act(api, 1, "call-next")
    counters = api.client.get("/api/counters").get_json()
    assert counters["counters"][0]["current"]["number"] == "A001"
    assert _private_fields_in(counters) == []


@pytest.fixture
def quick_heartbeat(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api_events, "HEARTBEAT_SECONDS", 0.3)


def test_no_event_of_the_live_feed_carries_a_link_or_a_procedure(api: InProcess, quick_heartbeat: None) -> None:
    issue(api, "HT", "a", procedure=PROCEDURE)
    act(api, 1, "call-next")
    feed = Feed(api)
    try:
        snapshot = feed.next()
        assert snapshot.type == "snapshot" and snapshot.data["recent_calls"][0]["number"] == "A001"
        issue(api, "HT", "b", procedure=PROCEDURE)
        act(api, 1, "recall")
        act(api, 1, "start")
        act(api, 1, "complete")
        act(api, 1, "call-next")
        act(api, 1, "no-show")
        issue(api, "HT", "c", procedure=PROCEDURE)
        act(api, 1, "call-next")
        act(api, 1, "transfer", {"service": "VP"})
        act(api, 1, "pause", {"reason": "Họp"})
        act(api, 1, "resume")
        events = feed.take(11)
    finally:
        feed.close()
    assert {e.type for e in events} >= {"ticket.issued", "ticket.called", "ticket.recalled", "ticket.serving",
                                         "ticket.completed", "ticket.no_show", "ticket.transferred",
                                         "counter.paused", "counter.resumed"}
    for event in [snapshot, *events]:
        assert _private_fields_in(event.data) == [], event.type
    assert "tok" not in "".join(feed.raw)


def test_a_replay_of_events_logged_with_links_leaves_them_out(api: InProcess, quick_heartbeat: None) -> None:
    """Events logged before the fix carried the whole ticket; a Last-Event-ID replay must not resend it."""
    issue(api, "HT", "a", procedure=PROCEDURE)
    with api.db.connect() as conn:
        (event_id, data), = conn.execute("SELECT id, data FROM events WHERE type = 'ticket.issued'").fetchall()
        old = json.loads(data)
        old["ticket"].update(status_url="http://127.0.0.1:8080/t/tok1", procedure=PROCEDURE)
        conn.execute("UPDATE events SET data = ? WHERE id = ?", (json.dumps(old, separators=(",", ":")), event_id))
    feed = Feed(api, last_event_id=event_id - 1)
    try:
        replayed = feed.next()
    finally:
        feed.close()
    assert replayed.type == "ticket.issued" and replayed.data["ticket"]["number"] == "A001"
    assert _private_fields_in(replayed.data) == []
