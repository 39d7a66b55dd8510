"""The province dashboard in a real Chromium: sign in with a viewer token, today, the ranking, one office, the XLSX.

Two real offices (simulated days, today's tickets through their own API on a
FakeClock) ship with the real sync worker to a hub served on loopback by
waitress in this process, so the hub's "now" is the same FakeClock: no wall
clock anywhere in what the page shows about today.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.browser import headless_chromium, wait_until
from tests.support.clock import MORNING, FakeClock
from tests.support.servers import InProcess, OfficeDb, act, copy_office, counting_tokens, issue, office_config

pytestmark = pytest.mark.e2e

TODAY = date(2026, 3, 2)
FIRST = date(2026, 2, 23)
OFFICES = (("XA-TANPHU", "Trung tâm Phục vụ hành chính công xã Tân Phú", 11),
           ("XA-PHUOCAN", "Trung tâm Phục vụ hành chính công xã Phước An", 22))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MORNING + timedelta(minutes=30))  # 08:30 office time: today's first tickets wait 30 minutes


@pytest.fixture
def hub_url(hub_dsn: str, clock: FakeClock) -> Iterator[str]:
    """The hub's app with the test's clock, served by waitress on a free loopback port."""
    from waitress.server import create_server

    from queue_server.hub.app import create_app

    server = create_server(create_app(hub_dsn, clock=clock), host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        port: Any = server.effective_port  # type: ignore[union-attr]  # one socket: a TcpWSGIServer
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        thread.join(timeout=5)


@pytest.fixture
def offices(office_template: OfficeDb, scratch: Callable[[str], Path], hub_dsn: str, hub_url: str,
            clock: FakeClock, tmp_path: Path) -> Iterator[list[tuple[str, InProcess, str]]]:
    """Two offices with a week of simulated days and a few tickets today, synced: (code, api, office token)."""
    from queue_server.config import load_config
    from queue_server.engine import QueueEngine
    from queue_server.hub import store
    from queue_server.hub.sync import Syncer
    from queue_server.hub.sync_settings import SyncSettings, shipped_settings
    from queue_server.reports.simulate import simulate
    from queue_server.web.app import create_app

    made = []
    with store.connect(hub_dsn) as conn:
        for code, name, seed in OFFICES:
            db = copy_office(office_template, scratch(code))
            folder = tmp_path / code
            folder.mkdir()
            config = load_config(office_config(folder, {
                'name = "Trung tâm Phục vụ hành chính công xã Tân Phú"': f'name = "{name}"',
                "tickets_per_minute_per_device = 30": "tickets_per_minute_per_device = 100000"}))
            local = db.connect()
            simulate(config, local, FIRST, (TODAY - FIRST).days, seed=seed, workers=1, today=TODAY)
            local.close()
            office_clock = FakeClock()
            engine = QueueEngine(config, db.path, clock=office_clock, new_token=counting_tokens()).start()
            app = create_app(config, db.path, engine=engine)
            api = InProcess(app, app.test_client(), engine, office_clock, db, config)
            for n in range(3 + seed // 11):  # a few waiting today, one served
                assert issue(api, "HT", key=f"{code}-{n}").status_code == 201
            office_clock.advance(minutes=25)
            assert act(api, 1, "call-next").status_code == 200
            assert act(api, 1, "complete").status_code == 200
            token = store.add_office(conn, code, name)
            syncer = Syncer(SyncSettings(hub_url=hub_url, office_code=code, token=token), db.path,
                            shipped_settings(config), clock=office_clock)
            syncer.catch_up()
            syncer.close()
            made.append((code, api, token))
    yield made
    for _, api, _ in made:
        api.engine.stop()


def viewer_token(dsn: str) -> str:
    from queue_server.hub import store

    with store.connect(dsn) as conn:
        return store.add_viewer(conn, "so-noi-vu")


def sign_in(browser: Any, url: str, token: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(url + "/")
    wait_until(lambda: "/dang-nhap" in browser.current_url, "the sign-in page")
    field = browser.find_element(By.ID, "token")
    field.clear()
    field.send_keys(token)
    browser.find_element(By.ID, "sign-in").click()


def readable(browser: Any) -> None:
    """Nothing under 16 px and nothing wider than the 1366 px window."""
    small = browser.execute_script(
        "return [...document.querySelectorAll('body *')].filter(e => e.offsetParent !== null && e.innerText"
        " && parseFloat(getComputedStyle(e).fontSize) < 16).map(e => e.tagName + ':' + e.innerText.slice(0, 30));")
    assert small == []
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")


def test_a_province_reader_signs_in_sees_today_ranks_drills_down_and_downloads(hub_dsn: str, hub_url: str,
                                                                               offices: list, tmp_path: Path) -> None:
    from openpyxl import load_workbook
    from selenium.webdriver.common.by import By

    token = viewer_token(hub_dsn)
    with headless_chromium() as opened:
        browser: Any = opened
        sign_in(browser, hub_url, "not-a-token")
        message = wait_until(lambda: browser.find_element(By.ID, "sign-in-message").text, "the refusal")
        assert message.startswith("Mã truy cập không đúng hoặc đã bị thu hồi.")
        sign_in(browser, hub_url, offices[0][2])  # an office's token reads nothing here
        wait_until(lambda: "mã của một đơn vị" in browser.find_element(By.ID, "sign-in-message").text, "office refusal")
        sign_in(browser, hub_url, token)
        wait_until(lambda: browser.find_elements(By.ID, "today"), "the today page")
        cookie = browser.get_cookie("motcua_hub_session")
        assert cookie and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert browser.find_element(By.TAG_NAME, "h2").text.startswith("Mọi trung tâm hôm nay")
        assert "02/03/2026" in browser.find_element(By.ID, "as-of").text
        headers = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#today th")]
        assert headers == ["Trung tâm", "Đang chờ", "Quầy mở", "Chờ lâu nhất / mục tiêu", "Đã phục vụ",
                           "Liên lạc cuối", "Thiết bị lỗi"]
        rows = {r.get_attribute("data-office"): r for r in browser.find_elements(By.CSS_SELECTOR, "#today tbody tr")}
        assert set(rows) == {"XA-TANPHU", "XA-PHUOCAN"}
        tanphu = rows["XA-TANPHU"]
        assert tanphu.find_element(By.CSS_SELECTOR, ".waiting").text == "3"  # four taken, one served
        assert tanphu.find_element(By.CSS_SELECTOR, ".served").text == "1"
        assert tanphu.find_element(By.CSS_SELECTOR, ".longest").text.startswith("30 phút / 20 phút")
        assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", tanphu.find_element(By.CSS_SELECTOR, ".contact").text)
        readable(browser)

        browser.find_element(By.ID, "nav-ranking").click()
        wait_until(lambda: browser.find_elements(By.ID, "period-form"), "the ranking page")
        for field, value in (("from", "23/02/2026"), ("to", "02/03/2026")):
            box = browser.find_element(By.ID, field)
            box.clear()
            box.send_keys(value)
        browser.find_element(By.ID, "show").click()
        wait_until(lambda: "từ 23/02/2026 đến 02/03/2026" in browser.find_element(By.ID, "period-label").text,
                   "the period")
        ranked = browser.find_elements(By.CSS_SELECTOR, "#ranking tbody tr")
        assert [r.find_element(By.CSS_SELECTOR, ".rank").text for r in ranked] == ["1", "2"]
        shares = [float(r.find_element(By.CSS_SELECTOR, ".satisfied").text.rstrip(" %").replace(",", "."))
                  for r in ranked]
        assert shares == sorted(shares, reverse=True) and all(0 < s <= 100 for s in shares)
        readable(browser)
        browser.find_element(By.ID, "sort-mean-wait").click()
        wait_until(lambda: "sort=mean_wait" in browser.current_url, "sorted by the mean wait")

        download = browser.find_element(By.ID, "download").get_attribute("href")
        answer = requests.get(download, cookies={"motcua_hub_session": cookie["value"]}, timeout=30)
        assert answer.status_code == 200
        assert answer.headers["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = load_workbook(io.BytesIO(answer.content)).active
        assert sheet is not None
        assert sheet["B2"].value == datetime(2026, 2, 23) and sheet["B2"].number_format == "dd/mm/yyyy"
        assert [c.value for c in sheet[4]][:5] == ["Hạng", "Mã đơn vị", "Trung tâm", "Phiếu đánh giá", "Tỷ lệ hài lòng"]
        listed: dict[Any, Any] = {sheet.cell(row=r, column=2).value: sheet.cell(row=r, column=5).value for r in (5, 6)}
        assert set(listed) == {"XA-TANPHU", "XA-PHUOCAN"}
        assert sorted(round(v * 100, 1) for v in listed.values()) == sorted(shares)
        assert sheet["E5"].number_format == "0.0%"
        assert requests.get(download, timeout=30, allow_redirects=False).status_code == 302  # no cookie, no file

        browser.find_element(By.LINK_TEXT, OFFICES[0][1]).click()
        wait_until(lambda: browser.find_elements(By.ID, "by-service"), "the office page")
        own = offices[0][1].client.get("/api/reports/summary", query_string={"from": FIRST.isoformat(),
                                       "to": TODAY.isoformat()}, headers=offices[0][1].auth("admin")).get_json()
        assert browser.find_element(By.ID, "issued").text == f"{own['tickets']['issued']:,}".replace(",", ".")
        fields = [r.find_element(By.TAG_NAME, "td").text
                  for r in browser.find_elements(By.CSS_SELECTOR, "#by-service tbody tr")]
        assert fields[0] == "Tư pháp – Hộ tịch"
        readable(browser)

        browser.find_element(By.ID, "sign-out").click()
        wait_until(lambda: "/dang-nhap" in browser.current_url, "signed out")
        browser.get(hub_url + "/xep-hang")
        wait_until(lambda: "/dang-nhap" in browser.current_url, "the ranking needs a session again")
