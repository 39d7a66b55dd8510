"""The booking calendar from /admin (issue 15.1): a late-announced day off, a swapped working Saturday (làm bù),
the hours; laid over the office file, effective at once, every change audited.

In-process app on the fake clock (Monday 2 March 2026, 08:00, UTC+7).
"""

from __future__ import annotations

from typing import Any


def post_day(app: Any, **body: Any) -> Any:
    return app.client.post("/api/admin/calendar/days", json=body, headers=app.auth("admin"))


def slots(app: Any, day: str, service: str = "HT") -> dict[str, Any]:
    return app.client.get(f"/api/appointments/slots?service={service}&date={day}").get_json()


def test_a_day_closed_by_the_admin_takes_no_booking_and_says_why(app) -> None:
    seat = app.client.post("/api/appointments", json={"service": "HT", "slot": "2026-03-06T09:00"})
    assert seat.status_code == 201
    closed = post_day(app, date="2026-03-06", kind="closed", name="Tập huấn chuyển đổi số")
    assert closed.status_code == 201 and closed.get_json()["day"]["booked"] == 1  # the head sees who to call
    day = slots(app, "2026-03-06")
    assert day["closed"] == "Ngày 06/03/2026 là ngày nghỉ (Tập huấn chuyển đổi số); xin chọn ngày khác."
    refused = app.client.post("/api/appointments", json={"service": "HT", "slot": "2026-03-06T10:00"})
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "office_closed"
    assert app.client.delete("/api/admin/calendar/days/2026-03-06", headers=app.auth("admin")).status_code == 200
    assert slots(app, "2026-03-06")["closed"] is None


def test_a_swapped_working_saturday_opens_a_full_day_of_slots(app) -> None:
    assert slots(app, "2026-03-07")["closed"].startswith("Ngày 07/03/2026 là thứ Bảy")
    assert post_day(app, date="2026-03-07", kind="working", name="Làm bù cho ngày 30/4").status_code == 201
    day = slots(app, "2026-03-07")
    times = [s["time"] for s in day["slots"]]
    assert day["closed"] is None and "07:30" in times and "16:00" in times and "12:00" not in times
    booked = app.client.post("/api/appointments", json={"service": "HT", "slot": "2026-03-07T14:00"})
    assert booked.status_code == 201


def test_new_hours_change_the_slots_at_once(app) -> None:
    changed = app.client.put("/api/admin/calendar/hours", json={"morning": "08:00-11:00", "afternoon": "14:00-17:00",
                                                               "saturday_morning": True}, headers=app.auth("admin"))
    assert changed.status_code == 200
    times = [s["time"] for s in slots(app, "2026-03-03")["slots"]]
    assert times[0] == "08:00" and "07:30" not in times and "13:30" not in times and "14:00" in times
    assert slots(app, "2026-03-07")["closed"] is None  # Saturday mornings now worked
    shown = app.client.get("/api/admin/calendar?year=2026", headers=app.auth("admin")).get_json()
    assert shown["hours"] == {"morning": "08:00-11:00", "afternoon": "14:00-17:00", "saturday_morning": True}
    assert {"date": "2026-09-02", "name": "Quốc khánh"} in shown["public_holidays"]


def test_bad_calendar_changes_are_refused_in_vietnamese_and_change_nothing(app) -> None:
    for body, code in (({"date": "2026-03-04", "kind": "working"}, "invalid_day"),
                       ({"date": "2026-03-04", "kind": "closed"}, "invalid_day"),
                       ({"date": "mai", "kind": "closed", "name": "x"}, "invalid_date"),
                       ({"date": "2026-03-04", "kind": "holiday", "name": "x"}, "invalid_day")):
        answer = post_day(app, **body)
        assert answer.status_code == 422 and answer.get_json()["error"]["code"] == code, body
    for hours in ({"morning": "7h30-11h30", "afternoon": "13:30-17:00"},
                  {"morning": "07:30-12:30", "afternoon": "12:00-17:00"}):
        answer = app.client.put("/api/admin/calendar/hours", json=hours, headers=app.auth("admin"))
        assert answer.status_code == 422 and answer.get_json()["error"]["code"] == "invalid_hours"
    assert app.client.delete("/api/admin/calendar/days/2026-03-04", headers=app.auth("admin")).status_code == 404
    shown = app.client.get("/api/admin/calendar", headers=app.auth("admin")).get_json()
    assert shown["days"] == [] and shown["hours"]["morning"] == "07:30-11:30"
    assert app.client.get("/api/people", headers=app.auth("admin")).get_json()["audit"] == []
    assert post_day(app, date="2026-03-07", kind="working").status_code == 201
    assert app.client.get("/api/admin/calendar", headers=app.auth("quay1")).status_code == 403
