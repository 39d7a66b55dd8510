"""Every endpoint of the device protocol in-process: the Flask app on a temp database.

The engine runs with a fake clock and predictable status tokens, so whole
JSON bodies are asserted. tests/server/test_live.py repeats one test of each
endpoint group through a real ``motcua serve`` process.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tests.support.servers import InProcess, act, issue
from wording import wait_promise

SERVICE_NAMES = {
    "HT": "Tư pháp – Hộ tịch",
    "VP": "Văn phòng – Thống kê",
    "DC": "Địa chính – Xây dựng – Nông nghiệp – Môi trường",
    "VH": "Văn hóa – Xã hội",
    "KQ": "Nhận kết quả",
}
EIGHT_O_CLOCK = "2026-03-02T08:00:00+07:00"


def ticket_body(ticket_id: int, number: str, service: str = "HT", **changes: Any) -> dict[str, Any]:
    """The whole public ticket as the API must show it (waiting, issued at 08:00, token tokN)."""
    body = {
        "id": ticket_id,
        "number": number,
        "service": service,
        "service_name": SERVICE_NAMES[service],
        "priority": None,
        "status": "waiting",
        "issued_at": EIGHT_O_CLOCK,
        "called_at": None,
        "finished_at": None,
        "counter": None,
        "counter_name": None,
        "target_counter": None,
        "procedure": None,
        "recalls": 0,
        "transfers": 0,
        "ahead": 0,
        "estimated_wait_s": 0,
        "wait_note": None,
        "expected_call_at": None,
        "status_url": f"http://localhost/t/tok{ticket_id}",  # the host the test client reaches the app at
    }
    unknown = set(changes) - set(body) - {"wait_text"}
    assert not unknown, unknown
    body.update(changes)
    if "wait_text" not in changes:  # the kiosk's and the paper's words for the same promise (wording)
        wait, note, call_at = body["estimated_wait_s"], body["wait_note"], body["expected_call_at"]
        assert isinstance(wait, int) and (note is None or isinstance(note, str))
        assert call_at is None or isinstance(call_at, str)
        body["wait_text"] = wait_promise(wait, note, call_at)
    return body


def counter_body(number: int, services: list[str], state: str = "closed", current: Any = None,
                 pause_reason: str | None = None) -> dict[str, Any]:
    """The whole public counter."""
    return {"number": number, "name": f"Quầy {number}", "services": services, "state": state,
            "pause_reason": pause_reason, "current": current, "closed_today": False}


# -- reading --------------------------------------------------------------------------

def test_health_says_ok(api: InProcess) -> None:
    answer = api.client.get("/api/health")
    assert (answer.status_code, answer.get_json()) == (200, {"status": "ok"})


def test_services_list_every_field_with_waiting_counts_and_estimates(api: InProcess) -> None:
    assert issue(api, "HT", "a").status_code == 201
    assert issue(api, "HT", "b").status_code == 201
    answer = api.client.get("/api/services")
    assert answer.status_code == 200
    assert answer.get_json() == {"services": [
        # Two wait for Hộ tịch; no counter is open yet, so one default service time (10 min) each.
        {"code": "HT", "name": SERVICE_NAMES["HT"], "prefix": "A", "counters": [1, 2], "waiting": 2,
         "estimated_wait_s": 1200, "wait_note": None, "expected_call_at": None, "wait_text": "khoảng 20 phút",
         "target_wait_minutes": 20, "accepting": True},
        {"code": "VP", "name": SERVICE_NAMES["VP"], "prefix": "B", "counters": [3], "waiting": 0,
         "estimated_wait_s": 0, "wait_note": None, "expected_call_at": None, "wait_text": "dưới 1 phút",
         "target_wait_minutes": 20, "accepting": True},
        {"code": "DC", "name": SERVICE_NAMES["DC"], "prefix": "C", "counters": [4], "waiting": 0,
         "estimated_wait_s": 0, "wait_note": None, "expected_call_at": None, "wait_text": "dưới 1 phút",
         "target_wait_minutes": 30, "accepting": True},
        {"code": "VH", "name": SERVICE_NAMES["VH"], "prefix": "D", "counters": [5], "waiting": 0,
         "estimated_wait_s": 0, "wait_note": None, "expected_call_at": None, "wait_text": "dưới 1 phút",
         "target_wait_minutes": 20, "accepting": True},
        {"code": "KQ", "name": SERVICE_NAMES["KQ"], "prefix": "K", "counters": [5], "waiting": 0,
         "estimated_wait_s": 0, "wait_note": None, "expected_call_at": None, "wait_text": "dưới 1 phút",
         "target_wait_minutes": 10, "accepting": True},
    ]}


def test_counters_start_closed_and_show_their_services(api: InProcess) -> None:
    answer = api.client.get("/api/counters")
    assert answer.status_code == 200
    assert answer.get_json() == {"counters": [
        counter_body(1, ["HT"]), counter_body(2, ["HT"]), counter_body(3, ["VP"]),
        counter_body(4, ["DC"]), counter_body(5, ["VH", "KQ"]),
    ]}


def test_openapi_is_valid_json_and_lists_every_route_of_the_app(api: InProcess) -> None:
    answer = api.client.get("/api/openapi.json")
    assert answer.status_code == 200
    document = json.loads(answer.data)
    assert document["openapi"].startswith("3.")
    documented = {re.sub(r"\{[^}]*\}", "{}", path) for path in document["paths"]}
    routes = {re.sub(r"<[^>]*>", "{}", rule.rule) for rule in api.app.url_map.iter_rules()
              if rule.rule.startswith("/api/") and rule.rule != "/api/openapi.json"}
    assert routes - documented == set(), "routes missing from the OpenAPI document"
    for required in ("/api/health", "/api/services", "/api/counters", "/api/tickets", "/api/tickets/{}",
                     "/api/status/{}", "/api/events", "/api/login", "/api/logout", "/api/me",
                     "/api/devices", "/api/devices/status"):
        assert required in documented, required
    for action in ("call-next", "call", "recall", "start", "no-show", "complete", "transfer", "pause", "resume",
                   "close"):
        assert f"/api/counters/{{}}/{action}" in documented
    refs = json.dumps(document).count('"$ref"')
    assert refs and all(name in document["components"]["schemas"] for name in ("Error", "Ticket", "Service", "Counter"))


# -- tickets ---------------------------------------------------------------------------

def test_a_kiosk_takes_a_ticket_and_gets_the_whole_public_ticket(api: InProcess) -> None:
    answer = issue(api, "HT", "key-1")
    assert answer.status_code == 201
    assert answer.get_json() == {"ticket": ticket_body(1, "A001")}
    second = issue(api, "HT", "key-2", priority="elderly")
    assert second.status_code == 201
    # The elderly citizen goes before A001 under priority_first: nobody ahead.
    assert second.get_json() == {"ticket": ticket_body(2, "A002", priority="elderly")}
    other = issue(api, "VP", "key-3", procedure="1.001193")
    assert other.get_json() == {"ticket": ticket_body(3, "B001", "VP", procedure="1.001193")}


def test_the_same_idempotency_key_gives_the_same_ticket_with_200(api: InProcess) -> None:
    first = issue(api, "HT", "retry-me")
    again = issue(api, "HT", "retry-me")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json() == {"ticket": ticket_body(1, "A001")}
    assert issue(api, "HT", "fresh").get_json()["ticket"]["number"] == "A002"
    with api.db.connect() as conn:
        assert conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 2


def test_the_same_idempotency_key_with_another_body_is_a_conflict(api: InProcess) -> None:
    assert issue(api, "HT", "once").status_code == 201
    answer = issue(api, "VP", "once")
    assert answer.status_code == 409
    assert answer.get_json() == {"error": {
        "code": "idempotency_key_reused",
        "message": "Idempotency-Key này đã dùng cho một yêu cầu khác; xin dùng khóa mới cho phiếu mới.",
    }}


def test_idempotency_keys_belong_to_one_device(api: InProcess) -> None:
    """Two kiosks that happen to send the same key get two tickets."""
    assert issue(api, "HT", "same", who="kiosk").status_code == 201
    other = issue(api, "HT", "same", who="kiosk2")
    assert other.status_code == 201
    assert other.get_json()["ticket"]["number"] == "A002"


def test_a_clerk_and_an_admin_may_take_tickets_too(api: InProcess) -> None:
    assert issue(api, "HT", "c", who="quay1").status_code == 201
    assert issue(api, "VH", "a", who="admin").status_code == 201


def test_ticket_status_by_id_and_by_token_is_public_without_the_link(api: InProcess) -> None:
    issue(api, "HT", "a")
    issue(api, "HT", "b")
    by_id = api.client.get("/api/tickets/2")
    assert by_id.status_code == 200
    assert by_id.get_json() == {"ticket": ticket_body(2, "A002", ahead=1, estimated_wait_s=600, status_url=None)}
    by_token = api.client.get("/api/status/tok2")
    assert by_token.status_code == 200
    assert by_token.get_json() == by_id.get_json()
    issuer = api.client.get("/api/tickets/2", headers=api.auth("kiosk"))
    assert issuer.get_json() == {"ticket": ticket_body(2, "A002", ahead=1, estimated_wait_s=600)}


def test_a_ticket_of_an_earlier_day_is_still_readable(api: InProcess) -> None:
    issue(api, "HT", "a")
    api.clock.advance(days=1)
    issue(api, "HT", "b")  # rolls the day over: yesterday's A001 is cancelled and leaves memory
    old = api.client.get("/api/tickets/1", headers=api.auth("kiosk"))
    assert old.status_code == 200
    assert old.get_json() == {"ticket": ticket_body(1, "A001", status="cancelled",
                                                    finished_at="2026-03-03T08:00:00+07:00")}
    anonymous = {"ticket": {**old.get_json()["ticket"], "status_url": None}}
    assert api.client.get("/api/tickets/1").get_json() == anonymous
    assert api.client.get("/api/status/tok1").get_json() == anonymous


# -- clerk actions ------------------------------------------------------------------

def test_a_clerk_calls_recalls_starts_and_completes_a_ticket(api: InProcess) -> None:
    issue(api, "HT", "a")
    issue(api, "HT", "b")
    called = act(api, 1, "call-next")
    assert called.status_code == 200
    at_counter: dict[str, Any] = dict(status="called", called_at=EIGHT_O_CLOCK, counter=1, counter_name="Quầy 1")
    assert called.get_json() == {"ticket": ticket_body(1, "A001", **at_counter)}
    recalled = act(api, 1, "recall")
    assert recalled.get_json() == {"ticket": ticket_body(1, "A001", **at_counter, recalls=1)}
    api.clock.advance(minutes=1)
    started = act(api, 1, "start")
    assert started.get_json() == {"ticket": ticket_body(1, "A001", **{**at_counter, "status": "serving"}, recalls=1)}
    api.clock.advance(minutes=6)
    done = act(api, 1, "complete")
    assert done.status_code == 200
    assert done.get_json() == {"ticket": ticket_body(1, "A001", **{**at_counter, "status": "done"}, recalls=1,
                                                     finished_at="2026-03-02T08:07:00+07:00")}
    counters = api.client.get("/api/counters").get_json()["counters"]
    assert counters[0] == counter_body(1, ["HT"], "idle")


def test_call_next_completes_the_ticket_in_progress_then_answers_204_when_nobody_waits(api: InProcess) -> None:
    issue(api, "VP", "a")
    assert act(api, 3, "call-next").get_json()["ticket"]["number"] == "B001"
    nobody = act(api, 3, "call-next")
    assert nobody.status_code == 204
    assert nobody.data == b""
    assert api.client.get("/api/tickets/1").get_json()["ticket"]["status"] == "done"


def test_a_no_show_who_comes_back_within_the_grace_is_called_again(api: InProcess) -> None:
    issue(api, "HT", "a")
    act(api, 1, "call-next")
    missed = act(api, 1, "no-show")
    assert missed.status_code == 200
    assert missed.get_json() == {"ticket": ticket_body(1, "A001", status="no_show", called_at=EIGHT_O_CLOCK,
                                                       finished_at=EIGHT_O_CLOCK, counter=1, counter_name="Quầy 1")}
    api.clock.advance(minutes=10)
    back = act(api, 2, "call", {"ticket": 1})
    assert back.status_code == 200
    assert back.get_json() == {"ticket": ticket_body(1, "A001", status="called", called_at="2026-03-02T08:10:00+07:00",
                                                     counter=2, counter_name="Quầy 2")}


def test_a_no_show_after_the_grace_cannot_be_called(api: InProcess) -> None:
    issue(api, "HT", "a")
    act(api, 1, "call-next")
    act(api, 1, "no-show")
    api.clock.advance(minutes=16)
    late = act(api, 1, "call", {"ticket": 1})
    assert late.status_code == 409
    assert late.get_json() == {"error": {"code": "ticket_not_callable", "message":
                                         "Phiếu A001 đã lỡ lượt gọi quá 15 phút; xin lấy số mới."}}


def test_transfer_to_a_service_then_to_a_counter(api: InProcess) -> None:
    issue(api, "HT", "a")
    act(api, 1, "call-next")
    api.clock.advance(minutes=2)
    moved = act(api, 1, "transfer", {"service": "VP"})
    assert moved.status_code == 200
    assert moved.get_json() == {"ticket": ticket_body(1, "A001", "VP", transfers=1)}
    assert api.client.get("/api/counters").get_json()["counters"][0] == counter_body(1, ["HT"], "idle")
    assert act(api, 3, "call-next").get_json()["ticket"]["number"] == "A001"
    to_counter = act(api, 3, "transfer", {"counter": 4})
    # Counter 4 takes only Địa chính, so the ticket joins that field, reserved for counter 4.
    assert to_counter.get_json() == {"ticket": ticket_body(1, "A001", "DC", transfers=2, target_counter=4)}
    assert act(api, 4, "call-next").get_json()["ticket"] == ticket_body(
        1, "A001", "DC", transfers=2, status="called", called_at="2026-03-02T08:02:00+07:00",
        counter=4, counter_name="Quầy 4")


def test_pause_resume_and_close_a_counter(api: InProcess) -> None:
    act(api, 5, "call-next")  # opens the counter; nobody waits
    paused = act(api, 5, "pause", {"reason": "Nghỉ trưa"})
    assert paused.status_code == 200
    assert paused.get_json() == {"counter": counter_body(5, ["VH", "KQ"], "paused", pause_reason="Nghỉ trưa")}
    resumed = act(api, 5, "resume")
    assert resumed.get_json() == {"counter": counter_body(5, ["VH", "KQ"], "idle")}
    closed = act(api, 5, "close")
    assert closed.get_json() == {"counter": counter_body(5, ["VH", "KQ"], "closed")}


def test_an_admin_may_act_at_any_counter(api: InProcess) -> None:
    issue(api, "DC", "a")
    answer = act(api, 4, "call-next", who="admin")
    assert answer.status_code == 200
    assert answer.get_json()["ticket"]["counter"] == 4


def test_call_next_refuses_while_a_ticket_is_in_progress_when_the_office_says_so(make_app) -> None:
    api = make_app({'call_with_current = "complete"': 'call_with_current = "refuse"'})
    issue(api, "HT", "a")
    issue(api, "HT", "b")
    assert act(api, 1, "call-next").status_code == 200
    refused = act(api, 1, "call-next")
    assert refused.status_code == 409
    assert refused.get_json() == {"error": {"code": "counter_busy", "message": (
        "Phiếu A001 vẫn đang ở quầy này: xin bấm xong, vắng mặt hoặc chuyển phiếu trước.")}}
    assert act(api, 1, "complete").status_code == 200
    assert act(api, 1, "call-next").get_json()["ticket"]["number"] == "A002"


# -- people and devices ---------------------------------------------------------------

def test_login_me_and_logout(api: InProcess) -> None:
    login = api.client.post("/api/login", json={"username": "Quay1", "password": "mat-khau-quay"})
    assert login.status_code == 200
    body = login.get_json()
    assert set(body) == {"token", "expires_at", "user"}
    assert body["user"] == {"name": "quay1", "role": "clerk", "kind": "person", "counters": [1],
                            "must_change_password": False}
    bearer = {"Authorization": f"Bearer {body['token']}"}
    me = api.client.get("/api/me", headers=bearer)
    assert (me.status_code, me.get_json()) == (200, {"user": body["user"]})
    out = api.client.post("/api/logout", headers=bearer)
    assert (out.status_code, out.get_json()) == (200, {"status": "signed_out"})
    after = api.client.get("/api/me", headers=bearer)
    assert after.status_code == 401
    assert after.get_json()["error"]["code"] == "invalid_token"


def test_devices_report_status_and_the_admin_sees_it(api: InProcess) -> None:
    report = api.client.post("/api/devices/status", headers=api.auth("kiosk"),
                             json={"component": "printer", "ok": False, "code": "paper_out", "message": "Hết giấy"})
    assert (report.status_code, report.get_json()) == (200, {"status": "recorded"})
    listing = api.client.get("/api/devices", headers=api.auth("admin"))
    assert listing.status_code == 200
    devices = {d["name"]: d for d in listing.get_json()["devices"]}
    assert set(devices) == {"kiosk-1", "kiosk-2", "display-1", "rating-1"}
    kiosk = devices["kiosk-1"]
    at = kiosk["status"]["printer"].pop("at")
    assert kiosk["last_seen_at"] == at
    assert kiosk == {"name": "kiosk-1", "role": "kiosk", "last_seen_at": at, "connected": False, "active": True,
                     "pairing": False, "status": {"printer": {"ok": False, "code": "paper_out", "message": "Hết giấy"}}}
    assert devices["display-1"] == {"name": "display-1", "role": "display", "last_seen_at": None, "status": {},
                                    "connected": False, "active": True, "pairing": False}


def test_vietnamese_text_is_stored_nfc(api: InProcess) -> None:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Nghỉ trưa")
    assert decomposed != "Nghỉ trưa"
    paused = act(api, 5, "pause", {"reason": decomposed})
    assert paused.get_json()["counter"]["pause_reason"] == "Nghỉ trưa"
