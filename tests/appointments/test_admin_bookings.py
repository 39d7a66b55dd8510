"""The office head's bookings (issue 15.1): a day's list, cancel with a reason, close a slot or a day.

In-process app on the fake clock (Monday 2 March 2026, 08:00, UTC+7).
"""

from __future__ import annotations

from typing import Any


def book(app: Any, slot: str, service: str = "HT") -> dict[str, Any]:
    answer = app.client.post("/api/appointments", json={"service": service, "slot": slot})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["appointment"]


def admin_post(app: Any, path: str, body: dict[str, Any]) -> Any:
    return app.client.post(path, json=body, headers=app.auth("admin"))


def test_the_admin_sees_a_days_bookings_in_slot_order_with_the_phone(app) -> None:
    late, early = book(app, "2026-03-03T10:00"), book(app, "2026-03-03T08:00", "DC")
    book(app, "2026-03-04T08:00")
    day = app.client.get("/api/admin/bookings?date=2026-03-03", headers=app.auth("admin")).get_json()
    assert [b["code"] for b in day["bookings"]] == [early["code"], late["code"]]
    assert {"phone", "cancel_reason"} <= set(day["bookings"][0]) and day["blocks"] == []
    only_ht = app.client.get("/api/admin/bookings?date=2026-03-03&service=HT", headers=app.auth("admin")).get_json()
    assert [b["code"] for b in only_ht["bookings"]] == [late["code"]]
    assert app.client.get("/api/admin/bookings", headers=app.auth("quay1")).status_code == 403
    assert app.client.get("/api/admin/bookings").status_code == 401


def test_cancelling_for_the_office_needs_a_reason_and_keeps_it_off_the_public_view(app) -> None:
    seat = book(app, "2026-03-03T09:00")
    no_reason = admin_post(app, f"/api/admin/bookings/{seat['code']}/cancel", {"reason": "  "})
    assert no_reason.status_code == 422 and "lý do" in no_reason.get_json()["error"]["message"]
    done = admin_post(app, f"/api/admin/bookings/{seat['code']}/cancel", {"reason": "Họp đột xuất"})
    assert done.status_code == 200
    assert done.get_json()["appointment"]["status"] == "cancelled"
    assert done.get_json()["appointment"]["cancel_reason"] == "Họp đột xuất (admin)"
    public = app.client.get(f"/api/appointments/{seat['code']}").get_json()["appointment"]
    assert public["status"] == "cancelled" and "cancel_reason" not in public and "phone" not in public
    assert admin_post(app, "/api/admin/bookings/ZZZZZZZZ/cancel", {"reason": "x"}).status_code == 404


def test_a_blocked_slot_cannot_be_booked_and_opens_again_when_unblocked(app) -> None:
    block = admin_post(app, "/api/admin/booking-blocks", {"date": "2026-03-03", "service": "HT", "time": "09:00",
                                                         "reason": "Cán bộ đi tập huấn"})
    assert block.status_code == 201
    slots = app.client.get("/api/appointments/slots?service=HT&date=2026-03-03").get_json()["slots"]
    nine = next(s for s in slots if s["time"] == "09:00")
    assert nine["bookable"] is False and nine["blocked"] == "Cán bộ đi tập huấn"
    assert next(s for s in slots if s["time"] == "09:30")["bookable"] is True
    refused = app.client.post("/api/appointments", json={"service": "HT", "slot": "2026-03-03T09:00"})
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "slot_blocked"
    assert "Cán bộ đi tập huấn" in refused.get_json()["error"]["message"]
    assert book(app, "2026-03-03T09:00", "DC")["status"] == "booked"  # another field's 09:00 stays open
    removed = app.client.delete(f"/api/admin/booking-blocks/{block.get_json()['block']['id']}",
                                headers=app.auth("admin"))
    assert removed.status_code == 200 and book(app, "2026-03-03T09:00")["status"] == "booked"
    audit = app.client.get("/api/people", headers=app.auth("admin")).get_json()["audit"]
    assert [(a["actor"], a["action"], a["target"]) for a in audit] == [
        ("admin", "booking.unblock", str(block.get_json()["block"]["id"])), ("admin", "booking.block", "2026-03-03")]


def test_a_day_blocked_for_every_field_is_closed_with_its_reason(app) -> None:
    assert admin_post(app, "/api/admin/booking-blocks", {"date": "2026-03-05", "reason": "Mất điện"}).status_code == 201
    for service in ("HT", "DC"):
        day = app.client.get(f"/api/appointments/slots?service={service}&date=2026-03-05").get_json()
        assert day["closed"] == "Ngày 05/03/2026 cơ quan không nhận đặt lịch (Mất điện); xin chọn ngày khác."
        assert not any(s["bookable"] for s in day["slots"])
    listed = app.client.get("/api/admin/bookings?date=2026-03-05", headers=app.auth("admin")).get_json()
    assert [(b["service"], b["slot_start"], b["reason"]) for b in listed["blocks"]] == [(None, None, "Mất điện")]


def test_bad_blocks_are_refused_plainly(app) -> None:
    for body, code in (({"date": "2026-03-05"}, "missing_field"), ({"date": "mai", "reason": "x"}, "invalid_date"),
                       ({"date": "2026-03-05", "service": "XX", "reason": "x"}, "unknown_service"),
                       ({"date": "2026-03-05", "time": "9h", "reason": "x"}, "invalid_slot")):
        answer = admin_post(app, "/api/admin/booking-blocks", body)
        assert answer.get_json()["error"]["code"] == code, body
    assert app.client.delete("/api/admin/booking-blocks/999", headers=app.auth("admin")).status_code == 404
    assert app.client.post("/api/admin/booking-blocks", json={"date": "2026-03-05", "reason": "x"},
                           headers=app.auth("quay1")).status_code == 403
