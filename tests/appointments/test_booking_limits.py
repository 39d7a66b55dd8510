"""One address (or phone) cannot book a day out: a few bookings per day, refusals counted for the admin.

Issue 17: one anonymous address booked all 15 seats of a service for tomorrow in under a second.
"""

from __future__ import annotations

import logging

from tests.support.appointments import kiosk

TOMORROW_SLOTS = [f"2026-03-03T{h:02d}:{m:02d}" for h in range(7, 12) for m in (0, 30)
                  if "07:30" <= f"{h:02d}:{m:02d}" < "11:30"]
FLOODER, NEIGHBOUR = "203.0.113.7", "198.51.100.20"


def book(app, slot: str, address: str = FLOODER, service: str = "VH", **extra):
    return app.client.post("/api/appointments", json={"service": service, "slot": slot, **extra},
                           environ_base={"REMOTE_ADDR": address})


def test_one_address_books_two_appointments_of_a_day_and_no_more(app) -> None:
    answers = [book(app, slot) for slot in TOMORROW_SLOTS]
    assert [a.status_code for a in answers] == [201, 201] + [429] * (len(TOMORROW_SLOTS) - 2)
    refused = answers[2].get_json()["error"]
    assert refused["code"] == "address_booking_limit"
    assert refused["message"].startswith("Mỗi máy chỉ đặt được tối đa 2 lịch hẹn trong một ngày (03/03/2026)")
    with app.db.connect() as conn:
        assert conn.execute("SELECT COUNT(*) FROM appointments").fetchone() == (2,)


def test_the_limit_is_per_day_and_per_address(app) -> None:
    for slot in TOMORROW_SLOTS[:2]:
        assert book(app, slot).status_code == 201
    assert book(app, TOMORROW_SLOTS[2]).status_code == 429
    assert book(app, "2026-03-04T08:00").status_code == 201
    assert book(app, TOMORROW_SLOTS[2], address=NEIGHBOUR).status_code == 201


def test_a_cancelled_booking_gives_its_place_back(app) -> None:
    first = book(app, TOMORROW_SLOTS[0]).get_json()["appointment"]["code"]
    assert book(app, TOMORROW_SLOTS[1]).status_code == 201
    assert book(app, TOMORROW_SLOTS[2]).status_code == 429
    assert app.client.post(f"/api/appointments/{first}/cancel").status_code == 200
    assert book(app, TOMORROW_SLOTS[2]).status_code == 201


def test_the_limit_per_address_is_configurable(make_app) -> None:
    app = make_app({"result_service = \"KQ\"": "result_service = \"KQ\"\nbookings_per_address_per_day = 4"})
    assert [book(app, slot).status_code for slot in TOMORROW_SLOTS[:5]] == [201] * 4 + [429]
    assert "tối đa 4 lịch hẹn" in book(app, TOMORROW_SLOTS[5]).get_json()["error"]["message"]


def test_one_phone_books_two_appointments_of_a_day_from_any_address(make_app) -> None:
    app = make_app({"collect_phone = false": "collect_phone = true"})
    phone = {"phone": "0912 345 678"}
    assert book(app, TOMORROW_SLOTS[0], address="10.0.0.1", **phone).status_code == 201
    assert book(app, TOMORROW_SLOTS[1], address="10.0.0.2", **phone).status_code == 201
    third = book(app, TOMORROW_SLOTS[2], address="10.0.0.3", phone="0912.345.678")
    assert third.status_code == 429 and third.get_json()["error"]["code"] == "phone_booking_limit"
    assert third.get_json()["error"]["message"].startswith("Mỗi số điện thoại chỉ đặt được tối đa 2 lịch hẹn")
    assert book(app, TOMORROW_SLOTS[2], address="10.0.0.3", phone="0987654321").status_code == 201


def test_the_admin_sees_a_flood_and_the_log_says_so(app, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="queue_server.appointments.service"):
        for slot in TOMORROW_SLOTS:
            book(app, slot)
    assert book(app, TOMORROW_SLOTS[0], address=NEIGHBOUR).status_code == 201
    flood = app.client.get("/api/appointments/flood", headers=app.auth("admin"))
    assert flood.status_code == 200
    assert flood.get_json() == {
        "day": "2026-03-02", "refused": 6,
        "addresses": [{"address": FLOODER, "refused": 6, "codes": {"address_booking_limit": 6},
                       "last_refused_at": "2026-03-02T08:00:00+07:00"}],
        "limits": {"per_minute": 20, "per_address_per_day": 2, "per_phone_per_day": None},
    }
    warnings = [r.getMessage() for r in caplog.records if FLOODER in r.getMessage()]
    assert len(warnings) == 1 and "address_booking_limit" in warnings[0]


def test_only_the_admin_reads_the_flood(app) -> None:
    assert app.client.get("/api/appointments/flood").status_code == 401
    for who in ("quay1",):
        assert app.client.get("/api/appointments/flood", headers=app.auth(who)).status_code == 403
    assert app.client.get("/api/appointments/flood", headers=kiosk(app)).status_code == 403
