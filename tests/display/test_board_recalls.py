"""Recalls on both lobby boards (issue 14.1): a recall minutes after the first call is flashed and said;
only what a board missed while cut off, replayed on reconnecting, is shown silently.

The server runs on the tests' FakeClock (tests/support/clock_lobby.py): D001 is called at 08:00 and
recalled at 08:03 by the server's clock, while only seconds pass for the boards (the ``lobby``
fixture of tests/display/conftest.py; calls flash for 2 s there). Boards reach the
server through a relay the test cuts (tests/support/cut_proxy.py), as a switch that reboots would.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import wait_text
from tests.support.clock_lobby import ClockLobby
from tests.support.kivy_board import names, script_until, start_display, stop, timings, wait_for


def last_event_id(lobby: ClockLobby) -> int:
    return lobby.app.extensions["motcua.engine"].broker.last_id  # type: ignore[attr-defined]


def flashing(browser: Any) -> bool:
    return "flash" in browser.execute_script("return document.getElementById('call').className")


def first_recent(browser: Any) -> str:
    return browser.execute_script("const n = document.querySelector('#recent li .n'); return n ? n.textContent : ''")


COUNT_SAID = """
window.said = [];
if (window.motcuaAudio) {
  const say = window.motcuaAudio.say;
  window.motcuaAudio.say = (c) => { window.said.push(c.number); say(c); };
}
"""  # what the board hands audio.js to say (the page's voice), counted


@pytest.mark.e2e
def test_the_browser_board_flashes_a_late_recall_and_shows_a_replay_silently(lobby: ClockLobby, browser) -> None:
    browser.set_window_size(1920, 1080)
    browser.get(lobby.url + "/display")
    wait_text(browser, "#waiting [data-service=VH] .count", "0 người đang chờ")
    assert lobby.take("VH") == "D001"
    lobby.act(5, "call-next")
    wait_text(browser, "#call-title", "MỜI CÔNG DÂN SỐ")
    assert browser.find_element("id", "call-number").text == "D001"
    lobby.clock.advance(minutes=3)
    browser.refresh()  # the TV restarted: its snapshot, 3 minutes after the call, shows D001 without a flash
    browser.execute_script(COUNT_SAID)
    script_until(browser, f"return document.body.dataset.lastEventId == '{last_event_id(lobby)}'", "the snapshot")
    assert first_recent(browser) == "D001" and not flashing(browser)

    lobby.act(5, "recall")  # 08:03, by the server's clock: 3 minutes after the first call
    wait_text(browser, "#call-title", "MỜI LẠI CÔNG DÂN SỐ")
    assert browser.find_element("id", "call-number").text == "D001" and flashing(browser)
    script_until(browser, "return !document.getElementById('call').classList.contains('flash')", "the flash's end")
    assert first_recent(browser) == "D001"  # still in "Các số vừa gọi", on top
    said = browser.execute_script("return window.said")
    assert said in ([], ["D001"])  # said when the page has the voice (audio.js), never twice
    spoken = len(said)

    lobby.proxy.cut()  # the board's cable is pulled while the clerk calls D002 and recalls it
    script_until(browser, "return !document.getElementById('offline').hidden", "the lost-connection mark")
    assert lobby.take("VH") == "D002"
    lobby.act(5, "call-next")
    lobby.clock.advance(minutes=1)
    lobby.act(5, "recall")
    lobby.proxy.restore()
    script_until(browser, f"return document.body.dataset.lastEventId == '{last_event_id(lobby)}'", "the replay", 30)
    assert first_recent(browser) == "D002"  # shown…
    time.sleep(0.3)
    assert not flashing(browser) and len(browser.execute_script("return window.said")) == spoken  # …silently

    lobby.act(5, "recall")  # live again: flashed
    wait_text(browser, "#call-title", "MỜI LẠI CÔNG DÂN SỐ")
    assert browser.find_element("id", "call-number").text == "D002"
    assert len(browser.execute_script("return window.said")) in (spoken, spoken + 1)


def painted(record: Path, event_id: int) -> dict | None:
    return next((t for t in timings(record) if t["event_id"] == event_id and "painted" in t), None)


@pytest.mark.e2e
def test_the_kivy_board_says_a_late_recall_and_keeps_a_replay_silent(lobby: ClockLobby, tmp_path: Path) -> None:
    first = tmp_path / "first"
    display = start_display(lobby.url, first, "--token", lobby.display_token)
    try:
        wait_for(lambda: any("snapshot" in n for n in names(first, "*.png")), what="the first picture")
        lobby.take("VH")
        lobby.act(5, "call-next")
        wait_for(lambda: len(names(first, "*.wav")) == 1, what="D001 said")
    finally:
        stop(display)
    lobby.clock.advance(minutes=3)
    record = tmp_path / "record"  # the board restarted: its snapshot is 3 minutes after D001's call
    display = start_display(lobby.url, record, "--token", lobby.display_token)
    try:
        wait_for(lambda: any("snapshot" in n for n in names(record, "*.png")), what="the restarted board")
        lobby.act(5, "recall")
        recall = last_event_id(lobby)
        wait_for(lambda: len(names(record, "*.wav")) == 1, what="the late recall said")
        assert names(record, "*.wav")[-1].endswith(f"e{recall}-D001-q5.wav")
        wait_for(lambda: painted(record, recall) is not None, what="the recall painted")
        line = painted(record, recall)
        assert line is not None and (line["type"], line["number"], line["flashed"]) == ("ticket.recalled", "D001", True)

        lobby.proxy.cut()
        wait_for(lambda: any("connection.lost" in n for n in names(record, "*.png")), what="the lost-connection mark")
        lobby.take("VH")
        lobby.act(5, "call-next")
        lobby.clock.advance(minutes=1)
        lobby.act(5, "recall")
        missed = last_event_id(lobby)
        lobby.proxy.restore()
        wait_for(lambda: painted(record, missed) is not None, what="the replayed recall painted")
        replayed = [t for t in timings(record) if "painted" in t and t["type"] in ("ticket.called", "ticket.recalled")
                    and t["event_id"] > recall]
        assert [(t["number"], t["flashed"]) for t in replayed] == [("D002", False), ("D002", False)]
        time.sleep(1.0)
        assert len(names(record, "*.wav")) == 1  # nothing said for what was missed

        lobby.act(5, "recall")  # live again
        wait_for(lambda: len(names(record, "*.wav")) == 2, what="the live recall after the replay said")
        assert names(record, "*.wav")[-1].endswith(f"e{last_event_id(lobby)}-D002-q5.wav")
    finally:
        stop(display)
