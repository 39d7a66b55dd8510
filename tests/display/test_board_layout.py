"""The browser board's layout in headless Chromium: slides between calls, and text readable from the back row.

The rule (issue 14.2): at 1920×1080 and 1080×1920, with the commune's 5
counters and the province's 17, no text under 30 px, nothing clipped, nothing
overlapping. Each text is measured where the browser drew it, on every page of
the paged grid and waiting counts, during a call and between calls.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from queue_server.client import new_idempotency_key
from tests.support.browser import doc_shot, headless_chromium
from tests.support.lobby import Lobby, busy_morning, lobby_server, province_copy
from tests.support.servers import office_config
from tests.support.text_layout import text_problems

PROJECT = Path(__file__).resolve().parents[2]
SIZES = {"landscape": (1920, 1080), "portrait": (1080, 1920)}




@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """A browser of this module's own (its viewport is set exactly, per test, through DevTools)."""
    with headless_chromium("1920,1080") as driver:
        yield driver


def open_board(driver: Any, url: str, orientation: str) -> None:
    """The board at exactly 1920×1080 or 1080×1920 CSS pixels, its first draw done."""
    from selenium.webdriver.support.ui import WebDriverWait

    width, height = SIZES[orientation]
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
    driver.get(url)
    drawn = "return document.querySelectorAll('#waiting div').length > 0"
    WebDriverWait(driver, 10).until(lambda d: d.execute_script(drawn))


def pages(driver: Any) -> int:
    """How many pages the grid and the waiting counts show in turn (the larger of the two)."""
    counts = driver.execute_script(
        "return [document.querySelector('.grid-box').dataset.page || '1/1',"
        " document.getElementById('waiting').dataset.page || '1/1']")
    return max(int(count.split("/")[1]) for count in counts)


def problems_on_every_page(driver: Any, moment: str) -> list[str]:
    """The layout rule's breaches, page by page."""
    found = []
    for page in range(pages(driver)):
        found += [f"{moment}, page {page + 1}: {p}" for p in text_problems(driver)]
        driver.execute_script("window.motcuaFit.turnPages()")
    return found


def wait_until(driver: Any, script: str, what: str, timeout: float = 15) -> None:
    """Wait until a script returns true in the page."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout, poll_frequency=0.1).until(lambda d: d.execute_script(script), what)


@pytest.fixture(scope="module")
def commune_lobby(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lobby]:
    """The commune's 5 counters on a busy morning; the calls flash for 2 s, so a test sees both stages."""
    folder = tmp_path_factory.mktemp("commune-lobby")
    config = office_config(folder, {"flash_seconds = 8": "flash_seconds = 2"})
    with lobby_server(folder, config) as lobby:
        busy_morning(lobby)
        yield lobby


@pytest.fixture(scope="module")
def province_lobby(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lobby]:
    """The province's 17 counters on a busy morning, the calls flashing for 2 s."""
    folder = tmp_path_factory.mktemp("province-lobby")
    config = province_copy(folder, {"flash_seconds = 8": "flash_seconds = 2"})
    with lobby_server(folder, config) as lobby:
        busy_morning(lobby)
        yield lobby


def check_layout(driver: Any, lobby: Lobby, office: str, orientation: str, folder: Path) -> list[str]:
    """Measure the board of every counter during a live call and between calls; save both pictures."""
    counters = ",".join(str(n) for n in lobby.counters)
    open_board(driver, f"{lobby.url}/display?counters={counters}&orientation={orientation}", orientation)
    lobby.admin.counter_action(lobby.counters[0], "recall")
    wait_until(driver, "return document.getElementById('call').classList.contains('flash')", "the recall flashing")
    found = problems_on_every_page(driver, f"{office} {orientation} during a call")
    if office == "5-quay":  # the commune's pictures are the docs' (docs/img with MOTCUA_DOC_IMAGES=1)
        doc_shot(driver, "display-browser.png" if orientation == "landscape" else "display-browser-portrait.png",
                 folder)
    else:
        driver.save_screenshot(str(folder / f"display-browser-{office}-{orientation}.png"))
    wait_until(driver, "return document.getElementById('call').hidden", "the slides back after the call")
    found += problems_on_every_page(driver, f"{office} {orientation} between calls")
    return found


@pytest.mark.e2e
@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
def test_the_commune_board_keeps_every_text_readable(chromium, commune_lobby, orientation, tmp_path):
    assert check_layout(chromium, commune_lobby, "5-quay", orientation, tmp_path) == []


@pytest.mark.e2e
@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
def test_the_province_board_pages_its_17_counters_without_cutting_text(chromium, province_lobby, orientation, tmp_path):
    assert check_layout(chromium, province_lobby, "17-quay", orientation, tmp_path) == []
    assert pages(chromium) > 1  # 17 counters and 15 fields do not fit one screen: they take turns


def test_the_measure_finds_small_cut_and_overlapping_text(chromium):
    html = ("<body style='margin:0'><p id=small style='font-size:20px'>nhỏ</p>"
            "<div id=box style='width:100px;height:40px;overflow:hidden;font-size:40px;white-space:nowrap'>"
            "Quá dài để vừa</div>"
            "<div style='position:absolute;top:0;left:0;font-size:40px'>đè</div></body>")
    chromium.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                             {"width": 800, "height": 600, "deviceScaleFactor": 1, "mobile": False})
    chromium.get("data:text/html;charset=utf-8," + html)
    found = text_problems(chromium)
    assert any("#small" in p and "20 px" in p for p in found)
    assert any("#box" in p and "wider than its box" in p for p in found)
    assert any("overlaps" in p for p in found)


@pytest.mark.e2e
def test_slides_show_between_calls_and_the_video_plays(chromium, tmp_path):
    video_first = {'file = "media/vneid.png"': 'file = "media/nop-truc-tuyen.webm"',
                   "flash_seconds = 8": "flash_seconds = 2"}
    with lobby_server(tmp_path, office_config(tmp_path, video_first)) as lobby:
        open_board(chromium, lobby.url + "/display", "landscape")
        wait_until(chromium, "const v = document.querySelector('#media video'); return !!v && v.readyState >= 2",
                   "the video decoded")
        stage = chromium.execute_script(
            "const s = document.getElementById('stage').getBoundingClientRect();"
            "const hit = document.elementFromPoint(s.left + s.width / 2, s.top + s.height / 2);"
            "return [getComputedStyle(document.getElementById('call')).display, hit.tagName, s.width, s.height]")
        assert stage[0] == "none" and stage[1] == "VIDEO" and stage[2] > 800 and stage[3] > 400
        first = chromium.execute_script("return document.querySelector('#media video').currentTime")
        time.sleep(1.0)
        assert chromium.execute_script("return document.querySelector('#media video').currentTime") > first + 0.5
        lobby.kiosk.issue_ticket("HT", idempotency_key=new_idempotency_key())
        lobby.admin.counter_action(1, "call-next")
        call_shown = "!document.getElementById('call').hidden && document.getElementById('media').hidden"
        wait_until(chromium, "return " + call_shown, "the call over the slides")
        wait_until(chromium, "return !(" + call_shown + ")", "the slides back after the call")


KIVY_SCREENS = [("5-quay", "sanh-chinh"), ("5-quay", "cua-vao"), ("17-quay", "tat-ca-ngang"), ("17-quay", "tat-ca-doc")]


@pytest.mark.e2e
@pytest.mark.parametrize("office, screen", KIVY_SCREENS)
def test_the_kivy_board_keeps_every_label_readable(office, screen, tmp_path):
    config = office_config(tmp_path) if office == "5-quay" else province_copy(tmp_path)
    with lobby_server(tmp_path, config) as lobby:
        busy_morning(lobby)
        out = tmp_path / "kivy"
        env = {**os.environ, "KIVY_NO_ARGS": "1"}
        done = subprocess.run([sys.executable, "-m", "tests.support.kivy_board_probe", lobby.url, str(config), screen,
                               str(out)], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads((out / "problems.json").read_text(encoding="utf-8")) == []
    pictures = sorted(p.name for p in out.glob("*.png"))  # look at them when changing the board
    assert any(p.startswith("during-a-call") for p in pictures) and any(p.startswith("between-calls") for p in pictures)
