"""Today's counters on /admin reach the clerk's console live (issue 15.1), in two headless Chromiums: the head gives
Quầy 3 another field and closes it for today, and the console of Quầy 3 shows both without a reload.

The in-process app on its fake clock (Monday 2 March 2026, 08:00) served over HTTP (the ``served`` fixture).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.browser import headless_chromium, sign_in, wait_until
from tests.support.live_server import ADMIN_PASSWORD, CLERK_PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def desks() -> Iterator[tuple[Any, Any]]:
    """The office head's PC and the clerk's PC at Quầy 3."""
    with headless_chromium("1366,900") as head, headless_chromium("1366,900") as clerk:
        yield head, clerk


def fields_shown(clerk: Any) -> list[str]:
    return [row.get_attribute("data-service") for row in clerk.find_elements("css selector", "#fields tr")]


def counter_row(head: Any, number: int) -> Any:
    return wait_until(lambda: head.find_element("css selector", f'#counters-table tr[data-counter="{number}"]'))


def test_the_console_learns_its_new_field_and_its_closing_without_a_reload(served, desks) -> None:
    head, clerk = desks
    site = served()
    sign_in(clerk, site.url, "/console/login", "quay3", CLERK_PASSWORD)
    wait_until(lambda: fields_shown(clerk) == ["VP"], "the console to show its field")
    clerk.execute_script("window.notReloaded = true")
    sign_in(head, site.url, "/admin/login", "admin", ADMIN_PASSWORD)

    counter_row(head, 3).find_element("css selector", 'input[value="DC"]').click()
    counter_row(head, 3).find_element("css selector", "button.save").click()
    wait_until(lambda: fields_shown(clerk) == ["VP", "DC"], "the console to show Địa chính")

    counter_row(head, 3).find_element("css selector", "button.close-today").click()
    wait_until(lambda: "Đã đóng Quầy 3 hôm nay" in head.find_element("id", "counters-message").text)
    wait_until(lambda: "đóng hôm nay" in clerk.find_element("id", "counter-state").text, "the console to say closed")
    assert clerk.find_element("id", "btn-next").get_attribute("disabled") is not None
    assert "đóng hôm nay" in counter_row(head, 3).text

    counter_row(head, 5).find_element("css selector", "button.close-today").click()  # the only Văn hóa counter
    wait_until(lambda: "Văn hóa – Xã hội, Nhận kết quả" in head.find_element("id", "counters-unserved").text)

    counter_row(head, 3).find_element("css selector", "button.open-today").click()
    wait_until(lambda: "Đã mở lại Quầy 3." in head.find_element("id", "counters-message").text)
    wait_until(lambda: "đóng hôm nay" not in clerk.find_element("id", "counter-state").text, "the console to reopen")
    assert clerk.find_element("id", "btn-next").get_attribute("disabled") is None
    assert clerk.execute_script("return window.notReloaded") is True


def test_closing_a_counter_that_serves_someone_gets_a_vietnamese_message(served, desks) -> None:
    head, _ = desks
    site = served()
    site.app.client.post("/api/tickets", json={"service": "VP"},
                         headers={**site.app.auth("kiosk"), "Idempotency-Key": "vp-1"})
    site.app.client.post("/api/counters/3/call-next", headers=site.app.auth("quay3"))
    sign_in(head, site.url, "/admin/login", "admin", ADMIN_PASSWORD)
    counter_row(head, 3).find_element("css selector", "button.close-today").click()
    wait_until(lambda: "Quầy 3 đang phục vụ số B001" in head.find_element("id", "counters-message").text)
    assert next(c for c in site.app.client.get("/api/counters").get_json()["counters"]
                if c["number"] == 3)["closed_today"] is False
