"""Vietnamese voice calls: number reading, speech synthesis, a chime and a player.

Public API (the kiosk's read-aloud button uses it too):

- ``read_number(1002)`` → "một nghìn không trăm linh hai";
  ``read_ticket_number("A012", "digits")`` → "A, không, một, hai".
- ``synthesize_wav(text, path, voice="vi", rate=0.8)`` writes a WAV with
  espeak-ng (or pyttsx3, one sentence per call) and checks it.
- ``make_chime(path)`` writes a two-tone chime with the ``wave`` module.
- ``Speaker`` plays queued announcements one after another, never
  overlapping or dropping one; with ``record_dir`` it writes WAVs instead.
"""

from __future__ import annotations

import array
import logging
import math
import queue as queue_module
import shutil
import subprocess
import tempfile
import threading
import time
import unicodedata
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

log = logging.getLogger(__name__)

SAMPLE_RATE = 22050  # espeak-ng's native rate: chime and speech join without resampling
ESPEAK_NORMAL_WPM = 175  # espeak-ng's default speed; "rate" is a factor of it

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


class SpeechError(RuntimeError):
    """Speech could not be synthesised (engine missing, empty or silent file)."""


# -- reading numbers ---------------------------------------------------------


def read_number(n: int) -> str:
    """A whole number in Vietnamese words, the way a caller says it."""
    if n < 0:
        return "âm " + read_number(-n)
    if n < 1000:
        return _read_below_thousand(n, full=False)
    groups: list[int] = []
    while n:
        groups.append(n % 1000)
        n //= 1000
    units = ("", "nghìn", "triệu", "tỷ")
    words: list[str] = []
    top = len(groups) - 1
    for index in range(top, -1, -1):
        group = groups[index]
        if group == 0:
            continue
        words.append(_read_below_thousand(group, full=index != top))
        if 0 < index < len(units):
            words.append(units[index])
    return " ".join(words)


def _read_below_thousand(n: int, full: bool) -> str:
    """0–999; ``full`` reads a group after a bigger one ("không trăm linh hai")."""
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    words: list[str] = []
    if hundreds or full:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if ones:
            if words:
                words.append("linh")
            words.append(DIGITS[ones])
        elif not words:
            words.append("không")
        return " ".join(words)
    words.append("mười" if tens == 1 else f"{DIGITS[tens]} mươi")
    if ones == 1:
        words.append("một" if tens == 1 else "mốt")
    elif ones == 5:
        words.append("lăm")
    elif ones:
        words.append(DIGITS[ones])
    return " ".join(words)


def read_digits(digits: str) -> str:
    """Digit by digit: "1002" → "một, không, không, hai"."""
    return ", ".join(DIGITS[int(d)] for d in digits if d.isdigit())


def read_ticket_number(number: str, mode: str = "digits") -> str:
    """A ticket number aloud: prefix letters as letters, then the digits or the number."""
    number = unicodedata.normalize("NFC", number.strip())
    letters = "".join(ch for ch in number if not ch.isdigit())
    digits = "".join(ch for ch in number if ch.isdigit())
    parts = [", ".join(letters)] if letters else []
    if digits:
        parts.append(read_digits(digits) if mode == "digits" else read_number(int(digits)))
    return ", ".join(p for p in parts if p)


def announcement_text(number: str, counter: int | str, mode: str = "digits") -> str:
    """The Vietnamese call: "Xin mời công dân có số thứ tự … đến quầy số …"."""
    counter_words = read_number(int(counter)) if str(counter).isdigit() else str(counter)
    return f"Xin mời công dân có số thứ tự {read_ticket_number(number, mode)}, đến quầy số {counter_words}."


def english_text(number: str, counter: int | str) -> str:
    """The optional English line."""
    spelled = " ".join(number.strip())
    return f"Ticket number {spelled}, please come to counter {counter}."


# -- synthesis ----------------------------------------------------------------


def synthesize_wav(text: str, path: Path | str, voice: str = "vi", rate: float = 0.8,
                   engine: str = "espeak-ng") -> Path:
    """Speak ``text`` into a WAV file and check it is real, non-silent audio."""
    path = Path(path)
    text = unicodedata.normalize("NFC", text).strip()
    if not text:
        raise SpeechError("nothing to say")
    if engine == "pyttsx3":
        _pyttsx3_to_file(text, path, voice, rate)
    else:
        _espeak_to_file(text, path, voice, rate)
    stats = wav_stats(path)
    if stats.duration_s < 0.2 or stats.rms < 0.005:
        raise SpeechError(f"{engine} wrote silence for {text[:40]!r} ({stats})")
    return path


def _espeak_to_file(text: str, path: Path, voice: str, rate: float) -> None:
    """espeak-ng -w: one process, the file is complete when it exits."""
    binary = shutil.which("espeak-ng") or shutil.which("espeak")
    if binary is None:
        raise SpeechError("espeak-ng is not installed (apt-get install espeak-ng)")
    wpm = str(max(80, int(ESPEAK_NORMAL_WPM * rate)))
    result = subprocess.run([binary, "-v", voice, "-s", wpm, "-w", str(path), "--", text],
                            capture_output=True, timeout=30, check=False)
    if result.returncode != 0:
        raise SpeechError(f"espeak-ng failed: {result.stderr.decode(errors='replace').strip()[:200]}")


_PYTTSX3_LOCK = threading.Lock()


def _pyttsx3_to_file(text: str, path: Path, voice: str, rate: float) -> None:
    """pyttsx3, worked around: one sentence per call, then wait for the file itself.

    ``runAndWait()`` may return before ``save_to_file`` has written the file,
    and two queued saves keep only the last (DOMAIN.md), so each call saves
    one utterance and polls until the WAV header and size are stable.
    """
    import pyttsx3

    with _PYTTSX3_LOCK:
        path.unlink(missing_ok=True)
        engine = pyttsx3.init("espeak")
        try:
            engine.setProperty("voice", voice)
            engine.setProperty("rate", int(ESPEAK_NORMAL_WPM * rate))
            engine.save_to_file(text, str(path))
            engine.runAndWait()
        finally:
            engine.stop()
        _wait_for_complete_wav(path, timeout=10.0)


def _wait_for_complete_wav(path: Path, timeout: float) -> None:
    """Poll until a WAV file exists, parses and stops growing."""
    deadline = time.monotonic() + timeout
    last_size = -1
    while time.monotonic() < deadline:
        if path.exists():
            size = path.stat().st_size
            if size == last_size and size > 44:
                try:
                    wav_stats(path)
                    return
                except (wave.Error, EOFError):
                    pass
            last_size = size
        time.sleep(0.05)
    raise SpeechError(f"speech engine did not finish writing {path}")


@dataclass(frozen=True)
class WavStats:
    """Duration and loudness of a WAV file."""

    duration_s: float
    rms: float  # 0..1 of full scale
    sample_rate: int
    channels: int


def wav_stats(path: Path | str) -> WavStats:
    """Read a 16-bit PCM WAV and measure it."""
    with wave.open(str(path), "rb") as wav:
        frames = wav.readframes(wav.getnframes())
        rate, channels, width = wav.getframerate(), wav.getnchannels(), wav.getsampwidth()
    if width != 2:
        raise SpeechError(f"{path}: expected 16-bit audio")
    import numpy as np

    samples = np.frombuffer(frames, dtype="<i2").astype(np.float64)
    rms = float(np.sqrt(np.mean(samples * samples)) / 32768) if samples.size else 0.0
    return WavStats(samples.size / channels / rate if rate else 0.0, rms, rate, channels)


def chime_frames(sample_rate: int = SAMPLE_RATE) -> bytes:
    """A soft two-tone "ding-dong" (E6 then C6) as 16-bit mono samples."""
    samples = array.array("h")
    # Short on purpose: the words must start within a second of the call.
    for freq, seconds in ((1318.5, 0.25), (1046.5, 0.4)):
        count = int(sample_rate * seconds)
        for i in range(count):
            t = i / sample_rate
            envelope = min(1.0, t / 0.01) * math.exp(-5.0 * t)  # quick attack, bell-like decay
            value = 0.45 * envelope * (math.sin(2 * math.pi * freq * t) + 0.3 * math.sin(4 * math.pi * freq * t))
            samples.append(int(max(-1.0, min(1.0, value)) * 32767))
    return samples.tobytes()


def make_chime(path: Path | str, sample_rate: int = SAMPLE_RATE) -> Path:
    """Write the chime WAV."""
    write_wav(path, chime_frames(sample_rate), sample_rate)
    return Path(path)


def write_wav(path: Path | str, frames: bytes, sample_rate: int = SAMPLE_RATE) -> None:
    """Write 16-bit mono frames."""
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(frames)


def silence(seconds: float, sample_rate: int = SAMPLE_RATE) -> bytes:
    """Silent 16-bit mono frames."""
    return b"\x00\x00" * int(seconds * sample_rate)


def read_mono_frames(path: Path | str) -> tuple[bytes, int]:
    """The frames and rate of a 16-bit mono WAV."""
    with wave.open(str(path), "rb") as wav:
        if wav.getnchannels() != 1 or wav.getsampwidth() != 2:
            raise SpeechError(f"{path}: expected 16-bit mono audio")
        return wav.readframes(wav.getnframes()), wav.getframerate()


# -- announcements and playback -------------------------------------------------


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


def audio_output_available() -> bool:
    """True when aplay exists and ALSA lists a sound card."""
    if shutil.which("aplay") is None:
        return False
    result = subprocess.run(["aplay", "-l"], capture_output=True, text=True, check=False)
    return result.returncode == 0 and "card" in result.stdout


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
