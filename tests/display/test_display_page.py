"""The browser board at /display: the page, its media, and the live board in headless Chromium."""

from __future__ import annotations

import json
import re

import pytest

from queue_server.client import QueueClient, new_idempotency_key
from tests.support.browser import wait_text
from tests.support.live_server import CLERK_PASSWORD


def settings_of(page: str) -> dict:
    found = re.search(r'<script id="settings" type="application/json">(.*?)</script>', page, re.S)
    assert found is not None, page
    return json.loads(found.group(1))


def test_the_page_carries_the_screen_settings(board_app):
    client = board_app.test_client()
    page = client.get("/display?screen=cua-vao")
    assert page.status_code == 200
    settings = settings_of(page.get_data(as_text=True))
    assert settings["screen"] == "cua-vao" and settings["orientation"] == "portrait"
    assert settings["ticker"] and settings["media"][0]["url"] == "/display/media/0"


def test_a_tv_without_an_entry_can_pick_its_counters(board_app):
    page = board_app.test_client().get("/display?counters=1,2&orientation=portrait").get_data(as_text=True)
    settings = settings_of(page)
    assert settings["counters"] == [1, 2] and settings["orientation"] == "portrait"


def test_an_unknown_screen_is_a_404_naming_the_known_ones(board_app):
    page = board_app.test_client().get("/display?screen=tang-9")
    assert page.status_code == 404 and "sanh-chinh" in page.get_data(as_text=True)


def test_only_playlist_files_are_served(board_app):
    client = board_app.test_client()
    image = client.get("/display/media/0")
    assert image.status_code == 200 and image.mimetype == "image/png"
    image.close()
    assert client.get("/display/media/99").status_code == 404
    assert client.get("/display/media/..%2F..%2Fsetup.cfg").status_code == 404


@pytest.mark.e2e
def test_the_browser_board_follows_calls_and_pauses(board_app, browser, tmp_path):
    from selenium.webdriver.common.by import By

    browser.set_window_size(1920, 1080)
    browser.get(board_app.url + "/display")
    wait_text(browser, "#waiting [data-service=HT] .count", "0 người đang chờ")
    kiosk = QueueClient(board_app.url, board_app.tokens["kiosk"])
    for service in ("HT", "HT", "VP"):
        kiosk.issue_ticket(service, idempotency_key=new_idempotency_key())
    wait_text(browser, "#waiting [data-service=HT] .count", "2 người đang chờ")
    clerk = QueueClient(board_app.url)
    clerk.login("quay1", CLERK_PASSWORD)
    clerk.counter_action(1, "call-next")
    wait_text(browser, "#call-number", "A001")
    assert browser.find_element(By.ID, "call-title").text == "MỜI CÔNG DÂN SỐ"
    assert "flash" in browser.find_element(By.ID, "call").get_attribute("class")
    wait_text(browser, "#grid tr[data-counter='1'] td.ticket", "A001")
    wait_text(browser, "#waiting [data-service=HT] .count", "1 người đang chờ")
    other = QueueClient(board_app.url)
    other.login("quay2", CLERK_PASSWORD)
    other.counter_action(2, "pause", {"reason": "Họp giao ban"})
    wait_text(browser, "#grid tr[data-counter='2'] td.field", "Tạm ngưng: Họp giao ban")
    browser.save_screenshot(str(tmp_path / "display-browser.png"))  # look at it when changing the page
    page_text = browser.find_element(By.TAG_NAME, "body").text
    assert "A001" in page_text and "mất kết nối" not in page_text


@pytest.mark.e2e
def test_the_browser_board_in_portrait_shows_only_its_zone(board_app, browser, tmp_path):
    from selenium.webdriver.common.by import By

    browser.set_window_size(1080, 1920)
    try:
        browser.get(board_app.url + "/display?counters=3&orientation=portrait")
        wait_text(browser, "#waiting [data-service=VP] .count", "0 người đang chờ")
        rows = browser.find_elements(By.CSS_SELECTOR, "#grid tbody tr")
        assert [row.get_attribute("data-counter") for row in rows] == ["3"]
        kiosk = QueueClient(board_app.url, board_app.tokens["kiosk"])
        kiosk.issue_ticket("HT", idempotency_key=new_idempotency_key())
        kiosk.issue_ticket("VP", idempotency_key=new_idempotency_key())
        clerk1, clerk3 = QueueClient(board_app.url), QueueClient(board_app.url)
        clerk1.login("quay1", CLERK_PASSWORD)
        clerk3.login("quay3", CLERK_PASSWORD)
        clerk1.counter_action(1, "call-next")
        clerk3.counter_action(3, "call-next")
        wait_text(browser, "#call-number", "B001")
        assert "A001" not in browser.find_element(By.TAG_NAME, "body").text  # another zone's call
        browser.save_screenshot(str(tmp_path / "display-browser-portrait.png"))
    finally:
        browser.set_window_size(1920, 1080)
