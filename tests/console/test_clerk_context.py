"""The clerk's context on the console's read (issue 14.4), in-process: the procedure by name, where a transfer
came from and its note (to staff only), pause refused with a citizen called, calling one number out of
order, waits against the target, and the tickets served today."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from queue_server.store.db import connect
from tests.support.console import Console

NOTE = "Thiếu bản sao CCCD, đã hẹn bổ sung chiều nay"
BIRTH = "1.001193"  # "Đăng ký khai sinh" in the sample catalogue, a Hộ tịch procedure


def queue_of(console: Console, counter: int = 1) -> dict[str, Any]:
    """The console's read of one counter."""
    answer = console.client.get(f"/console/api/counters/{counter}/queue")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()


def logged_events(console: Console) -> list[tuple[str, int | None, str]]:
    """The event log (what the live feed sends to every screen): type, ticket, data."""
    db = connect(console.app.config["MOTCUA_DB"])
    try:
        return db.conn.execute("SELECT type, ticket_id, data FROM events ORDER BY id").fetchall()
    finally:
        db.close()


def test_the_current_ticket_names_the_procedure_chosen_at_the_kiosk(console: Console):
    csrf = console.enter()
    console.issue(procedure=BIRTH)
    console.post("/api/counters/1/call-next", csrf=csrf)
    current = queue_of(console)["current"]
    assert (current["number"], current["procedure"], current["procedure_name"]) == ("A001", BIRTH,
                                                                                    "Đăng ký khai sinh")


def test_a_procedure_the_catalogue_lacks_shows_its_code_and_no_procedure_shows_none(console: Console):
    console.enter()
    console.issue(key="a", procedure="9.999999")
    console.issue(key="b")
    waiting = queue_of(console)["waiting"]
    assert [(t["number"], t["procedure_name"]) for t in waiting] == [("A001", "9.999999"), ("A002", None)]
    assert queue_of(console)["current"] is None


def test_the_receiving_clerk_sees_where_a_ticket_came_from_and_its_note(console: Console):
    csrf = console.enter("admin")
    console.issue(procedure=BIRTH)
    console.post("/api/counters/1/call-next", csrf=csrf)
    sent = console.post("/api/counters/1/transfer", {"counter": 2, "note": unicodedata.normalize("NFD", NOTE)},
                        csrf=csrf)
    assert sent.status_code == 200, sent.get_data(as_text=True)
    origin = {"counter": 1, "counter_name": "Quầy 1", "service": "HT", "service_name": "Tư pháp – Hộ tịch"}
    waiting = queue_of(console, 2)["waiting"]
    assert [(t["number"], t["transferred_from"], t["transfer_note"]) for t in waiting] == [("A001", origin, NOTE)]
    console.post("/api/counters/2/call-next", csrf=csrf)
    current = queue_of(console, 2)["current"]
    assert (current["transferred_from"], current["transfer_note"], current["procedure_name"]) == (
        origin, NOTE, "Đăng ký khai sinh")


def test_the_transfer_note_never_reaches_a_screen_the_feed_or_the_citizens_pages(console: Console):
    csrf = console.enter("admin")
    ticket = console.issue().get_json()["ticket"]
    console.post("/api/counters/1/call-next", csrf=csrf)
    console.post("/api/counters/1/transfer", {"counter": 2, "note": NOTE}, csrf=csrf)
    console.post("/api/counters/2/call-next", csrf=csrf)
    kiosk = {"Authorization": f"Bearer {console.kiosk_token}"}  # the issuing device sees its private fields
    token = ticket["status_url"].rsplit("/", 1)[-1]
    answers = [console.client.get("/api/counters"), console.client.get(f"/api/tickets/{ticket['id']}", headers=kiosk),
               console.client.get(f"/api/status/{token}"), console.client.get(f"/t/{token}")]
    assert [a.status_code for a in answers] == [200, 200, 200, 200]
    for answer in answers:
        assert NOTE not in answer.get_data(as_text=True)
    transferred = [json.loads(data) for kind, _, data in logged_events(console) if kind == "ticket.transferred"]
    assert transferred and NOTE not in json.dumps(transferred, ensure_ascii=False)


def test_an_overlong_transfer_note_is_refused_and_the_ticket_stays(console: Console):
    csrf = console.enter()
    console.issue()
    console.post("/api/counters/1/call-next", csrf=csrf)
    refused = console.post("/api/counters/1/transfer", {"counter": 2, "note": "x" * 201}, csrf=csrf)
    assert refused.status_code == 422
    assert refused.get_json() == {"error": {"code": "invalid_request",
                                            "message": "Ghi chú chuyển phiếu quá dài: tối đa 200 ký tự."}}
    assert queue_of(console)["current"]["number"] == "A001"


def test_pause_is_refused_while_a_citizen_is_called_and_taken_once_finished(console: Console):
    csrf = console.enter()
    console.issue()
    console.post("/api/counters/1/call-next", csrf=csrf)
    refused = console.post("/api/counters/1/pause", {"reason": "Nghỉ trưa"}, csrf=csrf)
    assert refused.status_code == 409
    assert refused.get_json() == {"error": {"code": "ticket_in_progress", "message":
                                            "Phiếu A001 vẫn đang ở quầy 1: xin bấm Hoàn thành, Vắng mặt "
                                            "hoặc Chuyển phiếu trước khi tạm dừng."}}
    counter = console.client.get("/api/counters").get_json()["counters"][0]
    assert (counter["state"], counter["current"]["number"]) == ("serving", "A001")
    console.post("/api/counters/1/complete", csrf=csrf)
    paused = console.post("/api/counters/1/pause", {"reason": "Nghỉ trưa"}, csrf=csrf)
    assert (paused.status_code, paused.get_json()["counter"]["state"]) == (200, "paused")


def test_a_clerk_calls_a_waiting_number_out_of_order_like_any_call(console: Console):
    csrf = console.enter()
    for key in "abc":
        console.issue(key=key)
    called = console.post("/api/counters/1/call", {"ticket": " a003 "}, csrf=csrf)
    assert called.status_code == 200, called.get_data(as_text=True)
    assert {k: called.get_json()["ticket"][k] for k in ("id", "number", "status", "counter")} == {
        "id": 3, "number": "A003", "status": "called", "counter": 1}
    assert logged_events(console)[-1][:2] == ("ticket.called", 3)
    assert [t["number"] for t in queue_of(console)["waiting"]] == ["A001", "A002"]


def test_calling_a_number_of_another_field_or_nobodys_is_refused(console: Console):
    csrf = console.enter()
    console.issue(service="VP")
    other = console.post("/api/counters/1/call", {"ticket": "B001"}, csrf=csrf)
    assert (other.status_code, other.get_json()["error"]["code"]) == (409, "ticket_not_callable")
    nobody = console.post("/api/counters/1/call", {"ticket": "A042"}, csrf=csrf)
    assert nobody.status_code == 404
    assert nobody.get_json() == {"error": {"code": "unknown_ticket",
                                           "message": "Hôm nay không có phiếu số A042 trong hàng chờ."}}


def test_waiting_chips_carry_the_wait_the_fields_target_and_the_priority_group(console: Console):
    console.enter()
    console.issue(key="a", priority="elderly")
    console.clock.advance(minutes=21)
    console.issue(key="b")
    answer = queue_of(console)
    assert answer["at"] == "2026-03-02T08:21:00+07:00"
    assert [(t["number"], t["priority"], t["waited_s"], t["target_wait_s"], t["over_target"])
            for t in answer["waiting"]] == [("A001", "elderly", 1260, 1200, True), ("A002", None, 0, 1200, False)]


def test_tickets_served_today_at_the_counter_latest_first(console: Console):
    csrf = console.enter()
    console.issue(key="a")
    console.issue(key="b", procedure=BIRTH)
    console.issue(key="c")
    console.post("/api/counters/1/call-next", csrf=csrf)  # A001 at 08:00
    console.clock.advance(minutes=5)
    console.post("/api/counters/1/call-next", csrf=csrf)  # A001 done at 08:05, A002 called
    console.clock.advance(minutes=7)
    console.post("/api/counters/1/complete", csrf=csrf)  # A002 done at 08:12
    console.post("/api/counters/1/call-next", csrf=csrf)
    console.post("/api/counters/1/no-show", csrf=csrf)  # A003 absent: not served
    answer = queue_of(console)
    assert answer["served_total"] == 2
    assert answer["served"] == [
        {"id": 2, "number": "A002", "service": "HT", "service_name": "Tư pháp – Hộ tịch", "priority": None,
         "procedure": BIRTH, "procedure_name": "Đăng ký khai sinh", "called_at": "2026-03-02T08:05:00+07:00",
         "finished_at": "2026-03-02T08:12:00+07:00", "service_s": 420},
        {"id": 1, "number": "A001", "service": "HT", "service_name": "Tư pháp – Hộ tịch", "priority": None,
         "procedure": None, "procedure_name": None, "called_at": "2026-03-02T08:00:00+07:00",
         "finished_at": "2026-03-02T08:05:00+07:00", "service_s": 300},
    ]
    assert queue_of(console, 1)["served"] and console.client.get("/console/api/counters/2/queue").status_code == 403
