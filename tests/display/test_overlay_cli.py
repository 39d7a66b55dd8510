"""``motcua overlay`` as a process: segments from a file, the PNG overlay and MJPEG over HTTP."""

from __future__ import annotations

import io
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import requests
from PIL import Image

from tests.support.live_server import free_port
from tests.support.video import make_video

from .fakesse import FakeEventServer, counter, ticket

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fake():
    server = FakeEventServer()
    current = ticket(7, "A007", status="serving")
    server.snapshot_data["counters"][0] = counter(1, "serving", current)
    yield server
    server.close()


def overlay(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "queue_server.cli", "overlay", *args], cwd=PROJECT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.e2e
def test_the_overlay_command_writes_segments_and_a_png(fake, tmp_path):
    source = tmp_path / "cam.avi"
    make_video(source, frames=20)
    png = tmp_path / "quay1.png"
    done = overlay("--server", fake.url, "--counter", "1", "--png", str(png))
    assert done.wait(60) == 0, done.stderr.read()
    with Image.open(png) as image:
        assert image.mode == "RGBA" and np.asarray(image)[:, :, 3].max() > 0
    run = overlay("--server", fake.url, "--counter", "1", "--source", str(source), "--out", str(tmp_path / "out"),
                  "--start-time", "2026-11-23T09:00:00+07:00")
    assert run.wait(60) == 0, run.stderr.read()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["quay1-20261123-09.csv", "quay1-20261123-09.mp4"]
    run.stdout.close()
    run.stderr.close()
    done.stdout.close()
    done.stderr.close()


@pytest.mark.e2e
def test_the_overlay_command_serves_mjpeg_and_png(fake, tmp_path):
    source = tmp_path / "cam.avi"
    make_video(source, frames=100)  # 10 s at its own pace
    port = free_port()
    run = overlay("--server", fake.url, "--counter", "1", "--source", str(source), "--mjpeg", str(port))
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                png = requests.get(base + "/counter/1.png?w=640&h=360", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        assert png.status_code == 200 and png.headers["Content-Type"] == "image/png"
        with Image.open(io.BytesIO(png.content)) as image:
            assert image.size == (640, 360)
        frame = requests.get(base + "/counter/1.jpg", timeout=10)
        assert frame.status_code == 200 and frame.content[:2] == b"\xff\xd8"
        with requests.get(base + "/counter/1.mjpg", stream=True, timeout=10) as stream:
            assert stream.headers["Content-Type"].startswith("multipart/x-mixed-replace")
            chunk = next(stream.iter_content(4096))
            assert b"--frame" in chunk and b"image/jpeg" in chunk
        assert requests.get(base + "/elsewhere", timeout=2).status_code == 404
    finally:
        run.terminate()
        run.communicate(timeout=10)
