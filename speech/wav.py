"""16-bit mono WAV files: measure, write, read, silence and the call chime (standard library only)."""

from __future__ import annotations

import array
import math
import sys
import wave
from dataclasses import dataclass
from pathlib import Path

from .errors import SpeechError

SAMPLE_RATE = 22050  # espeak-ng's native rate: chime and speech join without resampling


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
    # The standard library's array, not numpy: the server renders the browser board's calls with this too.
    samples = array.array("h", frames)
    if sys.byteorder == "big":
        samples.byteswap()  # WAV samples are little-endian
    rms = math.sqrt(math.fsum(s * s for s in samples) / len(samples)) / 32768 if samples else 0.0
    return WavStats(len(samples) / channels / rate if rate else 0.0, rms, rate, channels)


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
