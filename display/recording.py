"""The board's record mode and frame timing, apart from the App that wires them.

``timings.jsonl`` (``--timings FILE``, or inside ``--record DIR``) gets one
JSON line per event when it is painted (arrived, applied, painted, frame cost,
whether its call was flashed, the ticker's notices and the closed counters'
words when it changed them) and one when its call starts to be spoken: what ``bench/display.py`` and the tests read.
With ``--record DIR`` every painted frame that shows an event is also saved as
``NNNN-e<id>-<type>.png``, written on a thread so the next frame is not held up.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from queue_server.client import ServerEvent
from speech import Announcement

FrameGrabber = Callable[[], tuple[bytes, int, int]]
"""Reads the finished frame: (bottom-up RGB pixels, width, height)."""


@dataclass(frozen=True)
class AppliedEvent:
    """An event folded into the board's state, waiting for the frame that shows it."""

    event: ServerEvent
    received: float  # wall-clock seconds when the feed delivered it
    applied: float  # wall-clock seconds when the main thread folded it in
    number: str | None  # the ticket it called, if any
    flashed: bool = False  # its call took the stage (and was said): live, not replayed
    notices: tuple[str, ...] | None = None  # the office's notices now on the ticker, when this event changed them
    closed: dict[int, str] | None = None  # the closed counters' words ("Hôm nay nghỉ"…), when this event changed them


class TimingLog:
    """Appends JSON lines from any thread (the main thread paints, the speaker's thread speaks)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()

    def write(self, event_id: int | None, **fields: object) -> None:
        """One line for an event; nothing when no timings file is wanted."""
        if not self.path:
            return
        line = json.dumps({"event_id": event_id, **fields})
        with self._lock, open(self.path, "a", encoding="utf-8") as out:
            out.write(line + "\n")


class FrameRecorder:
    """Paint times of applied events and, in record mode, one PNG per painted event."""

    def __init__(self, record_dir: Path | None, timings_path: Path | None) -> None:
        self.record_dir = record_dir
        self.timings = TimingLog(timings_path or (record_dir / "timings.jsonl" if record_dir else None))
        self._pending: list[AppliedEvent] = []
        self._frames = 0
        self._png_writers: list[threading.Thread] = []
        self._draw_began = (time.perf_counter(), time.process_time())
        if record_dir:
            record_dir.mkdir(parents=True, exist_ok=True)

    @property
    def one_event_per_frame(self) -> bool:
        """Record mode draws one event per frame, so each event gets its own picture."""
        return self.record_dir is not None

    @property
    def waiting_for_frame(self) -> bool:
        """In record mode: the last event has not had its frame yet, so the next one must wait."""
        return self.one_event_per_frame and bool(self._pending)

    def applied(self, event: ServerEvent, received: float, number: str | None, flashed: bool = False,
                notices: tuple[str, ...] | None = None, closed: dict[int, str] | None = None) -> None:
        """An event was folded in now; its paint time is logged with the next frame."""
        self._pending.append(AppliedEvent(event, received, time.time(), number, flashed, notices, closed))

    def draw_began(self) -> None:
        """Kivy starts drawing a frame (its cost is measured from here)."""
        self._draw_began = (time.perf_counter(), time.process_time())

    def frame_finished(self, grab_frame: FrameGrabber | None = None) -> bool:
        """A frame is drawn: log the events it shows, save its picture; True when it showed any."""
        if not self._pending:
            return False
        painted = time.time()
        wall_began, cpu_began = self._draw_began
        frame = {"frame_ms": round((time.perf_counter() - wall_began) * 1000, 1),
                 "frame_cpu_ms": round((time.process_time() - cpu_began) * 1000, 1)}
        pending, self._pending = self._pending, []
        for item in pending:
            shown: dict[str, object] = {} if item.notices is None else {"notices": list(item.notices)}
            if item.closed is not None:
                shown["closed"] = {str(number): words for number, words in item.closed.items()}
            self.timings.write(item.event.id, type=item.event.type, number=item.number, received=item.received,
                               applied=item.applied, painted=painted, flashed=item.flashed, **shown, **frame)
        if self.record_dir and grab_frame is not None:
            self._frames += 1
            event = pending[-1].event
            name = f"{self._frames:04d}-e{event.id if event.id is not None else 0}-{event.type}.png"
            self._write_in_background(self.record_dir / name, grab_frame())
        return True

    def speech_started(self, announcement: Announcement, _monotonic: float) -> None:
        """The speaker began a call (keys look like ``e<event id>-<number>-q<counter>``)."""
        event_id = int(announcement.key.split("-")[0][1:] or 0)
        self.timings.write(event_id, speech_started=time.time(), number=announcement.key.split("-")[1])

    def close(self) -> None:
        """Finish the pictures already taken."""
        for writer in self._png_writers:
            writer.join(timeout=10)

    def _write_in_background(self, path: Path, frame: tuple[bytes, int, int]) -> None:
        writer = threading.Thread(target=write_png, args=(path, *frame), daemon=True)
        writer.start()
        self._png_writers = [t for t in self._png_writers if t.is_alive()] + [writer]


def write_png(path: Path, pixels: bytes, width: int, height: int) -> None:
    """Encode a frame (bottom-up RGB rows from OpenGL) as PNG, atomically."""
    from PIL import Image

    image = Image.frombytes("RGB", (width, height), pixels).transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    partial = path.with_suffix(".part")
    image.save(partial, format="PNG", compress_level=1)
    partial.rename(path)
