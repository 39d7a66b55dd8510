"""The lobby media zone: a playlist of slides, PDF pages and short videos.

``Playlist`` is plain Python (which item is on, for how long); ``MediaZone``
is the Kivy widget that shows it. Videos are decoded with OpenCV on a
thread and blitted into a texture; PDF pages are rendered with poppler's
``pdftoppm`` when it is installed, otherwise the PDF is skipped with a log
line. A missing file is skipped too: the screen never shows an error.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from queue_server.display_settings import MediaItem

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Slide:
    """One thing to show: an image file or a video file, for up to ``seconds``."""

    path: Path
    kind: str  # "image" | "video"
    seconds: float


def expand_playlist(items: tuple[MediaItem, ...], cache_dir: Path | None = None) -> tuple[Slide, ...]:
    """Slides from the configured items: PDFs become their pages; missing files are dropped."""
    slides: list[Slide] = []
    for item in items:
        if not item.path.exists():
            log.warning("media file not found, skipped: %s", item.path)
        elif item.kind == "pdf":
            slides.extend(Slide(page, "image", item.seconds) for page in pdf_pages(item.path, cache_dir))
        else:
            slides.append(Slide(item.path, item.kind, item.seconds))
    return tuple(slides)


def pdf_pages(pdf: Path, cache_dir: Path | None = None) -> list[Path]:
    """PNG pages of a PDF via ``pdftoppm`` (poppler-utils), or [] when it is not installed."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        log.warning("pdftoppm (poppler-utils) is not installed: PDF slides skipped: %s", pdf)
        return []
    out_dir = Path(cache_dir or tempfile.mkdtemp(prefix="motcua-pdf-")) / pdf.stem
    out_dir.mkdir(parents=True, exist_ok=True)
    result = subprocess.run([tool, "-png", "-r", "100", "-l", "30", str(pdf), str(out_dir / "page")],
                            capture_output=True, timeout=120, check=False)
    if result.returncode != 0:
        log.warning("could not render PDF %s: %s", pdf, result.stderr.decode(errors="replace")[:200])
        return []
    return sorted(out_dir.glob("page*.png"))


class Playlist:
    """Cycles through slides; ``current(now)`` says what to show."""

    def __init__(self, slides: tuple[Slide, ...]) -> None:
        self.slides = slides
        self.index = 0
        self.started = 0.0

    def __bool__(self) -> bool:
        return bool(self.slides)

    def start(self, now: float) -> Slide | None:
        """Begin (or restart) the current slide at ``now``."""
        self.started = now
        return self.slides[self.index] if self.slides else None

    def due(self, now: float) -> bool:
        """True when the current slide has been on long enough."""
        return bool(self.slides) and now - self.started >= self.slides[self.index].seconds

    def advance(self, now: float) -> Slide | None:
        """Move to the next slide."""
        if not self.slides:
            return None
        self.index = (self.index + 1) % len(self.slides)
        return self.start(now)


class VideoReader:
    """Decodes one video on a thread, paced to its frame rate; keeps only the newest frame."""

    def __init__(self, path: Path, max_width: int = 1280) -> None:
        import cv2

        self._cv2 = cv2
        self.capture = cv2.VideoCapture(str(path))
        self.fps = self.capture.get(cv2.CAP_PROP_FPS) or 25.0
        self.max_width = max_width
        self.frame = None  # newest frame, RGB, flipped for an OpenGL texture
        self.finished = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="media-video", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        cv2 = self._cv2
        period = 1.0 / max(1.0, min(self.fps, 30.0))
        next_time = time.monotonic()
        while not self._stop.is_set():
            ok, frame = self.capture.read()
            if not ok:
                break
            if frame.shape[1] > self.max_width:
                scale = self.max_width / frame.shape[1]
                frame = cv2.resize(frame, (self.max_width, int(frame.shape[0] * scale)), interpolation=cv2.INTER_AREA)
            rgb = cv2.flip(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB), 0)
            with self._lock:
                self.frame = rgb
            next_time += period
            self._stop.wait(max(0.0, next_time - time.monotonic()))
        self.finished = True
        self.capture.release()

    def take(self):
        """The newest frame since the last call, or None."""
        with self._lock:
            frame, self.frame = self.frame, None
        return frame

    def close(self) -> None:
        """Stop decoding (and wait for the decoder, so OpenCV is never torn down mid-frame)."""
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=2)
