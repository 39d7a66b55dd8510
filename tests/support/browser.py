"""A real headless Chromium for the web pages' tests (Debian's chromium and chromium-driver).

Selenium is given the driver's path, so nothing is ever downloaded; the
flags keep Chromium off the network this machine does not have.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
QUIET_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--no-first-run", "--lang=vi")


@contextmanager
def headless_chromium(window: str = "1366,768", *extra_flags: str) -> Iterator[object]:
    """A Selenium driver on a fresh profile; skips the test where Chromium is not installed."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip("chromium and chromium-driver are not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="motcua-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (*QUIET_FLAGS, f"--window-size={window}", f"--user-data-dir={profile}", *extra_flags):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


DOC_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "img"


def doc_shot(driver: Any, name: str, folder: Path) -> Path:
    """A screenshot in the test's folder; also into docs/img when MOTCUA_DOC_IMAGES=1 (so runs leave the tree clean)."""
    path = folder / name
    driver.save_screenshot(str(path))
    if os.environ.get("MOTCUA_DOC_IMAGES") == "1":
        shutil.copyfile(path, DOC_IMAGES / name)
    return path


def wait_text(browser: Any, css: str, expected: str, timeout: float = 10) -> None:
    """Wait until the element at ``css`` shows exactly ``expected`` (fails with what it waited for)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, timeout).until(lambda b: b.find_element(By.CSS_SELECTOR, css).text == expected,
                                          f"{css} never showed {expected!r}")


T = TypeVar("T")


def wait_until(check: Callable[[], T], what: str = "the page to change", timeout: float = 8.0) -> T:
    """Poll until ``check`` returns something true (an element re-rendered under our feet counts as not yet);
    fail naming ``what`` and the last thing seen."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except Exception as exc:  # the page re-renders its lists on every event
            last = exc
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


def submit_sign_in(driver: Any, username: str, password: str) -> None:
    """Fill the sign-in form on the page shown (the /admin and console ones share it) and send it."""
    driver.find_element("id", "username").send_keys(username)
    driver.find_element("id", "password").send_keys(password)
    driver.find_element("css selector", "form button[type=submit]").click()


def sign_in(driver: Any, url: str, page: str, username: str, password: str) -> None:
    """Sign in afresh (no cookie left from an earlier test) on the sign-in form at ``url + page``."""
    driver.delete_all_cookies()
    driver.get(url + page)
    submit_sign_in(driver, username, password)
