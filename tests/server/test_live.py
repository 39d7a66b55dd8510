"""Each endpoint group through a real ``motcua serve`` (waitress) on loopback.

One server for the module; each test works on its own services and counters
so the tests do not depend on their order.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import requests

from queue_server.client import ApiError, ErrorCode, QueueClient, ServerEvent
from tests.support.live_server import CLERK_PASSWORD, LiveServer


@pytest.fixture
def server(shared_server: LiveServer) -> LiveServer:
    return shared_server


def client(server: LiveServer, who: str | None = None) -> QueueClient:
    return QueueClient(server.url, server.tokens[who] if who else None)


def answered(clerk: QueueClient, counter: int, action: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """The answer of a counter action that must have a body: a 204 fails here, saying which action."""
    answer = clerk.counter_action(counter, action, body)
    assert answer is not None, f"{action} at counter {counter} answered 204"
    return answer


def event_id(event: ServerEvent) -> int:
    """The id of an event of the feed: the server gives every one an id, for resuming."""
    assert event.id is not None, event
    return event.id


def raw(server: LiveServer, method: str, path: str, who: str | None = None, **kwargs: Any) -> requests.Response:
    headers = kwargs.pop("headers", {})
    if who:
        headers["Authorization"] = f"Bearer {server.tokens[who]}"
    return requests.request(method, server.url + path, headers=headers, timeout=10, **kwargs)


def test_health_services_counters_and_openapi(server: LiveServer) -> None:
    anyone = client(server)
    assert anyone.health() == {"status": "ok"}
    services = anyone.services()
    assert [(s["code"], s["prefix"], s["counters"]) for s in services] == [
        ("HT", "A", [1, 2]), ("VP", "B", [3]), ("DC", "C", [4]), ("VH", "D", [5]), ("KQ", "K", [5])]
    assert [c["number"] for c in anyone.counters()] == [1, 2, 3, 4, 5]
    document = raw(server, "GET", "/api/openapi.json")
    assert document.status_code == 200 and document.headers["Content-Type"].startswith("application/json")
    paths = json.loads(document.text)["paths"]
    assert {"/api/tickets", "/api/events", "/api/counters/{n}/call-next", "/api/login"} <= set(paths)


def test_tickets_with_idempotency_and_public_status(server: LiveServer) -> None:
    kiosk = client(server, "kiosk")
    key = uuid.uuid4().hex
    first = raw(server, "POST", "/api/tickets", "kiosk", json={"service": "VP"}, headers={"Idempotency-Key": key})
    again = raw(server, "POST", "/api/tickets", "kiosk", json={"service": "VP"}, headers={"Idempotency-Key": key})
    other = raw(server, "POST", "/api/tickets", "kiosk", json={"service": "HT"}, headers={"Idempotency-Key": key})
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 409)
    assert again.json() == first.json()
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    ticket = first.json()["ticket"]
    assert ticket["service"] == "VP" and ticket["status"] == "waiting" and ticket["number"].startswith("B")
    following = kiosk.issue_ticket("VP", priority="elderly", idempotency_key=uuid.uuid4().hex)
    assert int(following["number"][1:]) == int(ticket["number"][1:]) + 1
    assert following["priority"] == "elderly"
    again_later = client(server).ticket(ticket["id"])
    moving = ("ahead", "estimated_wait_s", "wait_note", "expected_call_at", "wait_text")  # they follow the clock
    assert {k: v for k, v in again_later.items() if k not in moving} == \
        {k: v for k, v in ticket.items() if k not in moving} | {"status_url": None}
    assert kiosk.ticket(ticket["id"])["status_url"] == ticket["status_url"]
    token = ticket["status_url"].rsplit("/", 1)[-1]
    by_token = raw(server, "GET", f"/api/status/{token}")
    assert by_token.status_code == 200 and by_token.json()["ticket"]["id"] == ticket["id"]


def test_every_counter_action(server: LiveServer) -> None:
    kiosk = client(server, "kiosk")
    clerk = QueueClient(server.url)
    clerk.login("quay4", CLERK_PASSWORD)
    first = kiosk.issue_ticket("DC", idempotency_key=uuid.uuid4().hex)
    second = kiosk.issue_ticket("DC", idempotency_key=uuid.uuid4().hex)
    assert answered(clerk, 4, "call-next")["ticket"]["id"] == first["id"]
    assert answered(clerk, 4, "recall")["ticket"]["recalls"] == 1
    assert answered(clerk, 4, "start")["ticket"]["status"] == "serving"
    assert answered(clerk, 4, "complete")["ticket"]["status"] == "done"
    assert answered(clerk, 4, "call-next")["ticket"]["id"] == second["id"]
    assert answered(clerk, 4, "no-show")["ticket"]["status"] == "no_show"
    back = answered(clerk, 4, "call", {"ticket": second["id"]})["ticket"]
    assert (back["status"], back["counter"]) == ("called", 4)
    moved = answered(clerk, 4, "transfer", {"service": "VH"})["ticket"]
    assert (moved["status"], moved["service"], moved["transfers"]) == ("waiting", "VH", 1)
    fifth = QueueClient(server.url, server.login("quay5"))
    assert answered(fifth, 5, "call-next")["ticket"]["id"] == second["id"]
    sent = answered(fifth, 5, "transfer", {"counter": 4})["ticket"]
    assert (sent["target_counter"], sent["service"]) == (4, "DC")
    assert answered(clerk, 4, "call-next")["ticket"]["id"] == second["id"]
    with pytest.raises(ApiError) as refused:  # a called citizen must not be sent to a paused counter
        clerk.counter_action(4, "pause", {"reason": "Họp giao ban"})
    assert (refused.value.status, refused.value.code) == (409, ErrorCode.TICKET_IN_PROGRESS)
    assert answered(clerk, 4, "complete")["ticket"]["status"] == "done"
    paused = answered(clerk, 4, "pause", {"reason": "Họp giao ban"})["counter"]
    assert (paused["state"], paused["pause_reason"]) == ("paused", "Họp giao ban")
    assert answered(clerk, 4, "resume")["counter"]["state"] == "idle"
    assert clerk.counter_action(4, "call-next") is None  # 204: the DC line is empty
    assert answered(clerk, 4, "close")["counter"]["state"] == "closed"


def test_login_me_logout(server: LiveServer) -> None:
    person = QueueClient(server.url)
    with pytest.raises(ApiError) as wrong:
        person.login("quay1", "not-the-password")
    assert (wrong.value.status, wrong.value.code) == (401, "bad_credentials")
    person.login("quay1", CLERK_PASSWORD)
    assert person.get_json("/api/me") == {"user": {"name": "quay1", "role": "clerk", "kind": "person", "counters": [1],
                                                "must_change_password": False}}
    assert person.post_json("/api/logout") == {"status": "signed_out"}
    with pytest.raises(ApiError) as revoked:
        person.get_json("/api/me")
    assert (revoked.value.status, revoked.value.code) == (401, "invalid_token")


def test_devices_report_and_the_admin_lists_them(server: LiveServer) -> None:
    client(server, "display").report_status("screen", True)
    devices = client(server, "admin").get_json("/api/devices")["devices"]
    display = next(d for d in devices if d["name"] == "display-1")
    assert display["status"]["screen"]["ok"] is True and display["status"]["screen"]["code"] == "ok"
    with pytest.raises(ApiError) as refused:
        client(server, "kiosk").get_json("/api/devices")
    assert refused.value.status == 403


ERROR_REQUESTS = [
    ("POST", "/api/tickets", "kiosk", {"data": b"{nope", "headers": {"Idempotency-Key": "e1"}}, 400, "bad_json"),
    ("POST", "/api/tickets", "kiosk", {"json": [1], "headers": {"Idempotency-Key": "e2"}}, 422, "invalid_body"),
    ("POST", "/api/tickets", "kiosk", {"data": b"[" * 5000 + b"]" * 5000, "headers": {"Idempotency-Key": "e3"}},
     422, "invalid_body"),
    ("POST", "/api/tickets", "kiosk", {"json": {"service": "HT"}}, 422, "missing_idempotency_key"),
    ("POST", "/api/tickets", "kiosk",
     {"json": {"service": "HT", "priority": "appointment"}, "headers": {"Idempotency-Key": "e4"}},
     422, "invalid_priority"),
    ("POST", "/api/tickets", "kiosk", {"json": {"service": "ZZ"}, "headers": {"Idempotency-Key": "e5"}},
     404, "unknown_service"),
    ("POST", "/api/tickets", "display", {"json": {"service": "HT"}, "headers": {"Idempotency-Key": "e6"}},
     403, "forbidden"),
    ("POST", "/api/tickets", None, {"json": {"service": "HT"}, "headers": {"Idempotency-Key": "e7"}},
     401, "unauthorized"),
    ("POST", "/api/tickets", "kiosk",
     {"data": b'{"service":"' + b"x" * 17000 + b'"}', "headers": {"Idempotency-Key": "e8"}},
     413, "body_too_large"),
    ("POST", "/api/tickets", "kiosk",
     {"data": iter([b'{"service":"', b"x" * 17000, b'"}']), "headers": {"Idempotency-Key": "e9"}},
     413, "body_too_large"),
    ("GET", "/api/tickets/999999", None, {}, 404, "unknown_ticket"),
    ("GET", "/api/tickets/99999999999999999999", None, {}, 404, "unknown_ticket"),
    ("POST", "/api/counters/2/call-next", "kiosk", {}, 403, "forbidden"),
    ("POST", "/api/counters/2/call-next", "quay1", {}, 403, "not_your_counter"),
    ("POST", "/api/counters/77/call-next", "admin", {}, 404, "unknown_counter"),
    ("POST", "/api/counters/2/complete", "quay2", {}, 409, "no_current_ticket"),
    ("POST", "/api/counters/2/pause", "quay2", {"json": {}}, 422, "missing_field"),
    ("GET", "/api/me", None, {"headers": {"Authorization": "Bearer forged"}}, 401, "invalid_token"),
    ("DELETE", "/api/tickets", "kiosk", {}, 405, "method_not_allowed"),
]


@pytest.mark.parametrize("method, path, who, options, status, code", ERROR_REQUESTS,
                         ids=[f"{r[4]}-{r[5]}-{i}" for i, r in enumerate(ERROR_REQUESTS)])
def test_errors_through_the_real_server(server: LiveServer, method, path, who, options, status, code) -> None:
    answer = raw(server, method, path, who, **{k: (dict(v) if k == "headers" else v) for k, v in options.items()})
    assert answer.status_code == status
    assert answer.headers["Content-Type"].startswith("application/json")
    body = answer.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code


# -- the live feed -----------------------------------------------------------------------

def test_the_live_feed_through_the_real_server(server: LiveServer) -> None:
    kiosk = client(server, "kiosk")
    clerk = QueueClient(server.url, server.login("quay2"))
    feed = client(server, "display").events(read_timeout=5)
    try:
        snapshot = next(feed)
        assert snapshot.type == "snapshot" and snapshot.id == snapshot.data["last_event_id"]
        ticket = kiosk.issue_ticket("HT", idempotency_key=uuid.uuid4().hex)
        clerk.counter_action(2, "call-next")
        clerk.counter_action(2, "recall")
        events = [next(feed) for _ in range(3)]
    finally:
        feed.close()
    assert [e.id for e in events] == list(range(event_id(snapshot) + 1, event_id(snapshot) + 4))
    assert [e.type for e in events] == ["ticket.issued", "ticket.called", "ticket.recalled"]
    assert events[0].data["ticket"]["id"] == ticket["id"]
    # The screen was away while the clerk finished and paused: it resumes from the last id it saw.
    clerk.counter_action(2, "complete")
    clerk.counter_action(2, "pause", {"reason": "Nghỉ trưa"})
    resumed = client(server, "display").events(last_event_id=event_id(events[0]), read_timeout=5)
    try:
        replay = [next(resumed) for _ in range(4)]
        clerk.counter_action(2, "resume")
        live = next(resumed)
    finally:
        resumed.close()
    assert [e.type for e in replay] == ["ticket.called", "ticket.recalled", "ticket.completed", "counter.paused"]
    assert [e.id for e in replay] == list(range(event_id(events[0]) + 1, event_id(events[0]) + 5))
    assert replay[:2] == events[1:]
    assert (live.type, live.id) == ("counter.resumed", event_id(replay[-1]) + 1)


def test_twenty_open_screens_do_not_block_the_kiosk(server: LiveServer) -> None:
    """Each open feed holds a server thread; tickets must still be issued and reach every screen."""
    feeds = [client(server, "display").events(read_timeout=10) for _ in range(20)]
    try:
        snapshots = [next(feed) for feed in feeds]
        assert {s.type for s in snapshots} == {"snapshot"}
        ticket = client(server, "kiosk").issue_ticket("VP", idempotency_key=uuid.uuid4().hex)
        seen = [next(feed) for feed in feeds]
    finally:
        for feed in feeds:
            feed.close()
    assert {(e.id, e.type, e.data["ticket"]["id"]) for e in seen} == {
        (event_id(snapshots[0]) + 1, "ticket.issued", ticket["id"])}
