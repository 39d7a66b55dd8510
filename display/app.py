"""The Kivy App of the lobby board: wires the live feed, the reducer, the view and the voice.

The feed thread only queues events; the main thread folds them with
``board.reduce`` and redraws through one debounced trigger. In record mode
(``--record DIR``) one event is drawn per frame and each frame is saved as
``NNNN-e<id>-<type>.png``, announcements become WAV files, and
``timings.jsonl`` says when each event arrived, was painted and was spoken.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
import time
from collections import deque
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.graphics.opengl import glFinish

from queue_server.client import QueueClient, ServerEvent
from queue_server.display_settings import DisplayConfig, ScreenConfig
from speech import Announcement, Speaker, call_announcement

from .board import EMPTY, BoardState, Call, call_age_s, in_zone, new_call, reduce, screen_view, server_clock_offset_s
from .board_view import BoardScreen
from .live import EventFeed
from .media import Playlist, expand_playlist

log = logging.getLogger(__name__)

# A call replayed after a long network cut is shown but not flashed or spoken:
# the citizen has long been called (and the clerk has moved on).
STALE_CALL_S = 120.0


class BoardApp(App):
    """One lobby screen."""

    def __init__(self, server: str, token: str | None, display: DisplayConfig, screen: ScreenConfig,
                 size: tuple[int, int], record_dir: Path | None = None, voice: bool = True,
                 timings_path: Path | None = None) -> None:
        super().__init__()
        self.title = f"motcua — {screen.name}"
        self.display, self.screen_config, self.size = display, screen, size
        self.record_dir = record_dir
        self.timings_path = timings_path or (record_dir / "timings.jsonl" if record_dir else None)
        self.state: BoardState = EMPTY
        self.connected = False
        self._inbox: deque[tuple[ServerEvent, float]] = deque()
        self._painted_pending: list[tuple[ServerEvent, float, float]] = []
        self._frames = 0
        self._timings: dict[int, dict] = {}
        self._log_lock = threading.Lock()
        self._png_writers: list[threading.Thread] = []
        self._server_offset = 0.0
        self._apply_trigger = Clock.create_trigger(self._apply_events, 0)
        self._refresh_trigger = Clock.create_trigger(self._refresh, 0)
        speak = voice and display.voice.enabled and screen.voice
        self.speaker = Speaker(record_dir=record_dir, on_started=self._speech_started) if speak else None
        self.feed = EventFeed(QueueClient(server, token), self._on_event, self._on_connection)
        if record_dir:
            record_dir.mkdir(parents=True, exist_ok=True)

    def build(self) -> BoardScreen:
        """Create the board and start listening."""
        playlist = Playlist(expand_playlist(self.display.media) if self.screen_config.media else ())
        self.board = BoardScreen(self.display, self.screen_config, playlist, self.size)
        Window.bind(on_flip=self._on_flip, on_draw=self._on_draw)
        signal.signal(signal.SIGTERM, lambda *_: Clock.schedule_once(lambda dt: self.stop(), 0))
        self.feed.start()
        return self.board

    def on_stop(self) -> None:
        """Stop the feed, finish speaking."""
        self.feed.stop()
        if self.board.media:
            self.board.media.stop()
        if self.speaker:
            self.speaker.close()
        for writer in self._png_writers:  # finish the pictures already taken
            writer.join(timeout=10)

    # -- from the feed thread --------------------------------------------------
    def _on_event(self, event: ServerEvent) -> None:
        self._inbox.append((event, time.time()))
        self._apply_trigger()

    def _on_connection(self, connected: bool) -> None:
        self.connected = connected
        # A pseudo-event, so record mode also pictures the "mất kết nối" mark and its end.
        self._inbox.append((ServerEvent(None, "connection." + ("restored" if connected else "lost"), {}), time.time()))
        self._apply_trigger()

    # -- on the main thread -----------------------------------------------------
    def _apply_events(self, _dt: float) -> None:
        # Record mode draws one event per frame, so each gets its own picture.
        if self.record_dir and self._painted_pending:
            return  # the last event has not had its frame yet; _on_flip triggers us again
        batch = 1 if self.record_dir else len(self._inbox)
        for _ in range(batch):
            if not self._inbox:
                break
            event, received = self._inbox.popleft()
            before = self.state
            if not event.type.startswith("connection."):
                self.state = reduce(before, event)
            if event.type == "snapshot":
                self._server_offset = server_clock_offset_s(event.data.get("at"), datetime.now(UTC))
            call = new_call(before, self.state)
            if call is not None and in_zone(call, self.screen_config.counters) and not self._stale(call):
                self.board.announce(call)
                self._speak(call, event)
            self._painted_pending.append((event, received, time.time(), call.number if call else None))
        self._refresh()
        self.board.canvas.ask_update()  # even an event that changes nothing gets its frame

    def _stale(self, call: Call) -> bool:
        server_now = datetime.now(UTC) - timedelta(seconds=self._server_offset)
        age = call_age_s(call, server_now)
        if age is not None and age > STALE_CALL_S:
            log.info("not announcing %s: called %.0f s ago (replayed after a break)", call.number, age)
            return True
        return False

    def _refresh(self, _dt: float = 0.0) -> None:
        view = screen_view(self.state, self.screen_config.counters, self.display.recent_calls)
        self.board.show(view, self.connected)

    def _speak(self, call: Call, event: ServerEvent) -> None:
        if self.speaker is None:
            return
        voice = self.display.voice
        key = f"e{event.id}-{call.number}-q{call.counter}"
        self.speaker.say(call_announcement(
            key, call.number, call.counter or 0, voice=voice.voice, rate=voice.rate, repeat=voice.repeat,
            number_reading=voice.number_reading, english=voice.english, english_voice=voice.english_voice,
            chime=voice.chime, engine=voice.engine))

    def _on_draw(self, *_args) -> None:
        self._draw_began = (time.perf_counter(), time.process_time())

    def _on_flip(self, *_args) -> None:
        """Runs after a frame is drawn, before it is shown: finish it, log paint times, save PNGs."""
        # Software OpenGL (llvmpipe, headless or without a GPU) renders lazily: unfinished
        # frames pile up and the next texture upload then waits for all of them.
        glFinish()
        if not self._painted_pending:
            return
        painted = time.time()
        wall_began, cpu_began = getattr(self, "_draw_began", (time.perf_counter(), time.process_time()))
        frame = {"frame_ms": round((time.perf_counter() - wall_began) * 1000, 1),
                 "frame_cpu_ms": round((time.process_time() - cpu_began) * 1000, 1)}
        pending, self._painted_pending = self._painted_pending, []
        for event, received, applied, number in pending:
            self._log_timing(event.id, type=event.type, number=number, received=received, applied=applied,
                             painted=painted, **frame)
        if self.record_dir:
            self._frames += 1
            event = pending[-1][0]
            name = f"{self._frames:04d}-e{event.id if event.id is not None else 0}-{event.type}.png"
            self._save_frame(self.record_dir / name)
        if self._inbox:
            self._apply_trigger()

    def _save_frame(self, path: Path) -> None:
        from kivy.graphics.opengl import GL_RGB, GL_UNSIGNED_BYTE, glReadPixels

        width, height = Window.size
        pixels = glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE)
        writer = threading.Thread(target=_write_png, args=(path, pixels, width, height), daemon=True)
        writer.start()
        self._png_writers = [t for t in self._png_writers if t.is_alive()] + [writer]

    def _speech_started(self, announcement: Announcement, _monotonic: float) -> None:
        event_id = int(announcement.key.split("-")[0][1:] or 0)
        self._log_timing(event_id, speech_started=time.time(), number=announcement.key.split("-")[1])

    def _log_timing(self, event_id: int | None, **fields) -> None:
        if not self.timings_path:
            return
        line = json.dumps({"event_id": event_id, **fields})
        with self._log_lock, open(self.timings_path, "a", encoding="utf-8") as out:
            out.write(line + "\n")


def _write_png(path: Path, pixels: bytes, width: int, height: int) -> None:
    """Encode a frame (bottom-up RGB rows from OpenGL) as PNG, atomically."""
    from PIL import Image

    image = Image.frombytes("RGB", (width, height), pixels).transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    partial = path.with_suffix(".part")
    image.save(partial, format="PNG", compress_level=1)
    partial.rename(path)
