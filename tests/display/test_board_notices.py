"""The office's notices from /admin on both lobby boards, live (issue 14.2): added, reordered, expired and
deleted while the boards run, without a reload, beside the [display] ticker lines.

The server runs on the tests' FakeClock (tests/support/clock_lobby.py), so a notice's last day ends
when the test moves the clock past midnight; the boards take the day from the server, not their own clock.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.clock_lobby import ClockLobby
from tests.support.kivy_board import names, script_until, start_display, stop, timings, wait_for

SHOWN_WITHIN_S = 5.0  # "within seconds": the feed pushes the change; nothing polls
CONFIGURED = "Đường dây nóng: 1900 1234."  # the last [display] ticker line of the sample commune


def ticker(browser: Any) -> str:
    return browser.execute_script("return document.getElementById('ticker-text').textContent")


def add(lobby: ClockLobby, text: str, **fields: Any) -> int:
    return lobby.admin.post_json("/api/notices", {"text": text, **fields})["notice"]["id"]


def roll_day(lobby: ClockLobby) -> None:
    """Past midnight by the server's clock; any command starts the new day (day.started)."""
    lobby.clock.advance(days=1)
    lobby.take("HT")


@pytest.mark.e2e
def test_the_browser_board_shows_live_notices_in_order_and_drops_expired_and_deleted(lobby: ClockLobby,
                                                                                    browser) -> None:
    browser.get(lobby.url + "/display")
    script_until(browser, "return document.body.dataset.lastEventId !== undefined", "the board")
    script_until(browser, f"return document.getElementById('ticker-text').textContent.includes({CONFIGURED!r})",
                 "the configured lines")
    added = time.monotonic()
    add(lobby, "Chiều nay nghỉ họp cơ quan từ 16:00.", position=2, ends_on="2026-03-02")
    morning = add(lobby, "Sáng mai tiếp dân ưu tiên người cao tuổi.", position=1)
    add(lobby, "Từ mai: nộp lệ phí qua mã QR.", starts_on="2026-03-03", position=3)
    script_until(browser, "return document.getElementById('ticker-text').textContent.includes('nghỉ họp')",
                 "the new notice", SHOWN_WITHIN_S)
    assert time.monotonic() - added < SHOWN_WITHIN_S
    script_until(browser, "return document.getElementById('ticker-text').textContent.includes('Sáng mai')",
                 "the second notice", SHOWN_WITHIN_S)
    text = ticker(browser)
    assert text.index(CONFIGURED) < text.index("Sáng mai") < text.index("nghỉ họp")  # configured, then by position
    assert "QR" not in text  # starts tomorrow

    roll_day(lobby)
    script_until(browser, "return !document.getElementById('ticker-text').textContent.includes('nghỉ họp')",
                 "the expired notice gone", SHOWN_WITHIN_S)
    assert "QR" in ticker(browser) and "Sáng mai" in ticker(browser)

    lobby.admin.request("DELETE", f"/api/notices/{morning}")
    script_until(browser, "return !document.getElementById('ticker-text').textContent.includes('Sáng mai')",
                 "the deleted notice gone", SHOWN_WITHIN_S)
    assert CONFIGURED in ticker(browser) and "QR" in ticker(browser)


def notices_painted(record: Path) -> list[list[str]]:
    return [t["notices"] for t in timings(record) if "notices" in t]


@pytest.mark.e2e
def test_the_kivy_board_scrolls_live_notices_and_drops_expired_and_deleted(lobby: ClockLobby, tmp_path: Path) -> None:
    record = tmp_path / "record"
    display = start_display(lobby.url, record, "--token", lobby.display_token)
    try:
        wait_for(lambda: any("snapshot" in n for n in names(record, "*.png")), what="the first picture")
        add(lobby, "Chiều nay nghỉ họp cơ quan từ 16:00.", position=2, ends_on="2026-03-02")
        kept = add(lobby, "Sáng mai tiếp dân ưu tiên người cao tuổi.", position=1)
        wait_for(lambda: len(notices_painted(record)) == 2, SHOWN_WITHIN_S, "both notices painted")
        assert notices_painted(record)[-1] == ["Sáng mai tiếp dân ưu tiên người cao tuổi.",
                                               "Chiều nay nghỉ họp cơ quan từ 16:00."]  # by position
        wait_for(lambda: any("notice.changed" in n for n in names(record, "*.png")), what="a picture of it")
        roll_day(lobby)
        wait_for(lambda: len(notices_painted(record)) == 3, SHOWN_WITHIN_S, "the expired notice gone")
        assert notices_painted(record)[-1] == ["Sáng mai tiếp dân ưu tiên người cao tuổi."]
        lobby.admin.request("DELETE", f"/api/notices/{kept}")
        wait_for(lambda: len(notices_painted(record)) == 4, SHOWN_WITHIN_S, "the deleted notice gone")
        assert notices_painted(record)[-1] == []
    finally:
        stop(display)
