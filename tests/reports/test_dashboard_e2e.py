"""The admin dashboard in a real headless Chromium against a real `motcua serve`.

Screenshots go to the test's temp folder; with MOTCUA_UPDATE_DOCS_IMG=1 a small one also
replaces docs/img/admin-dashboard.png (used in docs/reports.md).
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from queue_server.config import load_config
from queue_server.core.actions import service_day
from queue_server.reports.simulate import simulate
from queue_server.store.db import connect
from tests.support.browser import headless_chromium
from tests.support.live_server import ADMIN_PASSWORD, CLERK_PASSWORD, LiveServer, prepare_server
from tests.support.reports_office import COMMUNE, PROJECT

pytestmark = pytest.mark.e2e

SCREENSHOT = PROJECT / "docs" / "img" / "admin-dashboard.png"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[LiveServer]:
    """The commune office with HT's target wait at 0 minutes (so an alert shows) and a simulated past month."""
    tmp = tmp_path_factory.mktemp("dashboard")
    config = tmp / "office.toml"
    text = COMMUNE.read_text(encoding="utf-8").replace("target_wait_minutes = 20", "target_wait_minutes = 0", 1)
    # files the office file names (catalogue, media…) stay the sample's
    config.write_text(text.replace("[office]\n", f'[office]\nfiles_dir = "{COMMUNE.parent}"\n', 1), encoding="utf-8")
    live = prepare_server(tmp, config)
    office = load_config(config)
    # The real server shows the office's real today, so the simulated month ends just before it.
    today = service_day(office.office, datetime.now(UTC))
    with connect(live.db) as db:
        simulate(office, db.conn, today - timedelta(days=45), 44, workers=1, today=today)
    live.start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """A headless Chromium for this module."""
    with headless_chromium("1280,900") as driver:
        yield driver


def _api(server: LiveServer, method: str, path: str, token: str, **kwargs) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}
    return requests.request(method, server.url + path, headers=headers, timeout=10, **kwargs)


def _today_traffic(server: LiveServer) -> None:
    kiosk, clerk = server.tokens["kiosk"], server.login("quay1", CLERK_PASSWORD)
    for service in ("HT", "HT", "VP", "HT"):
        assert _api(server, "POST", "/api/tickets", kiosk, json={"service": service}).status_code == 201
    served = _api(server, "POST", "/api/counters/1/call-next", clerk).json()["ticket"]
    _api(server, "POST", "/api/counters/1/complete", clerk)
    rated = _api(server, "POST", "/api/ratings", server.tokens["rating"],
                 json={"ticket": served["id"], "overall": "satisfied"})
    assert rated.status_code == 201
    _api(server, "POST", "/api/counters/1/call-next", clerk)


def _wait(driver, condition, timeout: float = 20):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def _sign_in(driver, server: LiveServer, username: str, password: str) -> None:
    from selenium.webdriver.common.by import By

    driver.delete_all_cookies()
    driver.get(server.url + "/admin")
    _wait(driver, lambda d: d.current_url.endswith("/admin/login"))
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "sign-in").click()


def test_the_dashboard_shows_today_reports_notices_and_devices(server, browser, tmp_path):
    from selenium.webdriver.common.by import By

    _today_traffic(server)
    _sign_in(browser, server, "admin", ADMIN_PASSWORD)
    _wait(browser, lambda d: d.current_url.endswith("/admin"))
    rows = _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#live-services tbody tr") or None)
    assert len(rows) == 5  # HT, VP, DC, VH and KQ (Nhận kết quả)
    ht = browser.find_element(By.CSS_SELECTOR, '#live-services tr[data-service="HT"]')
    assert "late" in ht.get_attribute("class")
    alert = browser.find_element(By.CSS_SELECTOR, '#alerts .alert[data-service="HT"]').text
    assert "Tư pháp – Hộ tịch" in alert and "Quầy 2" in alert and "quay2" in alert

    # The quarter's report, with the simulated month in it, and its charts as loaded images.
    _wait(browser, lambda d: "Từ " in d.find_element(By.ID, "report-period").text)
    assert re.match(r"Từ \d\d/\d\d/\d{4} đến \d\d/\d\d/\d{4} \(", browser.find_element(By.ID, "report-period").text)
    # Device times in the office's zone (+07:00), not the PC's (this browser runs in UTC).
    shown = browser.execute_script("return officeTime('2026-01-01T00:00:00Z')")
    assert "07:00:00" in shown and "01/01/2026" in shown, shown
    cards = browser.find_element(By.ID, "cards").text
    issued = int(re.search(r"([\d.]+)\nSố phiếu cấp", cards).group(1).replace(".", ""))
    assert issued > 100
    for name in ("tickets", "wait", "satisfaction", "heatmap", "service"):
        _wait(browser, lambda d, n=name: d.execute_script(
            f"const i = document.getElementById('chart-{n}'); return i.complete && i.naturalWidth > 0;"))
    assert len(browser.find_elements(By.CSS_SELECTOR, "#by-service tbody tr")) == 5  # with KQ
    assert "Thái độ của cán bộ" in browser.find_element(By.ID, "criteria").text
    survey = browser.find_element(By.ID, "survey-text").text
    assert survey.startswith("Tổng số phiếu khảo sát ") and "phiếu, chiếm " in survey
    browser.find_element(By.ID, "copy-survey").click()
    _wait(browser, lambda d: d.find_element(By.ID, "copy-done").text == "Đã sao chép.")

    # A notice for the lobby ticker, added from the page, is public at once.
    from selenium.webdriver.common.action_chains import ActionChains

    browser.find_element(By.ID, "notice-text").send_keys("Chiều thứ Sáu nghỉ để tập huấn.")
    ActionChains(browser).double_click(browser.find_element(By.ID, "notice-add")).perform()  # adds it once
    _wait(browser, lambda d: "tập huấn" in d.find_element(By.ID, "notice-list").text)
    public = requests.get(server.url + "/api/notices", timeout=5).json()["notices"]
    assert [n["text"] for n in public] == ["Chiều thứ Sáu nghỉ để tập huấn."]

    devices = browser.find_element(By.ID, "device-table").text
    assert "kiosk-1" in devices and "rating-1" in devices

    # Export links carry the chosen period.
    assert "format=xlsx" in browser.find_element(By.ID, "export-xlsx").get_attribute("href")
    _screenshot(browser, tmp_path / "admin-dashboard.png")

    # A period the server refuses clears the figures shown, so none is read as the new period's.
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element(By.ID, "period-kind")).select_by_value("custom")
    for field, value in (("period-from", "03/02/2026"), ("period-to", "01/02/2026")):
        browser.execute_script("arguments[0].value = arguments[1]", browser.find_element(By.ID, field),
                               "-".join(reversed(value.split("/"))))
    browser.find_element(By.ID, "show-report").click()
    _wait(browser, lambda d: "Không tải được báo cáo" in d.find_element(By.ID, "report-period").text)
    assert browser.find_element(By.ID, "cards").text == "" and browser.find_element(By.ID, "survey-text").text == ""
    assert browser.find_elements(By.CSS_SELECTOR, "#by-service tbody tr") == []


def _screenshot(browser, path: Path) -> None:
    """The top of the page, scaled down and with few colours (a small file)."""
    import io

    from PIL import Image

    browser.execute_script("window.scrollTo(0, 0)")
    image = Image.open(io.BytesIO(browser.get_screenshot_as_png())).convert("RGB")
    image.thumbnail((960, 960))
    image.quantize(colors=96).save(path, optimize=True)
    if os.environ.get("MOTCUA_UPDATE_DOCS_IMG") == "1":
        shutil.copy(path, SCREENSHOT)


def test_a_clerk_is_refused_the_dashboard(server, browser):
    from selenium.webdriver.common.by import By

    _sign_in(browser, server, "quay1", CLERK_PASSWORD)
    message = _wait(browser, lambda d: d.find_elements(By.ID, "login-message") or None)[0].text
    assert "dành cho lãnh đạo" in message
    assert requests.get(server.url + "/api/reports/summary", timeout=5,
                        headers={"Authorization": f"Bearer {server.login('quay1')}"}).status_code == 403
