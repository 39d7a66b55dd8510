"""The console in a real headless Chromium against a real ``motcua serve`` process.

Screenshots go to the test's temp folder (look at them); with
MOTCUA_UPDATE_DOCS_IMG=1 one small PNG also replaces docs/img/console.png.
"""

from __future__ import annotations

import io
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from selenium.webdriver import Chrome
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.select import Select

from tests.support.browser import wait_until
from tests.support.live_server import ADMIN_PASSWORD, CLERK_PASSWORD, PROJECT, LiveServer

pytestmark = pytest.mark.e2e

DOCS_IMAGE = PROJECT / "docs" / "img" / "console.png"




class ConsolePage:
    """The console as a clerk sees it."""

    def __init__(self, driver: WebDriver, server: LiveServer, shots: Path) -> None:
        self.driver, self.server, self.shots = driver, server, shots

    def text(self, element_id: str) -> str:
        """The visible text of an element."""
        return self.driver.find_element(By.ID, element_id).text

    def wait_text(self, element_id: str, expected: str, timeout: float = 6.0) -> None:
        """Wait until the element's text contains ``expected``."""
        wait_until(lambda: expected in self.text(element_id), f"{expected!r} in #{element_id}", timeout)

    def waiting(self, service: str = "HT") -> str:
        """The waiting count shown for a field."""
        return self.driver.find_element(By.CSS_SELECTOR, f'#fields tr[data-service="{service}"] td.waiting').text

    def wait_waiting(self, count: int, service: str = "HT") -> None:
        """Wait until the console shows this many waiting for a field."""
        wait_until(lambda: self.waiting(service) == str(count), f"{count} waiting for {service}")

    def sign_in(self, username: str = "quay1", password: str = CLERK_PASSWORD) -> None:
        """Open /console, land on the sign-in form, sign in, wait for the console."""
        self.driver.delete_all_cookies()
        self.driver.get(self.server.url + "/console")
        assert "/console/login" in self.driver.current_url
        self.driver.find_element(By.ID, "username").send_keys(username)
        self.driver.find_element(By.ID, "password").send_keys(password + Keys.ENTER)
        wait_until(lambda: self.driver.find_elements(By.ID, "btn-next"), "the console")
        wait_until(lambda: self.driver.find_elements(By.CSS_SELECTOR, "#fields tr"), "the waiting counts")

    def click(self, element_id: str) -> None:
        """Click a button once it is enabled."""
        button = self.driver.find_element(By.ID, element_id)
        wait_until(button.is_enabled, f"#{element_id} enabled")
        button.click()

    def press(self, *keys: str) -> None:
        """Keys as a clerk types them, into whatever has the focus."""
        wait_until(lambda: "busy" not in (self.driver.find_element(By.TAG_NAME, "body").get_attribute("class") or ""),
                   "idle")
        ActionChains(self.driver).send_keys(*keys).perform()

    def shot(self, name: str) -> Path:
        """A screenshot in the test's folder."""
        path = self.shots / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path


class Api:
    """The other actors: the kiosk and the clerk of counter 2."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.quay2 = {"Authorization": f"Bearer {server.login('quay2')}"}

    def issue(self, service: str = "HT", priority: str | None = None) -> dict:
        """A ticket from the kiosk."""
        answer = requests.post(self.server.url + "/api/tickets", json={"service": service, "priority": priority},
                               headers={"Authorization": f"Bearer {self.server.tokens['kiosk']}",
                                        "Idempotency-Key": uuid.uuid4().hex}, timeout=5)
        assert answer.status_code == 201, answer.text
        return answer.json()["ticket"]

    def quay2_calls_next(self) -> dict:
        """Counter 2's clerk presses Gọi tiếp (through the API)."""
        answer = requests.post(self.server.url + "/api/counters/2/call-next", headers=self.quay2, timeout=5)
        assert answer.status_code == 200, answer.text
        return answer.json()["ticket"]


@pytest.fixture
def page(browser: Chrome, live_server: LiveServer, tmp_path: Path) -> Iterator[ConsolePage]:
    """The browser on a fresh server; afterwards, no script error may have been logged."""
    shots = tmp_path / "screenshots"
    shots.mkdir()
    yield ConsolePage(browser, live_server, shots)
    errors = [entry for entry in browser.get_log("browser")
              if entry["level"] == "SEVERE" and entry.get("source") != "network"]
    browser.get("about:blank")  # closes the live feed, so the server stops at once
    assert not errors, f"the page logged errors: {errors}"


def save_docs_image(source: Path) -> None:
    """A small palette PNG of the console for the README."""
    from PIL import Image

    with Image.open(source) as opened:
        image = opened.convert("RGB")
        image.thumbnail((960, 960))
        buffer = io.BytesIO()
        image.quantize(colors=256).save(buffer, format="PNG", optimize=True)
    DOCS_IMAGE.parent.mkdir(parents=True, exist_ok=True)
    DOCS_IMAGE.write_bytes(buffer.getvalue())


def test_a_clerk_works_the_queue_with_buttons_and_keys_and_sees_other_counters_live(
        page: ConsolePage, live_server: LiveServer):
    api = Api(live_server)
    for _ in range(3):
        api.issue()
    page.sign_in("quay1")
    page.wait_waiting(3)

    page.click("btn-next")
    page.wait_text("ticket-number", "A001")
    page.wait_waiting(2)
    page.shot("01-called")

    time.sleep(0.7)  # a second "call next" sooner is taken for a double press and ignored
    page.press(Keys.SPACE)  # call next by keyboard: A001 is completed, A002 called
    page.wait_text("ticket-number", "A002")
    page.press("r")
    page.wait_text("ticket-status", "đã gọi lại 1 lần")
    page.press("s")
    page.wait_text("ticket-status", "Đang phục vụ")

    # Counter 2 calls A003 through the API: the console's count drops by itself.
    assert api.quay2_calls_next()["number"] == "A003"
    page.wait_waiting(0)

    page.press("t")
    dialog = page.driver.find_element(By.ID, "transfer-dialog")
    wait_until(dialog.is_displayed, "the transfer dialog")
    page.shot("02-transfer")
    dialog.find_element(By.XPATH, ".//button[contains(., 'Văn phòng – Thống kê')]").click()
    page.wait_text("message", "Đã chuyển số A002")
    page.wait_text("ticket-number", "—")
    services = requests.get(live_server.url + "/api/services", timeout=5).json()["services"]
    assert {s["code"]: s["waiting"] for s in services}["VP"] == 1

    api.issue()
    api.issue(priority="elderly")
    page.wait_waiting(2)
    wait_until(lambda: "Ưu tiên" in page.text("queue"), "the priority mark in the queue")
    page.press(Keys.ENTER)
    page.wait_text("ticket-number", "A005")  # the priority ticket first
    page.wait_text("ticket-marks", "Người cao tuổi")

    page.press("v")
    no_show = wait_until(lambda: page.driver.find_elements(By.CSS_SELECTOR, "#no-shows li"), "the no-show list")
    assert "A005" in no_show[0].text
    page.wait_text("ticket-number", "—")
    page.click("btn-next")
    page.wait_text("ticket-number", "A004")
    page.shot("03-no-show")
    # A005 came back. The list re-renders on every event, so find and click in one step, retried.
    def call_back() -> bool:
        page.driver.find_element(By.CSS_SELECTOR, "#no-shows li button").click()
        return True

    wait_until(call_back, "the call-back button")
    page.wait_text("ticket-number", "A005")
    wait_until(lambda: not page.driver.find_elements(By.CSS_SELECTOR, "#no-shows li"), "the no-show list to empty")

    page.press("d")
    page.wait_text("message", "Đã hoàn thành số A005")
    page.wait_text("ticket-number", "—")

    # A busy moment, for the README's picture.
    for priority in (None, "pregnant", None, None):
        api.issue(priority=priority)
    page.wait_waiting(4)
    page.press(Keys.ENTER)
    page.wait_text("ticket-number", "A007")
    page.press("v")
    wait_until(lambda: "A007" in page.text("no-shows"), "A007 among the no-shows")
    page.press(Keys.SPACE)
    page.wait_text("ticket-number", "A006")
    wait_until(lambda: "A006" not in page.text("queue") and "A009" in page.text("queue"), "the queue to settle")
    picture = page.shot("04-busy")
    if os.environ.get("MOTCUA_UPDATE_DOCS_IMG") == "1":
        save_docs_image(picture)


def test_pause_by_preset_and_by_typed_reason_without_firing_shortcuts_then_sign_out(
        page: ConsolePage, live_server: LiveServer):
    api = Api(live_server)
    api.issue()
    page.driver.get(live_server.url + "/")
    links = [a.get_attribute("href") or "" for a in page.driver.find_elements(By.CSS_SELECTOR, "a.big-link")]
    paths = [link.removeprefix(live_server.url) for link in links]
    assert paths[0] == "/console" and paths[-1] == "/api/openapi.json"  # the lobby board between, when installed
    page.shot("00-home")
    page.sign_in("quay1")
    page.press("p")
    wait_until(page.driver.find_element(By.ID, "pause-dialog").is_displayed, "the pause dialog")
    page.press("2")  # the second preset
    page.wait_text("counter-state", "Đang tạm dừng: Họp")
    page.wait_text("btn-pause", "Tiếp tục")
    page.press("p")
    wait_until(lambda: "tạm dừng" not in page.text("counter-state"), "the counter to resume")

    page.press("p")
    field = page.driver.find_element(By.ID, "pause-reason")
    field.click()
    field.send_keys("Sửa máy in, đợi 5 phút" + Keys.ENTER)  # S, D, r… typed here are not shortcuts
    page.wait_text("counter-state", "Đang tạm dừng: Sửa máy in, đợi 5 phút")
    page.shot("05-paused")
    assert page.text("ticket-number") == "—"
    assert page.waiting() == "1"

    page.click("logout")
    wait_until(lambda: "/console/login" in page.driver.current_url, "the sign-in page")
    page.driver.get(live_server.url + "/console")
    assert "/console/login" in page.driver.current_url


def test_an_admin_picks_a_counter_and_the_console_survives_a_lost_connection(
        page: ConsolePage, live_server: LiveServer):
    api = Api(live_server)
    api.issue("VP")
    page.sign_in("admin", ADMIN_PASSWORD)
    Select(page.driver.find_element(By.ID, "counter-select")).select_by_value("3")
    page.wait_text("counter-name", "quầy 3")
    page.wait_waiting(1, "VP")
    mark = page.driver.find_element(By.ID, "connection")
    assert not mark.is_displayed()

    live_server.kill()
    wait_until(mark.is_displayed, "the lost-connection mark", timeout=8)
    page.shot("06-offline")
    live_server.start()
    Api(live_server).issue("VP")
    wait_until(lambda: not mark.is_displayed(), "the mark to go", timeout=10)
    page.wait_waiting(2, "VP")
    page.press(Keys.SPACE)
    page.wait_text("ticket-number", "B001")

    page.driver.refresh()  # the choice of counter stays on this PC
    page.wait_text("counter-name", "quầy 3")
    page.wait_text("ticket-number", "B001")
