"""Vietnamese voice: what is said for a call, speech synthesis, a chime and a player.

A device package beside ``printers``: the lobby boards speak calls with it and
the kiosk's read-aloud button speaks screen texts. It imports nothing of the
project (standard library, espeak-ng or pyttsx3).

- ``read_number(1002)`` → "một nghìn không trăm linh hai";
  ``read_ticket_number("A012", "digits")`` → "A, không, một, hai" (``speech.texts``).
- ``synthesize_wav(text, path, voice="vi", rate=0.8)`` writes a WAV with
  espeak-ng (or pyttsx3, one sentence per call) and checks it (``speech.engine``).
- ``make_chime(path)``, ``wav_stats(path)`` (``speech.wav``).
- ``Speaker`` plays queued announcements one after another, never
  overlapping or dropping one; with ``record_dir`` it writes WAVs instead (``speech.speaker``).
"""

from __future__ import annotations

from .engine import ESPEAK_NORMAL_WPM, audio_output_available, synthesize_wav
from .errors import SpeechError
from .speaker import (
                      CHIME_GAP_S,
                      LINE_GAP_S,
                      Announcement,
                      Speaker,
                      call_announcement,
                      render_announcement,
                      render_speech,
)
from .texts import DIGITS, announcement_text, english_text, read_digits, read_number, read_ticket_number
from .wav import SAMPLE_RATE, WavStats, chime_frames, make_chime, read_mono_frames, silence, wav_stats, write_wav

__all__ = [
    "CHIME_GAP_S", "DIGITS", "ESPEAK_NORMAL_WPM", "LINE_GAP_S", "SAMPLE_RATE", "Announcement", "Speaker",
    "SpeechError", "WavStats", "announcement_text", "audio_output_available", "call_announcement", "chime_frames",
    "english_text", "make_chime", "read_digits", "read_mono_frames", "read_number", "read_ticket_number",
    "render_announcement", "render_speech", "silence", "synthesize_wav", "wav_stats", "write_wav",
]
