"""/admin for an office with no IT staff, in headless Chromium (issue 15.1): a day's bookings cancelled with a
reason and a slot closed; an officer added, whose first sign-in at the console asks for their own password.

The in-process app on its fake clock (Monday 2 March 2026, 08:00) served over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.browser import headless_chromium, sign_in, wait_until
from tests.support.live_server import ADMIN_PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def desk() -> Iterator[Any]:
    """The office head's PC browser."""
    with headless_chromium("1366,900") as driver:
        yield driver


def test_the_head_cancels_a_booking_closes_a_slot_and_adds_an_officer(served, desk) -> None:
    site = served()
    seat = site.app.client.post("/api/appointments", json={"service": "HT", "slot": "2026-03-03T09:00"})
    code = seat.get_json()["appointment"]["code"]
    sign_in(desk, site.url, "/admin/login", "admin", ADMIN_PASSWORD)
    wait_until(lambda: desk.find_elements("id", "bookings-date"))
    desk.execute_script("document.getElementById('bookings-date').value = '2026-03-03'")
    desk.find_element("css selector", "#bookings-form button").click()
    row = wait_until(lambda: desk.find_element("css selector", f'#bookings-table tr[data-code="{code}"]'))
    row.find_element("css selector", "button.cancel").click()
    prompt = wait_until(lambda: desk.switch_to.alert)
    prompt.send_keys("Cán bộ đi họp")
    prompt.accept()
    wait_until(lambda: "Đã hủy (Cán bộ đi họp (admin))" in desk.find_element(
        "css selector", f'#bookings-table tr[data-code="{code}"]').text)
    desk.find_element("id", "block-time").send_keys("10:00")
    desk.find_element("id", "block-reason").send_keys("Mất điện")
    desk.find_element("id", "block-add").click()
    wait_until(lambda: "10:00 · mọi lĩnh vực: Mất điện" in desk.find_element("id", "blocks-list").text)
    slots = site.app.client.get("/api/appointments/slots?service=HT&date=2026-03-03").get_json()["slots"]
    assert next(s for s in slots if s["time"] == "10:00")["blocked"] == "Mất điện"

    desk.find_element("id", "person-name").send_keys("Nguyễn Văn A")
    desk.find_element("id", "person-username").send_keys("nguyenvana")
    desk.find_element("css selector", '#person-counters input[value="4"]').click()
    desk.find_element("id", "person-add").click()
    password = wait_until(lambda: desk.find_element("css selector", "#person-password code").text)
    wait_until(lambda: "chờ đổi mật khẩu" in desk.find_element(
        "css selector", '#people-table tr[data-username="nguyenvana"]').text)
    assert "Nguyễn Văn A" in desk.find_element("id", "people-table").text

    sign_in(desk, site.url, "/console/login", "nguyenvana", password)
    wait_until(lambda: desk.current_url.endswith("/doi-mat-khau"))
    desk.find_element("id", "current").send_keys(password)
    for field in ("new", "again"):
        desk.find_element("id", field).send_keys("mat-khau-cua-a")
    desk.find_element("id", "save").click()
    wait_until(lambda: desk.current_url.endswith("/console"))
    people = site.app.client.get("/api/people", headers=site.app.auth("admin")).get_json()["people"]
    assert next(p for p in people if p["username"] == "nguyenvana")["must_change_password"] is False


def test_a_bad_officer_gets_a_vietnamese_message_and_a_clerk_gets_no_admin(served, desk) -> None:
    site = served()
    sign_in(desk, site.url, "/admin/login", "admin", ADMIN_PASSWORD)
    wait_until(lambda: desk.find_elements("id", "person-add"))
    desk.find_element("id", "person-name").send_keys("Trần Thị B")
    desk.find_element("id", "person-username").send_keys("quay1")  # taken
    desk.find_element("css selector", '#person-counters input[value="1"]').click()
    desk.find_element("id", "person-add").click()
    wait_until(lambda: "Đã có cán bộ đăng nhập bằng tên quay1" in desk.find_element("id", "person-message").text)
    assert desk.find_element("id", "person-password").text == ""

    desk.execute_script("document.getElementById('day-date').value = '2026-03-07'")  # a Saturday
    desk.find_element("css selector", '#day-kind option[value="working"]').click()
    desk.find_element("id", "day-add").click()
    wait_until(lambda: "07/03/2026 · Làm bù: Làm bù" in desk.find_element("id", "days-list").text)
    desk.execute_script("document.getElementById('day-date').value = '2026-03-04'")  # a Wednesday
    desk.find_element("id", "day-add").click()
    wait_until(lambda: "chỉ thứ Bảy hoặc Chủ nhật" in desk.find_element("id", "calendar-message").text)
    assert site.app.client.get("/api/appointments/slots?service=HT&date=2026-03-07").get_json()["closed"] is None


def test_the_head_reassigns_a_counter_and_a_change_leaving_a_field_uncovered_is_refused(served, desk) -> None:
    site = served()
    sign_in(desk, site.url, "/admin/login", "admin", ADMIN_PASSWORD)
    row = wait_until(lambda: desk.find_element("css selector", '#counters-table tr[data-counter="3"]'))
    row.find_element("css selector", 'input[value="DC"]').click()
    row.find_element("css selector", "button.save").click()
    wait_until(lambda: "Đã lưu: Quầy 3 nhận 2 lĩnh vực." in desk.find_element("id", "counters-message").text)
    counters = site.app.client.get("/api/counters").get_json()["counters"]
    assert next(c for c in counters if c["number"] == 3)["services"] == ["VP", "DC"]
    row = desk.find_element("css selector", '#counters-table tr[data-counter="4"]')
    row.find_element("css selector", 'input[value="DC"]').click()  # counter 4 would take no field: refused
    row.find_element("css selector", "button.save").click()
    wait_until(lambda: "Một quầy cần nhận ít nhất một lĩnh vực" in desk.find_element("id", "counters-message").text)
    assert site.app.client.get("/api/admin/bookings", headers=site.app.auth("quay1")).status_code == 403
