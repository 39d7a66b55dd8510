"""Read-aloud: the kiosk's one adapter to speech (the display part's ``display.speech``).

``Reader.speak(text, lang)`` returns at once; the words are synthesised and
played on the speech part's own thread. A newer request replaces one not yet
started, so tapping twice does not queue the same text twice.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)

VOICES = {"vi": "vi", "en": "en"}


class Reader(Protocol):
    """Anything that can say a text."""

    def speak(self, text: str, lang: str) -> None:
        """Say ``text`` (returns at once)."""


class SpeechReader:
    """Speaks through ``display.speech`` (espeak-ng, slow rate), or espeak-ng directly if that part is absent."""

    def __init__(self, voice: str = "vi", rate: float = 0.85, record_dir: Path | None = None) -> None:
        self.voice = voice
        self.rate = rate
        self.record_dir = record_dir
        self._speaker = None
        self._count = 0
        self._lock = threading.Lock()

    def speak(self, text: str, lang: str) -> None:
        """Queue the text."""
        voice = self.voice if lang == "vi" else VOICES.get(lang, lang)
        try:
            from display import speech
        except ImportError:
            threading.Thread(target=self._espeak, args=(text, voice), daemon=True).start()
            return
        with self._lock:
            if self._speaker is None:
                self._speaker = speech.Speaker(record_dir=self.record_dir)
            self._count += 1
            key = f"kiosk-{self._count}"
        self._speaker.say(speech.Announcement(key=key, lines=((text, voice),), repeat=1, chime=False,
                                              rate=self.rate))

    def _espeak(self, text: str, voice: str) -> None:
        binary = shutil.which("espeak-ng")
        if binary is None:
            log.warning("espeak-ng is not installed: read-aloud is silent")
            return
        subprocess.run([binary, "-v", voice, "-s", str(int(175 * self.rate)), "--", text],
                       capture_output=True, timeout=60, check=False)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until everything queued is spoken (tests)."""
        return self._speaker.wait_idle(timeout) if self._speaker is not None else True


class SilentReader:
    """A reader that only remembers what it was asked to say (tests, tour)."""

    def __init__(self) -> None:
        self.said: list[tuple[str, str]] = []

    def speak(self, text: str, lang: str) -> None:
        """Remember the text."""
        self.said.append((text, lang))
