"""A counter closed for today on the Kivy board (issue 15): "Hôm nay nghỉ", not "Chưa mở quầy", and back at once.

The rules without Kivy on a fake feed's events; the e2e tests beside them run
both real boards on a server whose clock moves minutes between the close and
the open (tests/display/conftest.py ``lobby``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from display.board import EMPTY, closed_text, closed_words, reduce
from queue_server.client import ServerEvent
from tests.support.browser import wait_text
from tests.support.clock_lobby import ClockLobby
from tests.support.kivy_board import names, start_display, stop, timings, wait_for

from .fakesse import counter, snapshot

CLOSED_TODAY, NOT_OPENED = "Hôm nay nghỉ", "Chưa mở quầy"


def closed(number: int, today: bool) -> dict:
    """A counter view closed by nobody yet (``today`` False) or by the admin for today."""
    return {**counter(number, "closed"), "closed_today": today}


def changed(event_id: int, number: int, today: bool) -> ServerEvent:
    """``counter.changed`` as the server sends it after /admin's "Đóng quầy hôm nay" or "Mở quầy"."""
    return ServerEvent(event_id, "counter.changed", {"closed_today": today, "counter": closed(number, today),
                                                     "waiting": {"HT": 0}})


def board(*counters: dict):
    return reduce(EMPTY, ServerEvent(10, "snapshot", snapshot(10, counters=list(counters))))


def test_a_counter_closed_for_today_says_so_and_one_not_opened_yet_says_that():
    state = board(counter(1, "idle"), closed(2, today=True), closed(3, today=False))
    assert closed_words(state) == {2: CLOSED_TODAY, 3: NOT_OPENED}
    assert closed_text(state.counters[1]) == CLOSED_TODAY


def test_a_close_then_an_open_later_changes_the_counter_at_once():
    state = board(counter(1, "idle"), closed(2, today=False))
    state = reduce(state, changed(11, 1, today=True))
    assert closed_words(state) == {1: CLOSED_TODAY, 2: NOT_OPENED}
    state = reduce(state, changed(12, 1, today=False))
    assert closed_words(state) == {1: NOT_OPENED, 2: NOT_OPENED}  # opened: waits for its clerk
    assert reduce(state, changed(11, 1, today=True)) is state  # the close replayed after a resume: already applied


def test_a_counter_event_without_the_flag_leaves_it_open():
    state = reduce(board(closed(1, today=True)), ServerEvent(11, "counter.opened", {"counter": counter(1, "idle")}))
    assert not state.counters[0].closed_today and closed_words(state) == {}


def test_a_new_day_opens_every_counter_closed_the_day_before():
    state = board(closed(1, today=True))
    state = reduce(state, ServerEvent(11, "day.started", {"day": "2026-11-24", "cancelled": []}))
    assert closed_words(state) == {1: NOT_OPENED}


SHOWN_WITHIN_S = 5.0  # pushed on the feed: nothing polls
CELL = "#grid tr[data-counter='5'] td.ticket"  # counter 5 is the commune's only Văn hóa counter
CELL_FIT = """
const td = document.querySelector("#grid tr[data-counter='5'] td.ticket");
const fits = td.scrollWidth <= td.clientWidth && td.scrollHeight <= td.clientHeight;
return [parseFloat(getComputedStyle(td).fontSize), fits, getComputedStyle(td).color, td.parentElement.className];
"""


@pytest.mark.e2e
@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_the_browser_board_shows_a_counter_closed_for_today_and_back_when_opened(lobby: ClockLobby, browser,
                                                                                  tmp_path: Path, size) -> None:
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",  # exactly 1920×1080 CSS pixels, no chrome
                            {"width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": False})
    try:
        browser.get(lobby.url + "/display")
        wait_text(browser, CELL, NOT_OPENED)
        lobby.clock.advance(minutes=10)  # the board has run a while
        lobby.admin.counter_action(5, "close-today")
        wait_text(browser, CELL, CLOSED_TODAY, SHOWN_WITHIN_S)
        font_px, fits, colour, row_class = browser.execute_script(CELL_FIT)
        assert font_px >= 30 and fits and "closed-today" in row_class  # nothing cut (portrait: two lines)
        assert colour == "rgb(255, 138, 128)"  # not the grey of "Chưa mở quầy"
        browser.save_screenshot(str(tmp_path / f"display-closed-today-{size[0]}x{size[1]}.png"))
        lobby.clock.advance(minutes=40)
        lobby.admin.counter_action(5, "open-today")
        wait_text(browser, CELL, NOT_OPENED, SHOWN_WITHIN_S)
        assert "closed-today" not in browser.execute_script(CELL_FIT)[3]
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def closed_painted(record: Path) -> list[dict[str, str]]:
    return [t["closed"] for t in timings(record) if "closed" in t]


@pytest.mark.e2e
def test_the_kivy_board_shows_a_counter_closed_for_today_and_back_when_opened(lobby: ClockLobby,
                                                                              tmp_path: Path) -> None:
    record = tmp_path / "record"
    display = start_display(lobby.url, record, "--token", lobby.display_token)
    try:
        wait_for(lambda: closed_painted(record), what="the snapshot's closed counters painted")
        assert closed_painted(record)[-1]["5"] == NOT_OPENED
        lobby.clock.advance(minutes=10)
        lobby.admin.counter_action(5, "close-today")
        wait_for(lambda: closed_painted(record)[-1].get("5") == CLOSED_TODAY, SHOWN_WITHIN_S, "Hôm nay nghỉ painted")
        wait_for(lambda: any("counter.changed" in n for n in names(record, "*.png")), what="a picture of it")
        lobby.clock.advance(minutes=40)
        lobby.admin.counter_action(5, "open-today")
        wait_for(lambda: closed_painted(record)[-1].get("5") == NOT_OPENED, SHOWN_WITHIN_S, "opened again painted")
        assert [words["5"] for words in closed_painted(record)] == [NOT_OPENED, CLOSED_TODAY, NOT_OPENED]
    finally:
        stop(display)
