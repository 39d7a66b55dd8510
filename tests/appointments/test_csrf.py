"""The /dat-lich forms cannot be posted from another site: a signed short-lived token per form, Origin/Referer checked.

Issue 17: ``POST /dat-lich/<code>/huy`` took no token and checked no Origin.
The pages have no cookies, so the token is signed by the server and bound
to its form (the booking's code for a cancel), and works without JavaScript.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

SITE = "http://localhost"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
EVIL = "https://evil.example"


def _token(page: str, action: str) -> str:
    form = re.search(rf'<form method="post" action="{re.escape(action)}"[^>]*>(.*?)</form>', page, re.S)
    assert form, f"no form posting to {action}"
    found = re.search(r'name="form_token" value="([^"]+)"', form.group(1))
    assert found, "the form carries no token"
    return found.group(1)


def _booked(app) -> str:
    answer = app.client.post("/api/appointments", json={"service": "HT", "slot": "2026-03-03T09:00"})
    return answer.get_json()["appointment"]["code"]


def _cancel_token(app, code: str) -> str:
    return _token(app.client.get(f"/dat-lich/{code}").get_data(as_text=True), f"/dat-lich/{code}/huy")


def _status(app, code: str) -> str:
    return app.client.get(f"/api/appointments/{code}").get_json()["appointment"]["status"]


def cancel(app, code: str, token: str | None, confirm: str = "yes", **headers: str):
    data = {"form_token": token, "confirm": confirm} if token is not None else {}
    return app.client.post(f"/dat-lich/{code}/huy", data=data, headers=headers)


def test_a_cancel_without_the_form_token_is_refused(app) -> None:
    code = _booked(app)
    answer = cancel(app, code, None)
    assert answer.status_code == 403 and "Trang đã cũ" in answer.get_data(as_text=True)
    assert _status(app, code) == "booked"


def test_a_cancel_from_another_site_is_refused_even_with_a_token(app) -> None:
    code = _booked(app)
    token = _cancel_token(app, code)
    assert cancel(app, code, token, Origin=EVIL).status_code == 403
    assert cancel(app, code, token, Referer=f"{EVIL}/dat-lich/{code}").status_code == 403
    assert _status(app, code) == "booked"


def test_an_opaque_origin_counts_as_none_and_the_token_decides(app) -> None:
    """The pages send no referrer, so browsers post their forms with ``Origin: null``."""
    code = _booked(app)
    assert cancel(app, code, None, Origin="null").status_code == 403
    assert cancel(app, code, _cancel_token(app, code), Origin="null").status_code == 303
    assert _status(app, code) == "cancelled"


def test_a_cancel_from_the_booking_page_works_with_or_without_an_origin(app) -> None:
    first, second = _booked(app), _booked(app)
    answer = cancel(app, first, _cancel_token(app, first), Origin=SITE)
    assert answer.status_code == 303 and answer.headers["Location"].endswith(f"/dat-lich/{first}?m=cancelled")
    assert cancel(app, second, _cancel_token(app, second)).status_code == 303  # an old browser sends neither header
    assert (_status(app, first), _status(app, second)) == ("cancelled", "cancelled")


def test_a_token_is_bound_to_its_booking_and_expires(app) -> None:
    first, second = _booked(app), _booked(app)
    assert cancel(app, second, _cancel_token(app, first)).status_code == 403
    token = _cancel_token(app, second)
    expires, signature = token.split(".")
    forged = f"{expires}.{'e' if signature[0] == 'f' else 'f'}{signature[1:]}"
    assert cancel(app, second, forged).status_code == 403
    app.clock.advance(hours=2, minutes=1)
    assert cancel(app, second, token).status_code == 403
    assert _status(app, second) == "booked"
    assert cancel(app, second, _cancel_token(app, second)).status_code == 303


def _book_form(app, **extra: str) -> dict[str, str]:
    page = app.client.get("/dat-lich?service=HT&date=2026-03-03").get_data(as_text=True)
    nonce = re.search(r'name="form_nonce" value="([^"]+)"', page)
    assert nonce, "the booking form carries no one-time id"
    return {"service": "HT", "slot": "2026-03-03T09:30", "form_token": _token(page, "/dat-lich"),
            "form_nonce": nonce.group(1), **extra}


def test_the_booking_form_is_refused_without_its_token_or_from_another_site(app) -> None:
    form = _book_form(app)
    no_token = app.client.post("/dat-lich", data={**form, "form_token": ""})
    assert no_token.status_code == 403 and "Trang đã cũ" in no_token.get_data(as_text=True)
    assert app.client.post("/dat-lich", data=form, headers={"Origin": EVIL}).status_code == 403
    with app.db.connect() as conn:
        assert conn.execute("SELECT COUNT(*) FROM appointments").fetchone() == (0,)


def test_the_booking_form_books_from_the_page(app) -> None:
    answer = app.client.post("/dat-lich", data=_book_form(app), headers={"Origin": SITE})
    assert answer.status_code == 303 and re.search(r"/dat-lich/[A-Z0-9]{8}$", answer.headers["Location"])
    page = app.client.get(answer.headers["Location"]).get_data(as_text=True)
    assert 'name="form_token"' in page


def test_the_booking_page_shows_the_daily_limit_plainly(app) -> None:
    for slot in ("2026-03-03T08:00", "2026-03-03T08:30"):
        assert app.client.post("/dat-lich", data=_book_form(app, slot=slot)).status_code == 303
    third = app.client.post("/dat-lich", data=_book_form(app, slot="2026-03-03T10:00"))
    assert third.status_code == 429
    assert "Mỗi máy chỉ đặt được tối đa 2 lịch hẹn trong một ngày" in third.get_data(as_text=True)


def test_back_then_book_again_shows_the_same_booking_not_a_second_seat(app) -> None:
    form = _book_form(app)
    first = app.client.post("/dat-lich", data=form)
    again = app.client.post("/dat-lich", data={**form, "slot": "2026-03-03T10:00"})  # Back, another slot, resubmit
    assert first.status_code == again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"] + "?m=again"
    assert "đã được đặt từ trước" in app.client.get(again.headers["Location"]).get_data(as_text=True)
    with app.db.connect() as conn:
        assert conn.execute("SELECT COUNT(*) FROM appointments").fetchone() == (1,)
    forged = app.client.post("/dat-lich", data={**form, "form_nonce": "another-id"})
    assert forged.status_code == 403  # the token is bound to the form's id


def test_a_cancel_asks_first_and_does_nothing_without_the_box_ticked(app) -> None:
    code = _booked(app)
    answer = cancel(app, code, _cancel_token(app, code), confirm="")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("?m=confirm")
    assert _status(app, code) == "booked"
    assert "Tôi muốn hủy lịch hẹn này" in app.client.get(f"/dat-lich/{code}").get_data(as_text=True)


def test_in_a_booking_flood_the_page_asks_a_small_sum_before_it_books(app) -> None:
    from queue_server.appointments.service import FLOOD_ADDRESSES, floods

    old_form = _book_form(app)  # a page opened before the flood began
    with app.app.app_context():
        for i in range(FLOOD_ADDRESSES):  # refusals from many addresses: a flood
            floods().record(app.clock().astimezone(ZONE).date(), f"10.0.0.{i}", "too_many_bookings", app.clock())
    page = app.client.get("/dat-lich?service=HT&date=2026-03-03").get_data(as_text=True)
    sum_asked = re.search(r"Chống đặt chỗ tự động: (\d) \+ (\d) = \?", page)
    assert sum_asked, "the page asks no sum in a flood"
    nonce = re.search(r'name="form_nonce" value="([^"]+)"', page)
    assert nonce is not None
    form = {"service": "HT", "slot": "2026-03-03T09:30", "form_token": _token(page, "/dat-lich"),
            "form_nonce": nonce.group(1)}
    wrong = app.client.post("/dat-lich", data={**form, "challenge_answer": "99"})
    assert wrong.status_code == 422 and "chưa đúng" in wrong.get_data(as_text=True)
    missing = app.client.post("/dat-lich", data=old_form)
    assert missing.status_code == 429 and "câu hỏi nhỏ" in missing.get_data(as_text=True)
    right = int(sum_asked.group(1)) + int(sum_asked.group(2))
    assert app.client.post("/dat-lich", data={**form, "challenge_answer": str(right)}).status_code == 303
