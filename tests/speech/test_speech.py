"""Vietnamese number reading, real synthesized WAVs, and the call queue."""

from __future__ import annotations

import shutil
import threading

import pytest

from speech import (
    Speaker,
    SpeechError,
    announcement_text,
    call_announcement,
    chime_frames,
    make_chime,
    read_number,
    read_ticket_number,
    render_announcement,
    synthesize_wav,
    wav_stats,
)

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")


@pytest.mark.parametrize("number, words", [
    (0, "không"), (5, "năm"), (10, "mười"), (11, "mười một"), (15, "mười lăm"), (21, "hai mươi mốt"),
    (25, "hai mươi lăm"), (105, "một trăm linh năm"), (110, "một trăm mười"), (1000, "một nghìn"),
    (1002, "một nghìn không trăm linh hai"), (1023, "một nghìn không trăm hai mươi ba"),
    (2010, "hai nghìn không trăm mười"), (12345, "mười hai nghìn ba trăm bốn mươi lăm"),
])
def test_numbers_are_read_the_way_callers_say_them(number, words):
    assert read_number(number) == words


def test_ticket_numbers_read_prefix_letters_as_letters_then_digits_or_the_number():
    assert read_ticket_number("A012", "digits") == "A, không, một, hai"
    assert read_ticket_number("A012", "number") == "A, mười hai"
    assert read_ticket_number("1002", "number") == "một nghìn không trăm linh hai"


def test_the_call_sentence_names_number_and_counter():
    assert announcement_text("1002", 3, "digits") == (
        "Xin mời công dân có số thứ tự một, không, không, hai, đến quầy số ba.")


def test_the_chime_is_short_and_audible(tmp_path):
    stats = wav_stats(make_chime(tmp_path / "chime.wav"))
    assert 0.5 < stats.duration_s < 1.0 and stats.rms > 0.05


@needs_espeak
def test_espeak_writes_real_vietnamese_speech(tmp_path):
    path = synthesize_wav(announcement_text("A012", 3), tmp_path / "call.wav", voice="vi", rate=0.8)
    stats = wav_stats(path)
    assert stats.duration_s > 2.0 and stats.rms > 0.02 and stats.sample_rate == 22050


@needs_espeak
def test_a_slower_rate_gives_longer_speech(tmp_path):
    slow = wav_stats(synthesize_wav("Xin mời công dân", tmp_path / "slow.wav", rate=0.6)).duration_s
    fast = wav_stats(synthesize_wav("Xin mời công dân", tmp_path / "fast.wav", rate=1.4)).duration_s
    assert slow > fast * 1.5


def test_nothing_to_say_is_an_error(tmp_path):
    with pytest.raises(SpeechError):
        synthesize_wav("  ", tmp_path / "x.wav")


@needs_espeak
def test_an_announcement_is_chime_then_the_sentence_repeated(tmp_path):
    once = wav_stats(render_announcement(call_announcement("a", "A001", 1, repeat=1), tmp_path / "1.wav", tmp_path))
    twice = wav_stats(render_announcement(call_announcement("b", "A001", 1, repeat=2), tmp_path / "2.wav", tmp_path))
    english = wav_stats(render_announcement(call_announcement("c", "A001", 1, repeat=1, english=True),
                                            tmp_path / "3.wav", tmp_path))
    assert twice.duration_s > once.duration_s * 1.6
    assert english.duration_s > once.duration_s + 1.0


@needs_espeak
def test_the_speaker_records_every_call_in_order_without_overlap(tmp_path):
    starts: list[tuple[str, float]] = []
    speaker = Speaker(record_dir=tmp_path, on_started=lambda a, t: starts.append((a.key, t)))
    for index, number in enumerate(["A001", "B002", "C003"]):
        speaker.say(call_announcement(f"e{index}-{number}", number, index + 1, repeat=1))
    assert speaker.wait_idle(30)
    speaker.close()
    names = sorted(p.name for p in tmp_path.glob("*.wav"))
    assert names == ["0001-e0-A001.wav", "0002-e1-B002.wav", "0003-e2-C003.wav"]
    assert [key for key, _ in starts] == ["e0-A001", "e1-B002", "e2-C003"]
    assert all(wav_stats(tmp_path / name).rms > 0.02 for name in names)


def test_the_speaker_plays_one_call_after_the_other(tmp_path, monkeypatch):
    """With a (fake) player: chime, words, next chime, next words… never two sounds at once."""
    monkeypatch.setattr("speech.speaker.audio_output_available", lambda: True)
    monkeypatch.setattr("speech.speaker.render_speech", lambda a, workdir=None: chime_frames())
    player = tmp_path / "play.sh"
    log = tmp_path / "log"
    player.write_text(f"#!/bin/sh\necho start >> {log}\nsleep 0.2\necho end >> {log}\n")
    player.chmod(0o755)
    speaker = Speaker(play_command=(str(player),))
    for index in range(3):
        speaker.say(call_announcement(f"e{index}", "A001", 1))
    assert speaker.wait_idle(10)
    speaker.close()
    assert log.read_text().split() == ["start", "end"] * 6


def test_without_a_sound_card_playback_is_skipped_quietly(tmp_path, monkeypatch):
    monkeypatch.setattr("speech.speaker.audio_output_available", lambda: False)
    monkeypatch.setattr("speech.speaker.render_speech", lambda a, workdir=None: chime_frames())
    done = threading.Event()
    speaker = Speaker(on_started=lambda a, t: done.set())
    speaker.say(call_announcement("e1", "A001", 1))
    assert done.wait(5) and speaker.wait_idle(5)
    speaker.close()


@needs_espeak
def test_pyttsx3_one_sentence_per_call_gives_a_complete_file(tmp_path):
    pytest.importorskip("pyttsx3")
    first = wav_stats(synthesize_wav("Xin mời công dân có số thứ tự một", tmp_path / "a.wav", engine="pyttsx3"))
    second = wav_stats(synthesize_wav("đến quầy số ba", tmp_path / "b.wav", engine="pyttsx3"))
    assert first.duration_s > 1.0 and second.duration_s > 0.5 and first.rms > 0.02 and second.rms > 0.02
