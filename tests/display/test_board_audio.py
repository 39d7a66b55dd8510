"""The browser board speaks: each call as a WAV from the server, played in the page in order, after one tap."""

from __future__ import annotations

import io
import sqlite3
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from queue_server.client import new_idempotency_key
from speech import chime_frames, wav_stats, write_wav
from tests.support.browser import headless_chromium
from tests.support.lobby import Lobby, lobby_server

AUTOPLAY = "--autoplay-policy=no-user-gesture-required"


@pytest.fixture
def lobby(tmp_path: Path) -> Iterator[Lobby]:
    """The commune on a fresh database, nobody called yet."""
    with lobby_server(tmp_path) as served:
        yield served


def call_events(lobby: Lobby) -> list[int]:
    """The ids of the call and recall events so far, oldest first."""
    with sqlite3.connect(lobby.app.config["MOTCUA_DB"]) as conn:
        rows = conn.execute("SELECT id FROM events WHERE type IN ('ticket.called', 'ticket.recalled') ORDER BY id")
        return [row[0] for row in rows]


def call_at(lobby: Lobby, counter: int = 1, service: str = "HT") -> None:
    """A citizen takes a ticket and the counter calls it."""
    lobby.kiosk.issue_ticket(service, idempotency_key=new_idempotency_key())
    lobby.admin.counter_action(counter, "call-next")


def test_a_call_is_served_as_the_chime_then_the_words(lobby, tmp_path):
    call_at(lobby)
    (event_id,) = call_events(lobby)
    client = lobby.app.test_client()
    with client.get(f"/display/audio/{event_id}.wav") as first:
        assert first.status_code == 200 and first.mimetype == "audio/wav"
        said = first.data
    with wave.open(io.BytesIO(said)) as wav:
        frames = wav.readframes(wav.getnframes())
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
    chime = chime_frames()
    assert frames.startswith(chime)  # the chime first, as on the Kivy board
    write_wav(tmp_path / "words.wav", frames[len(chime):])
    spoken = wav_stats(tmp_path / "words.wav")
    assert spoken.duration_s > 3 and spoken.rms > 0.01  # "Xin mời công dân có số thứ tự A, không, không, một…" twice
    with client.get(f"/display/audio/{event_id}.wav") as again:
        assert again.data == said
    cached = list(lobby.app.extensions["motcua.announcements"].folder.glob("*.wav"))
    assert [p.name for p in cached] == [f"e{event_id}.wav"]  # rendered once, for every board that asks


def test_only_calls_are_spoken(lobby):
    lobby.kiosk.issue_ticket("HT", idempotency_key=new_idempotency_key())
    client = lobby.app.test_client()
    for path in ("/display/audio/1.wav", "/display/audio/999.wav"):  # 1 is the ticket's issue, 999 nothing
        answer = client.get(path)
        assert answer.status_code == 404
        assert answer.get_json()["error"]["code"] == "not_found"
        assert "gọi số" in answer.get_json()["error"]["message"]


def audio_log(driver: Any) -> list[list[Any]]:
    """What the page's player did: [event, the WAV's path, when in seconds], in order."""
    return driver.execute_script("return window.audioLog")


LISTEN = """
window.audioLog = [];
const player = window.motcuaAudio.player;
for (const type of ["playing", "ended"]) player.addEventListener(type, () => {
  window.audioLog.push([type, new URL(player.currentSrc).pathname, performance.now() / 1000]);
});
"""


def wait_until(driver: Any, script: str, what: str, timeout: float = 30) -> None:
    """Wait until a script returns true in the page."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout, poll_frequency=0.1).until(lambda d: d.execute_script(script), what)


@pytest.mark.e2e
def test_the_board_says_each_call_in_order_without_overlap(lobby):
    with headless_chromium("1920,1080", AUTOPLAY) as driver:
        driver.get(lobby.url + "/display")
        wait_until(driver, "return window.motcuaAudio.allowed() && !!window.motcuaBoard.state()", "the board ready")
        assert driver.execute_script("return document.getElementById('sound-gate').hidden")  # allowed: no tap asked
        driver.execute_script(LISTEN)
        call_at(lobby, 1, "HT")
        call_at(lobby, 3, "VP")
        wait_until(driver, "return window.audioLog.filter((e) => e[0] === 'ended').length === 2", "both calls said")
        first, second = call_events(lobby)
        assert [(kind, path) for kind, path, _ in audio_log(driver)] == [
            ("playing", f"/display/audio/{first}.wav"), ("ended", f"/display/audio/{first}.wav"),
            ("playing", f"/display/audio/{second}.wav"), ("ended", f"/display/audio/{second}.wav")]
        times = [at for _, _, at in audio_log(driver)]
        assert times == sorted(times)  # one after the other, never two at once
        # each played through (a call lasts about 7 s)
        assert all(ended - playing > 3 for playing, ended in zip(times[::2], times[1::2], strict=True))


@pytest.mark.e2e
def test_a_tv_that_refuses_sound_asks_for_one_tap_then_says_the_waiting_call(lobby):
    from selenium.webdriver.common.by import By

    with headless_chromium("1920,1080") as driver:
        driver.get(lobby.url + "/display")
        gate = driver.find_element(By.ID, "sound-gate")
        wait_until(driver, "return !document.getElementById('sound-gate').hidden", "the tap asked for")
        assert gate.text == "Chạm để bật âm thanh"
        driver.execute_script(LISTEN)
        call_at(lobby)
        wait_until(driver, "return document.getElementById('call-number').textContent === 'A001'", "the call shown")
        assert audio_log(driver) == [] and driver.execute_script("return window.motcuaAudio.pending()") == 1
        gate.click()
        wait_until(driver, "return window.audioLog.some((e) => e[0] === 'playing')", "the call said after the tap")
        assert not gate.is_displayed()
        (event_id,) = call_events(lobby)
        assert audio_log(driver)[0][1] == f"/display/audio/{event_id}.wav"
