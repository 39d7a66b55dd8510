"""Read-aloud: the kiosk's one adapter to the ``speech`` package.

``Reader.speak(text, lang)`` returns at once; the words are synthesised and
played on the speech part's own thread. A newer request replaces one not yet
started, so tapping twice does not queue the same text twice.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Protocol

from speech import Announcement, Speaker

VOICES = {"vi": "vi", "en": "en"}


class Reader(Protocol):
    """Anything that can say a text."""

    def speak(self, text: str, lang: str) -> None:
        """Say ``text`` (returns at once)."""


class SpeechReader:
    """Speaks through the ``speech`` package's ``Speaker`` (espeak-ng, slow rate), one text at a time."""

    def __init__(self, voice: str = "vi", rate: float = 0.85, record_dir: Path | None = None) -> None:
        self.voice = voice
        self.rate = rate
        self.record_dir = record_dir
        self._speaker: Speaker | None = None
        self._count = 0
        self._lock = threading.Lock()

    def speak(self, text: str, lang: str) -> None:
        """Queue the text."""
        voice = self.voice if lang == "vi" else VOICES.get(lang, lang)
        with self._lock:
            if self._speaker is None:
                self._speaker = Speaker(record_dir=self.record_dir)
            self._count += 1
            key = f"kiosk-{self._count}"
            speaker = self._speaker
        speaker.say(Announcement(key=key, lines=((text, voice),), repeat=1, chime=False, rate=self.rate))

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
