"""Read a counter's camera, overlay the queue strip, and record or serve the result.

Sources: ``rtsp://…`` (or http), ``usb:N`` (a V4L2 device) or a video file,
all through OpenCV. Outputs: hourly segment files with a CSV sidecar
(frame, time, state, ticket) for matching complaints to video, and/or an
MJPEG stream and transparent PNG overlays over HTTP for recorders.
"""

from __future__ import annotations

import csv
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, TextIO
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import cv2
import numpy as np

from .board import EMPTY, BoardState, reduce
from .overlay import OverlayInfo, StripRenderer, overlay_info, overlay_png

if TYPE_CHECKING:
    from _csv import Writer as CsvWriter

log = logging.getLogger(__name__)


class SourceError(RuntimeError):
    """A camera or file could not be opened."""


def open_source(source: str) -> cv2.VideoCapture:
    """An OpenCV capture for ``rtsp://…``, ``usb:N`` or a file path."""
    capture = cv2.VideoCapture(int(source[4:])) if source.startswith("usb:") else cv2.VideoCapture(source)
    if not capture.isOpened():
        raise SourceError(f"cannot open camera source {source!r}")
    return capture


def is_file_source(source: str) -> bool:
    """True for a video file (its time comes from the file, not the wall clock)."""
    return not source.startswith(("rtsp://", "rtsps://", "http://", "https://", "usb:"))


class StateHolder:
    """The board state shared between the event feed and the camera threads."""

    def __init__(self, state: BoardState = EMPTY) -> None:
        self._lock = threading.Lock()
        self.state = state
        self.connected = False

    def apply(self, event) -> None:
        """Fold one server event."""
        with self._lock:
            self.state = reduce(self.state, event)

    def set_connected(self, connected: bool) -> None:
        """Record the feed's connection state."""
        self.connected = connected

    def info(self, counter: int) -> OverlayInfo:
        """The strip content for a counter now."""
        with self._lock:
            return overlay_info(self.state, counter, self.connected)


class SegmentWriter:
    """Writes frames into one file per hour, plus a CSV sidecar of what the strip said."""

    def __init__(self, out_dir: Path, counter: int, fps: float, size: tuple[int, int], fourcc: str = "mp4v",
                 suffix: str = ".mp4") -> None:
        self.out_dir, self.counter, self.fps, self.size = Path(out_dir), counter, fps, size
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.fourcc, self.suffix = fourcc, suffix
        self._writer: cv2.VideoWriter | None = None
        self._sidecar: TextIO | None = None
        self._csv: CsvWriter | None = None
        self._hour: str | None = None
        self._frame_index = 0
        self._last_row: tuple | None = None
        self.paths: list[Path] = []

    def write(self, frame: np.ndarray, moment: datetime, info: OverlayInfo) -> None:
        """Append a frame stamped ``moment``; starts a new segment on a new hour."""
        hour = moment.strftime("%Y%m%d-%H")
        if hour != self._hour:
            self._open(hour)
        assert self._writer is not None and self._csv is not None  # _open made this hour's segment
        self._writer.write(frame)
        row = (moment.strftime("%Y-%m-%dT%H:%M:%S%z"), info.state, info.ticket or "")
        if row != self._last_row:  # one line per change of second, state or ticket
            self._csv.writerow((self._frame_index, *row))
            self._last_row = row
        self._frame_index += 1

    def _open(self, hour: str) -> None:
        self.close()
        path = self.out_dir / f"quay{self.counter}-{hour}{self.suffix}"
        self._writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*self.fourcc), self.fps, self.size)
        if not self._writer.isOpened():
            raise SourceError(f"cannot write video {path}")
        self._sidecar = open(path.with_suffix(".csv"), "w", newline="", encoding="utf-8")  # noqa: SIM115 closed by close()
        self._csv = csv.writer(self._sidecar)
        self._csv.writerow(("frame", "time", "counter_state", "ticket"))
        self._hour, self._frame_index, self._last_row = hour, 0, None
        self.paths.append(path)

    def close(self) -> None:
        """Finish the current segment."""
        if self._writer is not None:
            self._writer.release()
            self._writer = None
        if self._sidecar is not None:
            self._sidecar.close()
            self._sidecar = None


class FrameHub:
    """The newest JPEG of each counter, for MJPEG clients."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._frames: dict[int, tuple[int, bytes]] = {}
        self.viewers = 0

    def watch(self, delta: int) -> None:
        """A viewer arrives (+1) or leaves (-1)."""
        with self._condition:
            self.viewers += delta

    def publish(self, counter: int, frame: np.ndarray) -> None:
        """Encode and publish a frame, only when someone is watching."""
        if self.viewers <= 0:
            return
        ok, jpeg = cv2.imencode(".jpg", frame, (cv2.IMWRITE_JPEG_QUALITY, 80))
        if ok:
            with self._condition:
                sequence = self._frames.get(counter, (0, b""))[0] + 1
                self._frames[counter] = (sequence, jpeg.tobytes())
                self._condition.notify_all()

    def wait(self, counter: int, after: int, timeout: float = 5.0) -> tuple[int, bytes] | None:
        """The next frame newer than ``after``."""
        with self._condition:
            self._condition.wait_for(lambda: self._frames.get(counter, (0, b""))[0] > after, timeout)
            frame = self._frames.get(counter)
            return frame if frame and frame[0] > after else None


@dataclass
class OverlayRunner:
    """One counter's camera → overlay → outputs loop."""

    counter: int
    source: str
    holder: StateHolder
    timezone: str = "Asia/Ho_Chi_Minh"
    out_dir: Path | None = None
    hub: FrameHub | None = None
    start_time: datetime | None = None  # for files: the time of their first frame (default: now)
    realtime: bool = False  # pace a file to its frame rate (serving MJPEG from a file)
    on_frame: Callable[[np.ndarray, datetime], None] | None = None

    def run(self, stop: threading.Event | None = None, max_frames: int | None = None) -> int:
        """Process frames until the source ends, ``stop`` is set or ``max_frames``; returns the count."""
        stop = stop or threading.Event()
        capture = open_source(self.source)
        fps = capture.get(cv2.CAP_PROP_FPS) or 15.0
        fps = fps if 1 <= fps <= 120 else 15.0
        width, height = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
        renderer = StripRenderer(width, height)
        writer = SegmentWriter(self.out_dir, self.counter, fps, (width, height)) if self.out_dir else None
        zone = ZoneInfo(self.timezone)
        from_file = is_file_source(self.source)
        start = (self.start_time or datetime.now(zone)).astimezone(zone)
        began, count = time.monotonic(), 0
        try:
            while not stop.is_set() and (max_frames is None or count < max_frames):
                ok, frame = capture.read()
                if not ok:
                    if from_file:
                        break
                    log.warning("camera %s: no frame; reopening", self.source)
                    capture.release()
                    stop.wait(1.0)
                    capture = open_source(self.source)
                    continue
                moment = start + timedelta(seconds=count / fps) if from_file else datetime.now(zone)
                info = self.holder.info(self.counter)
                renderer.apply(frame, info, moment)
                if writer:
                    writer.write(frame, moment, info)
                if self.hub:
                    self.hub.publish(self.counter, frame)
                if self.on_frame:
                    self.on_frame(frame, moment)
                count += 1
                if from_file and self.realtime:
                    stop.wait(max(0.0, began + count / fps - time.monotonic()))
        finally:
            capture.release()
            if writer:
                writer.close()
        return count


PATH_PATTERN = re.compile(r"^/counter/(\d+)\.(mjpg|png|jpg)$")


def make_http_server(port: int, hub: FrameHub, holder: StateHolder, timezone: str = "Asia/Ho_Chi_Minh",
                     host: str = "0.0.0.0") -> ThreadingHTTPServer:
    """``/counter/N.mjpg`` (MJPEG), ``/counter/N.jpg`` (one frame), ``/counter/N.png?w=&h=`` (overlay)."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args) -> None:  # quiet: recorders poll often
            pass

        def do_GET(self) -> None:
            url = urlparse(self.path)
            match = PATH_PATTERN.match(url.path)
            if not match:
                self._send(404, "text/plain; charset=utf-8",
                           "Dùng /counter/N.mjpg, /counter/N.jpg hoặc /counter/N.png".encode())
                return
            counter, kind = int(match.group(1)), match.group(2)
            if kind == "png":
                query = parse_qs(url.query)
                width = _size(query, "w", 1920)
                height = _size(query, "h", 1080)
                moment = datetime.now(ZoneInfo(timezone))
                self._send(200, "image/png", overlay_png(holder.info(counter), moment, width, height))
            elif kind == "jpg":
                hub.watch(+1)
                try:
                    frame = hub.wait(counter, 0)
                finally:
                    hub.watch(-1)
                if frame is None:
                    self._send(503, "text/plain; charset=utf-8", "Chưa có hình từ camera".encode())
                else:
                    self._send(200, "image/jpeg", frame[1])
            else:
                self._stream(counter)

        def _stream(self, counter: int) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            hub.watch(+1)
            sequence = 0
            try:
                while True:
                    frame = hub.wait(counter, sequence)
                    if frame is None:
                        continue
                    sequence, jpeg = frame
                    self.wfile.write(b"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: "
                                     + str(len(jpeg)).encode() + b"\r\n\r\n" + jpeg + b"\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
            finally:
                hub.watch(-1)

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server


def _size(query: dict, name: str, default: int) -> int:
    """A width/height query value, bounded to sane sizes."""
    try:
        value = int(query.get(name, [default])[0])
    except ValueError:
        return default
    return max(160, min(value, 7680))
