"""Read-aloud goes through the display part's speech (espeak-ng): a real Vietnamese WAV."""

from __future__ import annotations

import shutil
import wave

import pytest

from kiosk.read_aloud import SpeechReader
from kiosk.texts import home_spoken


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_the_home_screen_text_is_spoken_in_vietnamese(tmp_path):
    reader = SpeechReader(voice="vi", record_dir=tmp_path)
    reader.speak(home_spoken("vi"), "vi")
    assert reader.wait_idle(timeout=30)
    wavs = list(tmp_path.glob("*.wav"))
    assert len(wavs) == 1
    with wave.open(str(wavs[0])) as wav:
        assert wav.getnframes() / wav.getframerate() > 3.0  # a few sentences, spoken slowly
