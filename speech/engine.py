"""Speech synthesis into a WAV file: espeak-ng (one process per text) or pyttsx3, and whether audio can play."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
import unicodedata
import wave
from pathlib import Path

from .errors import SpeechError
from .wav import wav_stats

ESPEAK_NORMAL_WPM = 175  # espeak-ng's default speed; "rate" is a factor of it


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


def audio_output_available() -> bool:
    """True when aplay exists and ALSA lists a sound card."""
    if shutil.which("aplay") is None:
        return False
    result = subprocess.run(["aplay", "-l"], capture_output=True, text=True, check=False)
    return result.returncode == 0 and "card" in result.stdout
