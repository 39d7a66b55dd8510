"""The browser board when the live feed refuses it a stream (issue 17.14), in headless Chromium.

With the stream cap at 0 every GET /api/events answers 503; the board must
poll GET /api/counters and /api/services like the ticket page and the
console, show and flash a call within seconds, and go back to the stream
once one is to be had.
"""

from __future__ import annotations

import time

import pytest

from queue_server.client import QueueClient, new_idempotency_key
from queue_server.web.api_events import StreamSlots
from tests.support.browser import wait_text
from tests.support.live_server import CLERK_PASSWORD

CALL_SHOWN_WITHIN_S = 8.0  # the board polls every 3 s: a call is on the screen within two polls and a margin


@pytest.mark.e2e
def test_a_board_refused_a_stream_polls_and_flashes_the_call(board_app, browser) -> None:
    from selenium.webdriver.common.by import By

    board_app.extensions["motcua.stream_slots"] = StreamSlots(0)  # the feed is full
    browser.get(board_app.url + "/display")
    wait_text(browser, "#waiting [data-service=HT] .count", "0 người đang chờ")
    assert browser.execute_script("return window.motcuaBoard.polling()") is True
    kiosk = QueueClient(board_app.url, board_app.tokens["kiosk"])
    for service in ("HT", "HT"):
        kiosk.issue_ticket(service, idempotency_key=new_idempotency_key())
    clerk = QueueClient(board_app.url)
    clerk.login("quay1", CLERK_PASSWORD)
    called = time.monotonic()
    clerk.counter_action(1, "call-next")
    wait_text(browser, "#call-number", "A001", timeout=CALL_SHOWN_WITHIN_S)
    assert time.monotonic() - called < CALL_SHOWN_WITHIN_S
    assert browser.find_element(By.ID, "call-title").text == "MỜI CÔNG DÂN SỐ"
    assert "flash" in browser.find_element(By.ID, "call").get_attribute("class")
    wait_text(browser, "#grid tr[data-counter='1'] td.ticket", "A001")
    wait_text(browser, "#waiting [data-service=HT] .count", "1 người đang chờ")
    assert browser.find_element(By.ID, "offline").is_displayed() is False
    clerk.counter_action(1, "recall")
    wait_text(browser, "#call-title", "MỜI LẠI CÔNG DÂN SỐ", timeout=CALL_SHOWN_WITHIN_S)


@pytest.mark.e2e
def test_a_polling_board_goes_back_to_the_stream_when_a_slot_frees(board_app, browser) -> None:
    board_app.extensions["motcua.stream_slots"] = StreamSlots(0)
    browser.get(board_app.url + "/display")
    wait_text(browser, "#waiting [data-service=HT] .count", "0 người đang chờ")
    assert browser.execute_script("return window.motcuaBoard.polling()") is True
    board_app.extensions["motcua.stream_slots"] = StreamSlots(10)
    deadline = time.monotonic() + 40  # the board retries the stream with back-off, at most every 30 s
    while browser.execute_script("return window.motcuaBoard.polling()") and time.monotonic() < deadline:
        time.sleep(0.5)
    assert browser.execute_script("return window.motcuaBoard.polling()") is False
    kiosk = QueueClient(board_app.url, board_app.tokens["kiosk"])
    kiosk.issue_ticket("VP", idempotency_key=new_idempotency_key())
    clerk = QueueClient(board_app.url)
    clerk.login("quay3", CLERK_PASSWORD)
    clerk.counter_action(3, "call-next")
    wait_text(browser, "#call-number", "B001", timeout=5)  # live again: no poll needed
