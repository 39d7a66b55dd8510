"""The citizen's pages in a real headless Chromium the size of a phone: the live ticket page and the booking form."""

from __future__ import annotations

import time

import pytest
import requests

from queue_server.web import status_page
from tests.support.browser import doc_shot

pytestmark = pytest.mark.e2e


def wait_for(condition, timeout: float = 25.0, every: float = 0.1):
    """Poll until ``condition()`` is truthy; fail with a clear message otherwise."""
    deadline = time.monotonic() + timeout
    from selenium.common.exceptions import StaleElementReferenceException

    while time.monotonic() < deadline:
        try:
            value = condition()
        except StaleElementReferenceException:  # the old page went away under our feet
            value = None
        if value:
            return value
        time.sleep(every)
    raise AssertionError("the page did not change in time")


def issue(url: str, token: str, key: str, service: str = "HT") -> dict:
    answer = requests.post(url + "/api/tickets", json={"service": service},
                           headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key}, timeout=10)
    assert answer.status_code == 201, answer.text
    return answer.json()["ticket"]


def page_path(ticket: dict) -> str:
    return "/t/" + ticket["status_url"].rsplit("/", 1)[1]


def test_the_ticket_page_follows_the_queue_live_and_alerts_at_third_in_line_and_on_call(
        start_server, phone, tmp_path) -> None:
    server = start_server()
    kiosk = server.tokens["kiosk"]
    tickets = [issue(server.url, kiosk, f"k{i}") for i in range(4)]
    phone.get(server.url + page_path(tickets[3]))
    body = phone.find_element("tag name", "body")
    assert body.get_attribute("class") == "phase-waiting"
    assert phone.find_element("id", "number").text == tickets[3]["number"]
    assert phone.find_element("id", "ahead").text == "3"
    phone.execute_script("window.__buzz = []; navigator.vibrate = (p) => { window.__buzz.push(p); return true; };")
    wait_for(lambda: phone.find_element("id", "conn").text == "Tự cập nhật")
    clerk = {"Authorization": f"Bearer {server.tokens['quay1']}"}
    requests.post(server.url + "/api/counters/1/call-next", headers=clerk, timeout=10).raise_for_status()
    wait_for(lambda: body.get_attribute("class") == "phase-soon")
    assert phone.find_element("id", "ahead").text == "2"
    assert phone.execute_script("return window.__buzz.length") == 1
    for _ in range(3):
        requests.post(server.url + "/api/counters/1/call-next", headers=clerk, timeout=10).raise_for_status()
    wait_for(lambda: body.get_attribute("class") == "phase-called")
    assert phone.find_element("id", "counter-name").text == "Quầy 1"
    assert phone.find_element("id", "headline").text == "Đến lượt quý khách!"  # wording.ADDRESS
    assert phone.execute_script("return window.__buzz.length") == 2
    doc_shot(phone, "status-page.png", tmp_path)
    logs = [entry for entry in phone.get_log("browser") if entry["level"] == "SEVERE"]
    assert logs == []


def test_a_full_live_feed_makes_the_page_poll(served, phone, monkeypatch) -> None:
    monkeypatch.setattr(status_page, "POLL_SECONDS", 1)
    site = served(max_streams=0)  # every stream is refused with 503
    ticket = issue(site.url, site.app.db.tokens["kiosk"], "p1")
    phone.get(site.url + page_path(ticket))
    wait_for(lambda: phone.find_element("id", "conn").text == "Cập nhật mỗi 10 giây" or
             phone.find_element("id", "conn").text.startswith("Cập nhật"))
    requests.post(site.url + "/api/counters/1/call-next", headers=site.app.auth("quay1"), timeout=10).raise_for_status()
    wait_for(lambda: phone.find_element("tag name", "body").get_attribute("class") == "phase-called")


def test_an_unknown_ticket_link_gets_a_friendly_page(served, phone) -> None:
    site = served()
    phone.get(site.url + "/t/not-a-ticket")
    assert phone.find_element("tag name", "h1").text == "Không tìm thấy số này"


def test_the_booking_form_shows_a_past_date_a_holiday_and_a_full_slot_plainly(served, phone, tmp_path) -> None:
    site = served()  # the fake clock: Monday 2 March 2026, 08:00
    phone.get(site.url + "/dat-lich?service=HT&date=2026-02-27")
    assert phone.find_element("id", "error").text == ("Ngày 27/02/2026 đã qua; "
                                                      "xin chọn ngày từ hôm nay (02/03/2026) trở đi.")
    phone.get(site.url + "/dat-lich?service=HT&date=2026-03-07")
    assert "thứ Bảy" in phone.find_element("id", "error").text
    site.app.clock.advance(days=50)
    phone.get(site.url + "/dat-lich?service=HT&date=2026-04-27")
    assert phone.find_element("id", "error").text == ("Ngày 27/04/2026 là ngày nghỉ "
                                                      "(Ngày Giỗ Tổ Hùng Vương (nghỉ bù)); xin chọn ngày khác.")
    phone.get(site.url + "/dat-lich")
    from selenium.webdriver.support.ui import Select

    Select(phone.find_element("id", "service")).select_by_value("DC")
    phone.execute_script("document.getElementById('date').value = '2026-04-28'")
    phone.find_element("css selector", "#choose button").click()
    wait_for(lambda: phone.find_elements("id", "book"))
    phone.find_element("css selector", "input[value='2026-04-28T09:00'] + .time").click()
    # Someone else takes the only seat while the citizen looks at the list.
    taken = site.app.client.post("/api/appointments", json={"service": "DC", "slot": "2026-04-28T09:00"})
    assert taken.status_code == 201
    phone.find_element("css selector", "#book button[type=submit]").click()
    full_message = "Khung giờ 09:00 ngày 28/04/2026 đã hết chỗ; xin chọn giờ khác."
    wait_for(lambda: [e for e in phone.find_elements("id", "error") if e.text == full_message])
    phone.save_screenshot(str(tmp_path / "booking-full-slot.png"))
    full = phone.find_element("css selector", "input[value='2026-04-28T09:00']")
    assert full.get_attribute("disabled") == "true"
    phone.find_element("css selector", "input[value='2026-04-28T09:30'] + .time").click()
    phone.find_element("css selector", "#book button[type=submit]").click()
    code = wait_for(lambda: phone.find_elements("id", "booking-code"))[0].text
    assert len(code) == 9 and code[4] == "-"
    assert phone.find_element("css selector", "svg.qr").is_displayed()
    doc_shot(phone, "booking-page.png", tmp_path)
    phone.find_element("id", "confirm-cancel").click()  # the page asks first
    phone.find_element("css selector", "button.danger").click()
    wait_for(lambda: [e for e in phone.find_elements("id", "booking-status") if e.text == "Đã hủy"])


def test_the_clerk_console_shows_the_dossier_code_and_the_appointment(served, phone) -> None:
    from selenium.webdriver.common.keys import Keys

    from tests.support.live_server import CLERK_PASSWORD

    site = served()
    kiosk = site.app.auth("kiosk")
    assert site.app.client.post("/api/result-tickets", json={"dossier_code": "H12.22-260301-0042"},
                                headers={**kiosk, "Idempotency-Key": "result-1"}).status_code == 201
    phone.set_window_size(1280, 800)
    try:
        phone.get(site.url + "/console/login")
        phone.find_element("id", "username").send_keys("quay5")
        phone.find_element("id", "password").send_keys(CLERK_PASSWORD + Keys.ENTER)
        wait_for(lambda: phone.find_elements("id", "btn-next"))
        requests.post(site.url + "/api/counters/5/call-next", headers=site.app.auth("quay5"),
                      timeout=10).raise_for_status()
        wait_for(lambda: phone.find_element("id", "ticket-number").text == "K001")
        assert wait_for(lambda: phone.find_element("id", "ticket-details").text) == "Mã hồ sơ: H12.22-260301-0042"
        # An appointment ticket at counter 1: the console's own mark, and the booking's time and code.
        code = site.app.client.post("/api/appointments", json={"service": "HT", "slot": "2026-03-02T08:30"}).get_json()
        site.app.clock.advance(minutes=20)
        site.app.client.post("/api/appointments/check-in", json={"code": code["appointment"]["code"]}, headers=kiosk)
        phone.delete_all_cookies()
        phone.get(site.url + "/console/login")
        phone.find_element("id", "username").send_keys("quay1")
        phone.find_element("id", "password").send_keys(CLERK_PASSWORD + Keys.ENTER)
        wait_for(lambda: phone.find_elements("id", "btn-next"))
        requests.post(site.url + "/api/counters/1/call-next", headers=site.app.auth("quay1"),
                      timeout=10).raise_for_status()
        wait_for(lambda: phone.find_element("id", "ticket-number").text == "A001")
        assert phone.find_element("id", "ticket-marks").text == "Ưu tiên: Có hẹn trước"  # wording.PRIORITY_LABELS
        assert wait_for(lambda: phone.find_element("id", "ticket-details").text) == \
            f"Lịch hẹn 08:30 · mã {code['appointment']['code'][:4]}-{code['appointment']['code'][4:]}"
    finally:
        phone.set_window_size(390, 844)
