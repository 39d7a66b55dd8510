"""Booking, cancelling and checking in over the API, on the in-process app with a fake clock (Monday 08:00, UTC+7)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.support.appointments import NO_RESULT_SERVICE, kiosk


def book(app, slot: str, service: str = "HT", **extra: Any):
    return app.client.post("/api/appointments", json={"service": service, "slot": slot, **extra})


def result_ticket(app, body: dict[str, Any], key: str = "r-1"):
    return app.client.post("/api/result-tickets", json=body, headers={**kiosk(app), "Idempotency-Key": key})


def check_in(app, code: str, who: str = "kiosk"):
    return app.client.post("/api/appointments/check-in", json={"code": code}, headers=app.auth(who))


def test_a_booking_answers_its_code_slot_and_check_in_window(app) -> None:
    answer = book(app, "2026-03-03T09:00")
    assert answer.status_code == 201
    body = answer.get_json()
    code = body["appointment"].pop("code")
    assert len(code) == 8 and not set(code) & set("01OI") and body["qr_text"] == code
    assert body["appointment"] == {
        "service": "HT", "service_name": "Tư pháp – Hộ tịch", "slot_start": "2026-03-03T09:00:00+07:00",
        "slot_minutes": 30, "status": "booked", "checkin_opens": "2026-03-03T08:45:00+07:00",
        "checkin_closes": "2026-03-03T09:15:00+07:00", "late": False, "procedure": None,
    }


def test_slots_show_the_seats_left_and_the_lunch_break(app) -> None:
    book(app, "2026-03-03T09:00")
    body = app.client.get("/api/appointments/slots?service=HT&date=2026-03-03").get_json()
    by_time = {s["time"]: s for s in body["slots"]}
    assert by_time["09:00"]["free"] == 1 and by_time["09:30"]["free"] == 2
    assert "12:00" not in by_time and body["closed"] is None


def test_a_holiday_a_past_date_and_a_full_slot_are_refused_plainly(app) -> None:
    assert book(app, "2026-03-03T08:00", "DC").status_code == 201  # DC: one seat per slot
    full = book(app, "2026-03-03T08:00", "DC")
    assert full.status_code == 409 and full.get_json()["error"]["code"] == "slot_full"
    past = book(app, "2026-02-27T08:00")
    assert past.status_code == 422 and past.get_json()["error"]["code"] == "past_date"
    app.clock.advance(days=50)  # 21 April 2026: the 27th (Giỗ Tổ, off in lieu) is within reach
    holiday = book(app, "2026-04-27T09:00")
    assert holiday.status_code == 422
    assert holiday.get_json()["error"] == {"code": "office_closed", "message":
        "Ngày 27/04/2026 là ngày nghỉ (Ngày Giỗ Tổ Hùng Vương (nghỉ bù)); xin chọn ngày khác."}


def test_the_last_seat_goes_to_exactly_one_of_twenty_concurrent_clients(app) -> None:
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda _: book(app, "2026-03-04T14:00", "DC").status_code, range(20)))
    assert sorted(answers) == [201] + [409] * 19


def test_cancelling_frees_the_seat_and_cancelling_again_answers_the_same(app) -> None:
    code = book(app, "2026-03-03T08:00", "DC").get_json()["appointment"]["code"]
    first = app.client.post(f"/api/appointments/{code.lower()}/cancel")
    assert first.status_code == 200 and first.get_json()["appointment"]["status"] == "cancelled"
    assert app.client.post(f"/api/appointments/{code}/cancel").get_json() == first.get_json()
    assert book(app, "2026-03-03T08:00", "DC").status_code == 201
    assert check_in(app, code).get_json()["error"]["code"] == "booking_cancelled"


def test_checking_in_inside_the_window_gives_an_appointment_ticket_once(app) -> None:
    code = book(app, "2026-03-02T09:00").get_json()["appointment"]["code"]
    app.clock.advance(minutes=45)  # 08:45 local: the window opens
    first = check_in(app, f"{code[:4]}-{code[4:]} ".lower())
    assert first.status_code == 201
    body = first.get_json()
    assert body["late"] is False and body["ticket"]["priority"] == "appointment" and body["ticket"]["service"] == "HT"
    assert body["message"] == (f"Đã nhận lịch hẹn lúc 09:00. Số của quý khách là {body['ticket']['number']}, "
                               "được ưu tiên theo lịch hẹn.")
    again = check_in(app, code)
    assert again.status_code == 200 and again.get_json()["ticket"]["id"] == body["ticket"]["id"]
    assert app.client.get(f"/api/appointments/{code}").get_json()["appointment"]["status"] == "checked_in"
    cancel = app.client.post(f"/api/appointments/{code}/cancel")
    assert cancel.status_code == 409


def test_one_second_before_the_window_is_too_early_with_the_time_to_come_back(app) -> None:
    code = book(app, "2026-03-02T09:00").get_json()["appointment"]["code"]
    app.clock.advance(minutes=44, seconds=59)
    early = check_in(app, code)
    assert early.status_code == 409
    assert early.get_json()["error"]["code"] == "too_early" and "từ 08:45" in early.get_json()["error"]["message"]


def test_the_last_second_of_the_window_is_on_time_and_one_later_is_a_normal_ticket(app) -> None:
    on_time = book(app, "2026-03-02T09:00").get_json()["appointment"]["code"]
    late = book(app, "2026-03-02T09:00").get_json()["appointment"]["code"]
    app.clock.advance(hours=1, minutes=15)  # 09:15:00 local
    assert check_in(app, on_time).get_json()["ticket"]["priority"] == "appointment"
    app.clock.advance(seconds=1)
    body = check_in(app, late).get_json()
    assert body["late"] is True and body["ticket"]["priority"] is None
    assert body["message"].startswith("Bạn đến muộn hơn 15 phút so với giờ hẹn 09:00, nên nhận số thường ")


def test_the_window_is_judged_in_the_office_time_zone_not_utc(app) -> None:
    # 23:50 UTC on Monday is 06:50 on Tuesday in Hà Nội: a Tuesday 07:00 booking is inside its window.
    code = book(app, "2026-03-03T07:30").get_json()["appointment"]["code"]
    app.clock.advance(hours=15, minutes=20)  # 16:20 UTC Monday = 23:20 Monday local
    assert check_in(app, code).get_json()["error"]["code"] == "not_today"
    app.clock.advance(hours=7, minutes=55)  # 00:15 UTC Tuesday = 07:15 Tuesday local
    answer = check_in(app, code)
    assert answer.status_code == 201 and answer.get_json()["late"] is False


def test_a_booking_from_an_earlier_day_has_expired(app) -> None:
    code = book(app, "2026-03-02T09:00").get_json()["appointment"]["code"]
    app.clock.advance(days=1)
    assert check_in(app, code).get_json()["error"]["code"] == "booking_expired"


def test_check_in_needs_a_kiosk_or_staff_and_a_known_code(app) -> None:
    assert app.client.post("/api/appointments/check-in", json={"code": "X"}).status_code == 401
    assert check_in(app, "AAAA2222").get_json()["error"]["code"] == "unknown_booking"
    assert check_in(app, "AAAA2222", "display").status_code == 403


def test_tickets_refuse_the_appointment_priority_from_everyone(app) -> None:
    answer = app.client.post("/api/tickets", json={"service": "HT", "priority": "appointment"},
                             headers={**kiosk(app), "Idempotency-Key": "k1"})
    assert answer.status_code == 422


def test_the_phone_number_is_dropped_unless_the_office_asks_for_it(app, make_app) -> None:
    code = book(app, "2026-03-03T09:00", phone="0912345678").get_json()["appointment"]["code"]
    with app.db.connect() as conn:
        assert conn.execute("SELECT phone FROM appointments WHERE code = ?", (code,)).fetchone() == (None,)
    asking = make_app({"collect_phone = false": "collect_phone = true"})
    bad = book(asking, "2026-03-03T10:00", phone="12")
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "invalid_phone"
    good = book(asking, "2026-03-03T10:00", phone="091 234 5678").get_json()
    assert "phone" not in good["appointment"] and "0912345678" not in str(good)


def test_a_result_ticket_keeps_its_dossier_code_for_the_counter_only(app) -> None:
    answer = result_ticket(app, {"dossier_code": " 000.00.12.h12-260315-0001 "})
    assert answer.status_code == 201
    ticket = answer.get_json()["ticket"]
    assert ticket["service"] == "KQ" and ticket["number"] == "K001" and "0001" not in str(ticket)
    token = ticket["status_url"].rsplit("/", 1)[1]
    assert "260315" not in app.client.get(f"/api/status/{token}").get_data(as_text=True)
    assert "260315" not in app.client.get("/api/counters").get_data(as_text=True)
    called = app.client.post("/api/counters/5/call-next", headers=app.auth("quay5"))
    assert called.get_json()["ticket"]["number"] == "K001"
    details = app.client.get("/api/counters/5/current-details", headers=app.auth("quay5")).get_json()
    assert details["dossier_code"] == "000.00.12.H12-260315-0001" and details["appointment"] is None
    assert app.client.get("/api/counters/5/current-details", headers=app.auth("quay1")).status_code == 403
    assert app.client.get("/api/counters/5/current-details").status_code == 401


def test_a_result_ticket_without_a_dossier_code_and_a_wrong_code(app) -> None:
    assert result_ticket(app, {}).status_code == 201
    wrong = result_ticket(app, {"dossier_code": "H12-261399-0001"}, key="r-2")
    assert wrong.status_code == 422 and wrong.get_json()["error"]["code"] == "invalid_dossier_code"
    assert "{cơ quan}-{yyMMdd}-{số thứ tự}" in wrong.get_json()["error"]["message"]


def test_a_result_ticket_retried_with_its_idempotency_key_is_the_same_ticket(app) -> None:
    first = result_ticket(app, {"dossier_code": "H12-260315-0002"})
    again = result_ticket(app, {"dossier_code": "H12-260315-0002"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert app.client.get("/api/services").get_json()["services"][4]["waiting"] == 1


def test_a_result_ticket_needs_an_idempotency_key(app) -> None:
    answer = app.client.post("/api/result-tickets", json={}, headers=kiosk(app))
    assert answer.status_code == 422 and answer.get_json()["error"]["code"] == "missing_idempotency_key"
    assert app.client.get("/api/services").get_json()["services"][4]["waiting"] == 0


def test_a_result_ticket_key_used_for_another_body_is_refused(app) -> None:
    assert result_ticket(app, {"dossier_code": "H12-260315-0002"}).status_code == 201
    other = result_ticket(app, {"dossier_code": "H12-260315-0003"})
    assert other.status_code == 409 and other.get_json()["error"]["code"] == "idempotency_key_reused"
    queue_ticket = app.client.post("/api/tickets", json={"service": "KQ"},
                                   headers={**kiosk(app), "Idempotency-Key": "r-1"})
    assert queue_ticket.status_code == 409


def test_a_result_ticket_retried_past_the_rate_limit_still_gets_its_ticket(make_app) -> None:
    app = make_app({"tickets_per_minute_per_device = 30": "tickets_per_minute_per_device = 1"})
    first = result_ticket(app, {})
    again = result_ticket(app, {})
    assert (first.status_code, again.status_code) == (201, 200)
    assert result_ticket(app, {}, key="r-2").status_code == 429


def test_the_counter_sees_which_ticket_is_an_appointment(app) -> None:
    code = book(app, "2026-03-02T08:30").get_json()["appointment"]["code"]
    app.clock.advance(minutes=20)
    assert check_in(app, code).status_code == 201
    app.client.post("/api/counters/1/call-next", headers=app.auth("quay1"))
    details = app.client.get("/api/counters/1/current-details", headers=app.auth("quay1")).get_json()
    assert details["ticket"]["priority"] == "appointment"
    assert details["appointment"] == {"code": code, "slot_start": "2026-03-02T08:30:00+07:00", "late": False}


def test_an_office_without_a_result_service_says_so(make_app) -> None:
    plain = make_app({NO_RESULT_SERVICE[0]: NO_RESULT_SERVICE[1], 'services = ["VH", "KQ"]': 'services = ["VH"]'})
    answer = plain.client.post("/api/result-tickets", json={}, headers=plain.auth("kiosk"))
    assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "no_result_service"


def test_the_endpoints_are_in_the_openapi_document(app) -> None:
    paths = app.client.get("/api/openapi.json").get_json()["paths"]
    for path in ("/api/appointments", "/api/appointments/check-in", "/api/result-tickets",
                 "/api/counters/{n}/current-details"):
        assert path in paths


def test_a_booking_for_a_procedure_books_its_field_and_the_ticket_carries_it(make_app, office_db) -> None:
    from queue_server.catalog.store import ensure_sample_catalog
    from queue_server.config import load_config
    from queue_server.store.db import connect
    from tests.support.live_server import COMMUNE

    db = connect(office_db.path)
    ensure_sample_catalog(db, load_config(COMMUNE))  # what `motcua init` does
    db.close()
    app = make_app()
    answer = app.client.post("/api/appointments", json={"procedure": "1.001193", "slot": "2026-03-02T08:30"})
    assert answer.status_code == 201
    booked = answer.get_json()["appointment"]
    assert (booked["service"], booked["procedure"]) == ("HT", "1.001193")
    page = app.client.get("/dat-lich?procedure=1.001193").get_data(as_text=True)
    assert "Đăng ký khai sinh" in page and '<option value="HT" selected>' in page
    assert "Đăng ký khai sinh" in app.client.get(f"/dat-lich/{booked['code']}").get_data(as_text=True)
    app.clock.advance(minutes=20)
    ticket = check_in(app, booked["code"]).get_json()["ticket"]
    assert ticket["procedure"] == "1.001193" and ticket["priority"] == "appointment"
    unknown = app.client.post("/api/appointments", json={"procedure": "9.999999", "slot": "2026-03-02T09:00"})
    assert unknown.status_code == 404 and unknown.get_json()["error"]["code"] == "unknown_procedure"
    wrong = app.client.post("/api/appointments",
                            json={"procedure": "1.001193", "service": "DC", "slot": "2026-03-02T09:00"})
    assert wrong.status_code == 422
