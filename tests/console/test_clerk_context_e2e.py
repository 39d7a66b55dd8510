"""The clerk's context (issue 14.4) in a real headless Chromium against a real ``motcua serve``: the procedure
by name, a number called out of order (its chip, or typed from the paper), pause refused with a citizen
called, a transfer's origin and note at the receiving counter, waits past the target, the day's served list.

Screenshots go to the test's temp folder: look at them when changing the console.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from selenium.webdriver import Chrome
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.support.browser import wait_until
from tests.support.live_server import CLERK_PASSWORD, LiveServer

pytestmark = pytest.mark.e2e

NOTE = "Thiếu bản sao CCCD, 2 tờ khai"  # the digit must be typed, not taken as the second choice
BIRTH = "1.001193"  # "Đăng ký khai sinh" in the sample catalogue
# Date.now() moved forward on demand, so the chips' minutes run on without waiting half an hour.
SHIFTED_NOW = ("(() => { const real = Date.now.bind(Date); "
               "Date.now = () => real() + (window.__motcuaShiftMs || 0); })();")


class Clerk:
    """The console as one clerk works it."""

    def __init__(self, driver: Chrome, server: LiveServer, shots: Path) -> None:
        self.driver, self.server, self.shots = driver, server, shots

    def sign_in(self, username: str) -> None:
        """Sign in through the form and wait for the console's first read."""
        self.driver.delete_all_cookies()
        self.driver.get(self.server.url + "/console")
        self.driver.find_element(By.ID, "username").send_keys(username)
        self.driver.find_element(By.ID, "password").send_keys(CLERK_PASSWORD + Keys.ENTER)
        wait_until(lambda: self.driver.find_elements(By.CSS_SELECTOR, "#fields tr"), "the console")

    def text(self, element_id: str) -> str:
        """The visible text of an element."""
        return self.driver.find_element(By.ID, element_id).text

    def wait_text(self, element_id: str, expected: str) -> None:
        """Wait until the element's text contains ``expected``."""
        wait_until(lambda: expected in self.text(element_id), f"{expected!r} in #{element_id}")

    def chip(self, number: str):
        """The waiting chip of a number."""
        return next(li for li in self.driver.find_elements(By.CSS_SELECTOR, "#queue li")
                    if li.find_element(By.TAG_NAME, "strong").text == number)

    def chip_text(self, number: str) -> str:
        """The chip's text, read again if the list re-rendered between finding the chip and reading it."""
        return wait_until(lambda: self.chip(number).text, f"the chip of {number}")

    def call_chip(self, number: str) -> None:
        """Press the chip's "Gọi" (found and clicked in one step: the list re-renders on every event)."""
        def press() -> bool:
            self.chip(number).find_element(By.TAG_NAME, "button").click()
            return True
        wait_until(press, f"the call button of {number}")
        self.wait_text("ticket-number", number)

    def keys(self, *keys: str) -> None:
        """Keys into whatever has the focus, once no action is on its way."""
        wait_until(lambda: "busy" not in (self.driver.find_element(By.TAG_NAME, "body").get_attribute("class")
                                          or ""), "idle")
        self.driver.find_element(By.TAG_NAME, "body").send_keys(*keys)

    def shot(self, name: str) -> None:
        """A screenshot in the test's folder."""
        self.driver.save_screenshot(str(self.shots / f"{name}.png"))


def kiosk_issue(server: LiveServer, priority: str | None = None, procedure: str | None = None) -> dict:
    """A ticket from the kiosk, as a citizen takes it."""
    answer = requests.post(server.url + "/api/tickets", json={"service": "HT", "priority": priority,
                                                              "procedure": procedure},
                           headers={"Authorization": f"Bearer {server.tokens['kiosk']}",
                                    "Idempotency-Key": uuid.uuid4().hex}, timeout=5)
    assert answer.status_code == 201, answer.text
    return answer.json()["ticket"]


@pytest.fixture
def clerk(browser: Chrome, live_server: LiveServer, tmp_path: Path) -> Iterator[Clerk]:
    """The console on a fresh server, with a clock the test may move; no script error may be logged."""
    shots = tmp_path / "screenshots"
    shots.mkdir()
    script = browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": SHIFTED_NOW})
    try:
        yield Clerk(browser, live_server, shots)
        errors = [entry for entry in browser.get_log("browser")
                  if entry["level"] == "SEVERE" and entry.get("source") != "network"]
        assert not errors, f"the page logged errors: {errors}"
    finally:
        browser.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]})
        browser.get("about:blank")  # closes the live feed, so the server stops at once


def test_a_clerk_calls_out_of_order_cannot_pause_mid_call_and_hands_over_with_a_note(
        clerk: Clerk, live_server: LiveServer):
    kiosk_issue(live_server, procedure=BIRTH)
    kiosk_issue(live_server, priority="elderly")
    kiosk_issue(live_server)
    clerk.sign_in("quay1")
    wait_until(lambda: len(clerk.driver.find_elements(By.CSS_SELECTOR, "#queue li")) == 3, "three chips")
    assert "Ưu tiên: Người cao tuổi" in clerk.chip_text("A002")  # the group named, not just "Ưu tiên"
    assert "vừa lấy" in clerk.chip_text("A001")

    clerk.call_chip("A003")  # out of order: A001 and A002 keep waiting
    wait_until(lambda: [li.find_element(By.TAG_NAME, "strong").text
                        for li in clerk.driver.find_elements(By.CSS_SELECTOR, "#queue li")] == ["A002", "A001"],
               "A002 (priority) and A001 still waiting")
    clerk.keys("p")
    clerk.wait_text("message", "Số A003 chưa xong: bấm Hoàn thành, Vắng mặt hoặc Chuyển trước khi tạm dừng.")
    assert not clerk.driver.find_element(By.ID, "pause-dialog").is_displayed()
    assert clerk.text("counter-state") == ""  # not paused

    clerk.keys("t")
    dialog = clerk.driver.find_element(By.ID, "transfer-dialog")
    wait_until(dialog.is_displayed, "the transfer dialog")
    note = clerk.driver.find_element(By.ID, "transfer-note")
    note.click()
    note.send_keys(NOTE + Keys.ENTER)  # Enter in the note does not close the dialog without a choice
    assert dialog.is_displayed()
    clerk.shot("01-transfer-with-note")
    dialog.find_element(By.XPATH, ".//button[contains(., 'Quầy 2')]").click()
    clerk.wait_text("message", "Đã chuyển số A003")

    typed = clerk.driver.find_element(By.ID, "call-number")
    typed.click()
    typed.send_keys("a001" + Keys.ENTER)  # the number on the citizen's paper
    clerk.wait_text("ticket-number", "A001")
    clerk.wait_text("ticket-procedure", "Thủ tục: Đăng ký khai sinh")
    clerk.keys("d")
    clerk.wait_text("message", "Đã hoàn thành số A001")
    clerk.wait_text("served", "A001")
    assert "Đăng ký khai sinh" in clerk.text("served") and clerk.text("served-count") == "(1 số)"

    # Twenty-five minutes on: A002 has waited past Hộ tịch's 20-minute target (the chips count on between reads).
    clerk.driver.execute_script("window.__motcuaShiftMs = 25 * 60 * 1000;")
    wait_until(lambda: "over-target" in (clerk.chip("A002").get_attribute("class") or ""),
               "A002 marked past the target", timeout=20)
    assert "chờ 25 phút" in clerk.chip_text("A002")
    clerk.shot("02-served-and-over-target")
    clerk.driver.execute_script("window.__motcuaShiftMs = 0;")

    clerk.sign_in("quay2")
    wait_until(lambda: "Chuyển" in clerk.chip("A003").text, "A003 marked transferred at counter 2")
    clerk.call_chip("A003")
    clerk.wait_text("ticket-transfer", "Chuyển từ Quầy 1 (Tư pháp – Hộ tịch)")
    clerk.wait_text("ticket-transfer", "Ghi chú: " + NOTE)
    clerk.shot("03-received-with-note")
    board = requests.get(live_server.url + "/api/counters", timeout=5).text
    assert "A003" in board and NOTE not in board
