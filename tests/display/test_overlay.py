"""Camera overlays on a synthetic video: only the strip changes, and its clock advances."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import cv2
import numpy as np
from PIL import Image

from display.board import EMPTY, reduce
from display.camera import OverlayRunner, SegmentWriter, StateHolder
from display.overlay import OverlayInfo, StripRenderer, overlay_info, overlay_png, strip_height_for, strip_text
from queue_server.client import ServerEvent
from tests.support.video import make_video

from .fakesse import counter, snapshot, ticket

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2026, 11, 23, 9, 59, 58, tzinfo=HCM)


def serving_state():
    t = ticket(7, "A007", counter=1, status="serving")
    state = reduce(EMPTY, ServerEvent(1, "snapshot", snapshot(1)))
    return reduce(state, ServerEvent(2, "ticket.serving", {"ticket": t, "counter": counter(1, "serving", t)}))


def test_the_strip_says_counter_field_ticket_state_and_time():
    info = overlay_info(serving_state(), 1)
    assert info == OverlayInfo(1, "Quầy 1", "Tư pháp – Hộ tịch", "serving", "A007")
    left, middle, right = strip_text(info, START)
    assert left == "QUẦY 1 · Tư pháp – Hộ tịch" and middle == "Số A007 · Đang phục vụ"
    assert right == "23/11/2026 09:59:58"


def test_a_called_ticket_not_yet_served_reads_as_calling_and_pauses_hide_the_reason():
    t = ticket(7, "A007", counter=1, status="called")
    state = reduce(serving_state(), ServerEvent(3, "ticket.called", {"ticket": t, "counter": counter(1, "serving", t)}))
    assert overlay_info(state, 1).state == "calling"
    paused = reduce(state, ServerEvent(4, "counter.paused",
                                       {"counter": counter(1, "paused", reason="Nguyễn Văn A ốm")}))
    info = overlay_info(paused, 1)
    assert info.state == "paused" and "Nguyễn" not in "".join(strip_text(info, START))


def test_overlaid_frames_differ_from_the_source_only_in_the_strip_and_the_clock_advances(tmp_path):
    source = tmp_path / "cam.avi"
    originals = make_video(source)
    holder = StateHolder(serving_state())
    outputs: list[tuple[np.ndarray, datetime]] = []
    runner = OverlayRunner(1, str(source), holder, out_dir=tmp_path / "out", start_time=START,
                           on_frame=lambda frame, moment: outputs.append((frame.copy(), moment)))
    assert runner.run() == len(originals) == 30
    strip = strip_height_for(360)
    for (frame, _), original in zip(outputs, originals, strict=True):  # a frame out for each frame in
        assert np.array_equal(frame[:-strip], original[:-strip])
        assert not np.array_equal(frame[-strip:], original[-strip:])
    moments = [moment for _, moment in outputs]
    assert moments[0] == START and moments[-1] - START == timedelta(seconds=2.9)
    # the same scene, two different seconds: the strips differ (the clock moved)
    assert not np.array_equal(outputs[0][0][-strip:], outputs[29][0][-strip:])
    assert np.array_equal(outputs[0][0][-strip:], outputs[1][0][-strip:])
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["quay1-20261123-09.csv", "quay1-20261123-09.mp4", "quay1-20261123-10.csv", "quay1-20261123-10.mp4"]
    rows = [list(csv.DictReader(io.StringIO((tmp_path / "out" / name).read_text(encoding="utf-8"))))
            for name in names[::2]]
    assert [r["time"][11:19] for r in rows[0]] == ["09:59:58", "09:59:59"] and rows[0][1]["frame"] == "10"
    assert [r["time"][11:19] for r in rows[1]] == ["10:00:00"]
    assert {r["ticket"] for part in rows for r in part} == {"A007"}
    counts = [cv2.VideoCapture(str(tmp_path / "out" / name)).get(cv2.CAP_PROP_FRAME_COUNT) for name in names[1::2]]
    assert counts == [20, 10]


def test_a_new_hour_starts_a_new_segment(tmp_path):
    writer = SegmentWriter(tmp_path, 2, 10, (320, 240))
    frame = np.zeros((240, 320, 3), np.uint8)
    info = OverlayInfo(2, "Quầy 2", "", "idle", None)
    for seconds in (0, 1, 3600):
        writer.write(frame, START + timedelta(seconds=seconds), info)
    writer.close()
    assert [p.name for p in writer.paths] == ["quay2-20261123-09.mp4", "quay2-20261123-10.mp4"]


def test_the_png_overlay_is_transparent_except_the_strip():
    data = overlay_png(overlay_info(serving_state(), 1), START, 1280, 720)
    image = Image.open(io.BytesIO(data))
    assert image.mode == "RGBA" and image.size == (1280, 720)
    alpha = np.asarray(image)[:, :, 3]
    strip = strip_height_for(720)
    assert alpha[:-strip].max() == 0 and alpha[-strip:].min() > 100


def test_blending_keeps_opaque_text_exact_and_is_cheap():
    renderer = StripRenderer(1920, 1080)
    frame = np.full((1080, 1920, 3), 128, np.uint8)
    info = overlay_info(serving_state(), 1)
    renderer.apply(frame, info, START)
    renderer.apply(frame, info, START)
    assert renderer.renders == 1  # same text: not re-rendered
    renderer.apply(frame, info, START + timedelta(seconds=1))
    assert renderer.renders == 2
