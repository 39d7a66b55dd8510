"""The browser board's voice: ``GET /display/audio/<event id>.wav``, the chime then the words of one call.

A TV's browser cannot run espeak-ng, so the server speaks for it: the same
sentence, voice settings and chime as the Kivy board (``speech``, with the
office's ``[display.voice]``), rendered once per call and kept in a small
cache, so every board in the lobby fetches the same file. Only the ticket
number and the counter are said: no personal data. This is the one server
module that imports ``speech`` (README, "Layers").
"""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

from flask import Blueprint, Response, current_app, send_file

from speech import SpeechError, call_announcement, render_announcement

from ..display_settings import VoiceConfig, load_display_config
from .context import read_conn
from .errors import ApiError

bp = Blueprint("announcements", __name__)

CALL_EVENTS = frozenset({"ticket.called", "ticket.recalled"})
CACHE_CALLS = 200  # WAVs kept (about 100 kB each): a busy office's morning; boards ask within seconds of a call


class AnnouncementCache:
    """Rendered calls by event id, oldest dropped first; one render per call even when many boards ask at once."""

    def __init__(self, folder: Path, limit: int = CACHE_CALLS) -> None:
        self.folder, self.limit = folder, limit
        self._paths: OrderedDict[int, Path] = OrderedDict()
        self._locks: dict[int, threading.Lock] = {}
        self._lock = threading.Lock()

    def wav(self, event_id: int, number: str, counter: int, voice: VoiceConfig) -> Path:
        """The call's WAV, rendering it on first use."""
        with self._lock:
            lock = self._locks.setdefault(event_id, threading.Lock())
        with lock:  # a second board waits for the first render instead of starting its own
            with self._lock:
                ready = self._paths.get(event_id)
            if ready is not None and ready.exists():
                return ready
            path = self.folder / f"e{event_id}.wav"
            announcement = call_announcement(
                f"e{event_id}", number, counter, voice=voice.voice, rate=voice.rate, repeat=voice.repeat,
                number_reading=voice.number_reading, english=voice.english, english_voice=voice.english_voice,
                chime=voice.chime, engine=voice.engine)
            render_announcement(announcement, path.with_suffix(".part"), workdir=self.folder)
            path.with_suffix(".part").replace(path)
            with self._lock:
                self._paths[event_id] = path
                self._drop_oldest()
            return path

    def _drop_oldest(self) -> None:
        while len(self._paths) > self.limit:
            old_id, old_path = self._paths.popitem(last=False)
            self._locks.pop(old_id, None)
            old_path.unlink(missing_ok=True)

    def close(self) -> None:
        """Remove the rendered files."""
        shutil.rmtree(self.folder, ignore_errors=True)


def _cache() -> AnnouncementCache:
    """The app's cache (made on the first call, in a private temp folder)."""
    cache = current_app.extensions.get("motcua.announcements")
    if cache is None:
        made = AnnouncementCache(Path(tempfile.mkdtemp(prefix="motcua-announcements-")))
        cache = current_app.extensions.setdefault("motcua.announcements", made)
        if cache is made:
            atexit.register(made.close)
        else:  # another request made one first
            made.close()
    return cache


def _called(event_id: int) -> tuple[str, int]:
    """The ticket number and counter of a call or recall event; 404 for any other id."""
    if event_id >= 2**63:  # SQLite's integers end there: a longer number in the address names no event
        raise ApiError(404, "not_found", f"Không có lượt gọi số nào mang mã {event_id}.")
    row = read_conn().execute("SELECT type, counter, data FROM events WHERE id = ?", (event_id,)).fetchone()
    if row is None or row[0] not in CALL_EVENTS:
        raise ApiError(404, "not_found", f"Không có lượt gọi số nào mang mã {event_id}.")
    ticket = json.loads(row[2]).get("ticket") or {}
    counter = ticket.get("counter") or row[1]
    if not ticket.get("number") or not isinstance(counter, int):
        raise ApiError(404, "not_found", f"Lượt gọi {event_id} không ghi số thứ tự hoặc quầy.")
    return str(ticket["number"]), counter


@bp.get("/display/audio/<int:event_id>.wav")
def announcement_audio(event_id: int) -> Response:
    """One call said aloud (chime, then the words ``repeat`` times), as a 16-bit mono WAV."""
    voice = load_display_config(current_app.extensions["motcua.config"]).voice
    if not voice.enabled:
        raise ApiError(404, "not_found", "Văn phòng đã tắt đọc số ([display.voice] enabled = false).")
    number, counter = _called(event_id)
    try:
        path = _cache().wav(event_id, number, counter, voice)
    except SpeechError as exc:
        current_app.logger.warning("could not speak call %s: %s", event_id, exc)
        raise ApiError(503, "speech_unavailable", "Máy chủ chưa đọc được số (thiếu espeak-ng?).") from exc
    return send_file(path, mimetype="audio/wav", max_age=3600, conditional=True)
