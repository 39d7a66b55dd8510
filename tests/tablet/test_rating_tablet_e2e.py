"""The rating tablet in a real headless Chromium against a real ``motcua serve``, paired with the real CLI."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.browser import doc_shot, headless_chromium
from tests.support.live_server import LiveServer, motcua

PROMPT_SECONDS = 5  # short, so the expiry is seen within the test; still far longer than a tap takes


def api(server: LiveServer, path: str, who: str, **body: Any) -> dict:
    headers = {"Authorization": f"Bearer {server.tokens[who]}", "Idempotency-Key": f"{path}-{time.monotonic_ns()}"}
    answer = requests.post(server.url + path, json=body or None, headers=headers, timeout=10)
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def serve_one(server: LiveServer, counter: int = 1, complete: bool = True) -> dict:
    """Issue a ticket, call it to ``counter`` and (unless told not to) end its service."""
    ticket = api(server, "/api/tickets", "kiosk", service="HT")["ticket"]
    api(server, f"/api/counters/{counter}/call-next", f"quay{counter}")
    if complete:
        api(server, f"/api/counters/{counter}/complete", f"quay{counter}")
    return ticket


def ratings(server: LiveServer) -> list[tuple]:
    with sqlite3.connect(server.db) as conn:
        return conn.execute(
            "SELECT ticket_id, overall, (SELECT group_concat(code) FROM rating_answers a WHERE a.rating_id = r.id "
            "AND kind = 'reason'), device FROM ratings r ORDER BY id").fetchall()


def visible(browser: Any, css: str) -> bool:
    return bool(browser.execute_script("const e = document.querySelector(arguments[0]);"
                                       "return !!e && !e.hidden && e.offsetParent !== null;", css))


def until(browser: Any, predicate, what: str, timeout: float = 10) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, timeout, poll_frequency=0.02).until(lambda b: predicate(b), f"never: {what}")


def pair(browser: Any, server: LiveServer, counter: int = 1) -> None:
    """Open the tablet page, read its code, confirm it with ``motcua device pair``; the page starts by itself."""
    from selenium.webdriver.common.by import By

    browser.get(f"{server.url}/danh-gia/{counter}")
    code = browser.find_element(By.ID, "pair-code").text.replace(" ", "")
    assert len(code) == 6 and code.isdigit()
    out = motcua("device", "pair", code, "--name", f"quay-{counter}-tablet", "--counter", str(counter),
                 db=server.db, config=server.config)
    assert f"Paired quay-{counter}-tablet" in out
    until(browser, lambda b: visible(b, "#idle"), "the paired tablet's idle screen", timeout=15)


def tap_face(browser: Any, level: str) -> None:
    from selenium.webdriver.common.by import By

    browser.find_element(By.CSS_SELECTOR, f'.face-button[data-level="{level}"]').click()


@pytest.mark.e2e
def test_a_paired_tablet_asks_at_once_rates_once_and_gives_up_when_the_prompt_expires(start_server, tmp_path: Path):
    from selenium.webdriver.common.by import By

    server = start_server({"prompt_seconds = 30": f"prompt_seconds = {PROMPT_SECONDS}"})
    with headless_chromium("1280,800") as opened:
        browser: Any = opened
        pair(browser, server)
        browser.execute_script("window.notReloaded = true;")
        first = serve_one(server, complete=False)
        until(browser, lambda b: b.find_element(By.ID, "called").text == first["number"], "the called number")
        api(server, "/api/counters/1/complete", "quay1")
        until(browser, lambda b: visible(b, "#prompt"), "the prompt after the completion")
        assert first["number"] in browser.find_element(By.ID, "question").text
        assert browser.execute_script("return window.notReloaded === true;"), "reloaded instead of pushed"
        sizes = browser.execute_script("return Array.from(document.querySelectorAll('.face-button'))"
                                       ".map(b => b.getBoundingClientRect()).map(r => [r.width, r.height]);")
        assert len(sizes) == 4 and all(w >= 64 and h >= 64 for w, h in sizes)
        doc_shot(browser, "tablet-landscape.png", tmp_path)
        tap_face(browser, "very_satisfied")
        until(browser, lambda b: visible(b, "#thanks"), "the thanks")
        assert ratings(server) == [(first["id"], "very_satisfied", None, "quay-1-tablet")]

        second = serve_one(server)  # a later completion asks again, for the new ticket
        until(browser, lambda b: visible(b, "#prompt") and second["number"] in b.find_element(By.ID, "question").text,
              "the second prompt")
        tap_face(browser, "dissatisfied")
        until(browser, lambda b: visible(b, "#reasons"), "the reasons at a low level")
        browser.find_element(By.CSS_SELECTOR, '.reason[data-reason="waited_long"]').click()
        browser.find_element(By.ID, "send").click()
        until(browser, lambda b: visible(b, "#thanks"), "the thanks after reasons")
        assert ratings(server)[1] == (second["id"], "dissatisfied", "waited_long", "quay-1-tablet")

        third = serve_one(server)  # nobody taps: the prompt closes and the server refuses it afterwards
        until(browser, lambda b: visible(b, "#prompt") and third["number"] in b.find_element(By.ID, "question").text,
              "the third prompt")
        until(browser, lambda b: visible(b, "#idle"), "the idle screen after the prompt expired",
              timeout=PROMPT_SECONDS + 5)
        late = browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "const boot = JSON.parse(document.getElementById('boot').textContent);"
            "fetch(boot.rateUrl, {method: 'POST',"
            " headers: {'Content-Type': 'application/json', 'X-CSRF-Token': boot.csrf},"
            " body: JSON.stringify({ticket: arguments[0], counter: 1, overall: 'satisfied'})})"
            ".then(r => r.json().then(j => done([r.status, j.error.code])));", third["id"])
        assert late == [422, "no_ticket_to_rate"]
        assert len(ratings(server)) == 2


@pytest.mark.e2e
def test_the_status_page_offers_the_rating_when_the_service_ends(start_server, tmp_path: Path):
    from selenium.webdriver.common.by import By

    server = start_server()
    ticket = serve_one(server, complete=False)
    with headless_chromium("412,900") as opened:
        browser: Any = opened
        browser.get(ticket["status_url"])
        assert visible(browser, "#sound") and not visible(browser, "#rate")
        api(server, "/api/counters/1/complete", "quay1")
        until(browser, lambda b: visible(b, "#rate"), "the rating offer when the ticket is done")
        assert not visible(browser, "#sound")
        doc_shot(browser, "status-rating.png", tmp_path)
        browser.find_element(By.CSS_SELECTOR, '.rate-face[data-level="satisfied"]').click()
        until(browser, lambda b: visible(b, "#rate-done"), "the thanks")
        browser.refresh()
        assert visible(browser, "#rate-done") and not visible(browser, "#rate")  # one rating per ticket
    assert ratings(server) == [(ticket["id"], "satisfied", None, "trang-phieu")]


@pytest.mark.e2e
def test_a_portrait_tablet_shows_every_face_without_scrolling(start_server, tmp_path: Path):
    from selenium.webdriver.common.by import By

    server = start_server()
    with headless_chromium("800,1280") as opened:
        browser: Any = opened
        pair(browser, server, counter=3)
        api(server, "/api/tickets", "kiosk", service="VP")
        called = api(server, "/api/counters/3/call-next", "quay3")["ticket"]["number"]
        until(browser, lambda b: b.find_element(By.ID, "called").text == called, "the called number")
        doc_shot(browser, "tablet-idle.png", tmp_path)
        api(server, "/api/counters/3/complete", "quay3")
        until(browser, lambda b: visible(b, "#prompt"), "the prompt")
        boxes = browser.execute_script(
            "return Array.from(document.querySelectorAll('.face-button, .face-label, .question'))"
            ".map(e => e.getBoundingClientRect().bottom);")
        assert max(boxes) <= browser.execute_script("return window.innerHeight;")
        doc_shot(browser, "tablet-portrait.png", tmp_path)
        tap_face(browser, "neutral")
        until(browser, lambda b: visible(b, "#reasons"), "the reasons")
        heights = browser.execute_script("return Array.from(document.querySelectorAll('.reason, .send, .skip'))"
                                         ".map(e => e.getBoundingClientRect().height);")
        assert len(heights) == 8 and min(heights) >= 64
        doc_shot(browser, "tablet-reasons.png", tmp_path)
