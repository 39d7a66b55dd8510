"""Announcements and their playback: one call as chime and lines, rendered to WAV or played in order.

``Speaker`` plays queued announcements one after another, never overlapping
or dropping one; with ``record_dir`` it writes WAVs instead.
"""

from __future__ import annotations

import logging
import queue as queue_module
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .engine import audio_output_available, synthesize_wav
from .errors import SpeechError
from .texts import announcement_text, english_text
from .wav import SAMPLE_RATE, chime_frames, read_mono_frames, silence, write_wav

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Announcement:
    """One call to speak: the lines in order and how many times."""

    key: str  # names the recorded file, e.g. "0007-A012-q3"
    lines: tuple[tuple[str, str], ...]  # (text, voice)
    repeat: int = 2
    chime: bool = True
    rate: float = 0.8
    engine: str = "espeak-ng"


def call_announcement(key: str, number: str, counter: int, *, voice: str = "vi", rate: float = 0.8,
                      repeat: int = 2, number_reading: str = "digits", english: bool = False,
                      english_voice: str = "en", chime: bool = True, engine: str = "espeak-ng") -> Announcement:
    """The announcement of one call, per the office's voice settings."""
    lines = [(announcement_text(number, counter, number_reading), voice)]
    if english:
        lines.append((english_text(number, counter), english_voice))
    return Announcement(key=key, lines=tuple(lines), repeat=repeat, chime=chime, rate=rate, engine=engine)


CHIME_GAP_S = 0.15
LINE_GAP_S = 0.6


def render_speech(announcement: Announcement, workdir: Path | None = None) -> bytes:
    """The spoken part: each line ``repeat`` times with pauses (16-bit mono frames)."""
    workdir = Path(workdir or tempfile.mkdtemp(prefix="motcua-voice-"))
    spoken: list[bytes] = []
    for index, (text, voice) in enumerate(announcement.lines):
        line_path = workdir / f"{announcement.key}-line{index}.wav"
        synthesize_wav(text, line_path, voice=voice, rate=announcement.rate, engine=announcement.engine)
        frames, rate = read_mono_frames(line_path)
        if rate != SAMPLE_RATE:
            raise SpeechError(f"unexpected sample rate {rate} from the speech engine")
        spoken.append(frames)
        line_path.unlink(missing_ok=True)
    return b"".join(frames + silence(LINE_GAP_S) for _ in range(announcement.repeat) for frames in spoken)


def render_announcement(announcement: Announcement, path: Path | str, workdir: Path | None = None) -> Path:
    """Chime, then each line ``repeat`` times with pauses, into one WAV file."""
    chime = chime_frames() + silence(CHIME_GAP_S) if announcement.chime else b""
    write_wav(path, chime + render_speech(announcement, workdir))
    return Path(path)


class Speaker:
    """Speaks announcements one at a time, in order, on its own thread.

    The chime starts at once while the words are synthesised, so a call is
    heard within a few tens of milliseconds of reaching the screen.
    ``record_dir`` set: each announcement becomes ``NNNN-<key>.wav`` there
    instead of being played. Without a sound card playback is skipped with
    one log line. ``on_started(announcement, monotonic_time)`` reports when
    the announcement (its chime) begins, for the speed bench.
    """

    def __init__(self, record_dir: Path | None = None,
                 on_started: Callable[[Announcement, float], None] | None = None,
                 play_command: tuple[str, ...] = ("aplay", "-q")) -> None:
        self.record_dir = Path(record_dir) if record_dir else None
        if self.record_dir:
            self.record_dir.mkdir(parents=True, exist_ok=True)
        self.on_started = on_started
        self.play_command = play_command
        self._queue: queue_module.Queue[Announcement | None] = queue_module.Queue()
        self._workdir = Path(tempfile.mkdtemp(prefix="motcua-speaker-"))
        self._count = 0
        self._can_play: bool | None = None
        self._thread = threading.Thread(target=self._run, name="speaker", daemon=True)
        self._thread.start()

    def say(self, announcement: Announcement) -> None:
        """Queue an announcement; returns at once."""
        self._queue.put(announcement)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until every queued announcement is done (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.02)
        return not self._queue.unfinished_tasks

    def close(self) -> None:
        """Finish what is queued, then stop the thread."""
        self._queue.put(None)
        self._thread.join(timeout=60)
        shutil.rmtree(self._workdir, ignore_errors=True)

    def _run(self) -> None:
        while True:
            announcement = self._queue.get()
            try:
                if announcement is None:
                    return
                self._speak(announcement)
            except Exception:  # one bad call must not silence the next ones
                log.exception("could not speak %s", announcement.key if announcement else None)
            finally:
                self._queue.task_done()

    def _speak(self, announcement: Announcement) -> None:
        """Chime at once while the words are synthesised, then the words (or one WAV in record mode)."""
        self._count += 1
        name = f"{self._count:04d}-{announcement.key}.wav"
        chime_player = None
        if self.on_started:
            self.on_started(announcement, time.monotonic())
        if announcement.chime and self.record_dir is None and self._playback_possible():
            chime_player = subprocess.Popen([*self.play_command, str(self._chime_path())],
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        speech = render_speech(announcement, self._workdir)
        if self.record_dir is not None:
            chime = chime_frames() + silence(CHIME_GAP_S) if announcement.chime else b""
            partial = self.record_dir / (name + ".part")
            write_wav(partial, chime + speech)
            partial.rename(self.record_dir / name)  # whoever watches the folder sees whole files only
            return
        if chime_player is not None:
            chime_player.wait(timeout=10)
        target = self._workdir / name
        write_wav(target, speech)
        self._play(target)
        target.unlink(missing_ok=True)

    def _chime_path(self) -> Path:
        path = self._workdir / "chime.wav"
        if not path.exists():
            write_wav(path, chime_frames() + silence(CHIME_GAP_S))
        return path

    def _playback_possible(self) -> bool:
        if self._can_play is None:
            self._can_play = audio_output_available()
            if not self._can_play:
                log.warning("no sound card or aplay: voice calls are not played on this machine")
        return self._can_play

    def _play(self, path: Path) -> None:
        if not self._playback_possible():
            return
        result = subprocess.run([*self.play_command, str(path)], capture_output=True, timeout=120, check=False)
        if result.returncode != 0:
            log.warning("aplay failed: %s", result.stderr.decode(errors="replace").strip()[:200])
