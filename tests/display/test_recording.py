"""The board's record mode and timings file, without Kivy: what bench/display.py and the e2e pictures rely on."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from display.recording import FrameRecorder
from queue_server.client import ServerEvent
from speech import Announcement

CALLED = ServerEvent(7, "ticket.called", {})
SNAPSHOT = ServerEvent(6, "snapshot", {})


def red_frame() -> tuple[bytes, int, int]:
    """A 4×2 frame, bottom-up RGB: the bottom row red, the top row blue."""
    return bytes([255, 0, 0] * 4 + [0, 0, 255] * 4), 4, 2


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_record_mode_waits_for_the_frame_of_the_last_event(tmp_path):
    recorder = FrameRecorder(tmp_path / "rec", None)
    assert recorder.one_event_per_frame and not recorder.waiting_for_frame
    recorder.applied(SNAPSHOT, received=1.0, number=None)
    assert recorder.waiting_for_frame
    assert recorder.frame_finished(red_frame) is True
    assert not recorder.waiting_for_frame


def test_a_frame_without_new_events_is_neither_logged_nor_saved(tmp_path):
    recorder = FrameRecorder(tmp_path / "rec", None)
    assert recorder.frame_finished(red_frame) is False
    recorder.close()
    assert list((tmp_path / "rec").iterdir()) == []


def test_each_painted_event_gets_a_timing_line_and_record_mode_a_png_named_after_it(tmp_path):
    record = tmp_path / "rec"
    recorder = FrameRecorder(record, None)
    recorder.applied(CALLED, received=1.0, number="A001")
    recorder.draw_began()
    recorder.frame_finished(red_frame)
    recorder.close()
    (entry,) = lines(record / "timings.jsonl")
    assert {k: entry[k] for k in ("event_id", "type", "number", "received")} == {
        "event_id": 7, "type": "ticket.called", "number": "A001", "received": 1.0}
    assert entry["applied"] <= entry["painted"] and entry["frame_ms"] >= 0 and entry["frame_cpu_ms"] >= 0
    with Image.open(record / "0001-e7-ticket.called.png") as image:
        assert image.size == (4, 2)
        assert image.getpixel((0, 0)) == (0, 0, 255)  # OpenGL's bottom-up rows turned the right way up
        assert image.getpixel((0, 1)) == (255, 0, 0)


def test_without_record_mode_events_are_batched_and_only_timed(tmp_path):
    timings = tmp_path / "timings.jsonl"
    recorder = FrameRecorder(None, timings)
    recorder.applied(SNAPSHOT, received=1.0, number=None)
    recorder.applied(CALLED, received=1.5, number="A001")
    assert not recorder.one_event_per_frame and not recorder.waiting_for_frame
    recorder.frame_finished(red_frame)
    assert [(e["event_id"], e["number"]) for e in lines(timings)] == [(6, None), (7, "A001")]
    assert list(tmp_path.glob("*.png")) == []


def test_the_start_of_a_spoken_call_is_logged_under_its_event(tmp_path):
    timings = tmp_path / "timings.jsonl"
    recorder = FrameRecorder(None, timings)
    recorder.speech_started(Announcement(key="e7-A001-q3", lines=(("Xin mời", "vi"),)), 12.0)
    (entry,) = lines(timings)
    assert entry["event_id"] == 7 and entry["number"] == "A001" and "speech_started" in entry


def test_nothing_is_written_without_a_timings_file_or_record_folder(tmp_path):
    recorder = FrameRecorder(None, None)
    recorder.applied(CALLED, received=1.0, number="A001")
    assert recorder.frame_finished(red_frame) is True
    assert list(tmp_path.iterdir()) == []
