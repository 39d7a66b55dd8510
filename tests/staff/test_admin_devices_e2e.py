"""/admin → Thiết bị in a real headless Chromium against a real ``motcua serve`` (issue 15.1): a new kiosk shows a code,
the head opens the QR's address, names the kiosk, the kiosk collects its token and takes a ticket, and "Thu hồi"
stops that token at once; a code that is not six digits and a code no device shows get a Vietnamese message and add
no device.

The test plays the kiosk with plain HTTP (the Kivy side is tested in tests/kiosk); one server, one browser.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.browser import headless_chromium, submit_sign_in, wait_until
from tests.support.live_server import ADMIN_PASSWORD, LiveServer
from tests.support.servers import OfficeDb, ServerPool

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def office(office_template: OfficeDb, scratch: Callable[[str], Path]) -> Iterator[LiveServer]:
    """The sample commune office (a copy of the run's template), served for this module; its log must stay clean."""
    pool = ServerPool(office_template, lambda: scratch("devices"))
    yield pool.start()
    pool.stop_all()


@pytest.fixture(scope="module")
def head() -> Iterator[Any]:
    """The office head's PC (or phone: the same page)."""
    with headless_chromium("1366,768") as browser:
        yield browser


def open_admin(head: Any, url: str) -> None:
    """Open an /admin address, signing in when the page asks first (it brings the person back to that address)."""
    head.get(url)
    if head.find_elements("id", "sign-in"):
        submit_sign_in(head, "admin", ADMIN_PASSWORD)
    wait_until(lambda: head.find_elements("id", "pair-form"), "the dashboard")


def post(office: LiveServer, path: str, body: dict[str, Any], token: str | None = None) -> requests.Response:
    headers = {"Idempotency-Key": uuid.uuid4().hex, **({"Authorization": f"Bearer {token}"} if token else {})}
    return requests.post(office.url + path, json=body, headers=headers, timeout=10)


def device_names(office: LiveServer) -> list[str]:
    admin = office.login("admin", ADMIN_PASSWORD)
    answer = requests.get(office.url + "/api/devices", headers={"Authorization": f"Bearer {admin}"}, timeout=10)
    return [d["name"] for d in answer.json()["devices"]]


def row_text(head: Any, name: str) -> str:
    return str(head.find_element("css selector", f'#device-table tr[data-device="{name}"]').text)


def wait_message(head: Any, expected: str) -> None:
    wait_until(lambda: expected in head.find_element("id", "devices-message").text, f"the message {expected!r}")


def test_a_kiosk_paired_from_its_qr_takes_tickets_until_the_head_revokes_it(office: LiveServer, head: Any) -> None:
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    started = post(office, "/api/pairings", {"role": "kiosk", "label": "may-sanh"}).json()
    code, claim = started["code"], started["claim"]
    assert started["confirm_url"].endswith(f"/admin?pair={code}#devices")
    assert post(office, "/api/pairings/claim", {"claim": claim}).json() == {"state": "waiting"}

    qr_path = "/admin" + started["confirm_url"].split("/admin", 1)[1]  # its host is the office's public address
    open_admin(head, office.url + qr_path)  # signed out, as on the head's phone: the sign-in comes back here
    wait_until(lambda: head.find_element("id", "pair-code").get_attribute("value") == code, "the code filled in")
    wait_until(lambda: head.switch_to.active_element.get_attribute("id") == "pair-name", "the name to have the focus")
    head.switch_to.active_element.send_keys("kiosk-sanh")
    head.find_element("id", "pair-add").click()
    wait_message(head, "Đã ghép “kiosk-sanh” làm ki-ốt")

    paired = post(office, "/api/pairings/claim", {"claim": claim}).json()
    assert (paired["state"], paired["name"], paired["role"]) == ("paired", "kiosk-sanh", "kiosk")
    token = paired["token"]
    assert post(office, "/api/tickets", {"service": "HT"}, token).status_code == 201
    assert post(office, "/api/devices/status", {"component": "printer", "ok": True}, token).status_code == 200
    head.refresh()  # the table is drawn every 30 s; a reload shows the report now
    wait_until(lambda: "printer: tốt" in row_text(head, "kiosk-sanh"), "the kiosk's report in the table")
    assert "chưa liên lạc" not in row_text(head, "kiosk-sanh")

    head.find_element("css selector", '#device-table tr[data-device="kiosk-sanh"] button.revoke').click()
    confirm = WebDriverWait(head, 5).until(expected_conditions.alert_is_present())
    assert "kiosk-sanh" in confirm.text
    confirm.accept()
    wait_message(head, "Đã thu hồi “kiosk-sanh”")
    assert "đã thu hồi" in row_text(head, "kiosk-sanh")
    refused = post(office, "/api/tickets", {"service": "HT"}, token)
    assert (refused.status_code, refused.json()["error"]["code"]) == (401, "invalid_token")


def test_a_short_code_and_a_code_no_device_shows_get_a_message_and_add_nothing(office: LiveServer, head: Any) -> None:
    open_admin(head, office.url + "/admin#devices")
    before = device_names(office)
    wait_until(lambda: head.find_elements("css selector", "#device-table tr[data-device]"), "the devices table")
    tries = (("123 45", "Mã “123 45” có 5 chữ số: mã ghép có 6 chữ số"),
             ("000-000", "Không có thiết bị nào đang hiện mã 000000"))
    for typed, expected in tries:
        head.find_element("id", "pair-code").clear()
        head.find_element("id", "pair-code").send_keys(typed)
        head.find_element("id", "pair-name").clear()
        head.find_element("id", "pair-name").send_keys("bang-tang-1")
        head.find_element("id", "pair-add").click()
        wait_message(head, expected)
    assert device_names(office) == before
    assert not head.find_elements("css selector", '#device-table tr[data-device="bang-tang-1"]')
