"""A small lossless test video for the camera overlay tests."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np


def make_video(path: Path, frames: int = 30, fps: int = 10, size: tuple[int, int] = (640, 360)) -> list[np.ndarray]:
    """A static scene with a little texture; returns the frames as OpenCV decodes them."""
    rng = np.random.default_rng(1)
    scene = (rng.integers(0, 255, (size[1] // 8, size[0] // 8, 3), dtype=np.uint8)
             .repeat(8, axis=0).repeat(8, axis=1))
    # FFV1 is lossless: the decoded frames are identical to the scene
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"FFV1"), fps, size)
    for _ in range(frames):
        writer.write(scene)
    writer.release()
    capture, decoded = cv2.VideoCapture(str(path)), list[np.ndarray]()
    while True:
        ok, frame = capture.read()
        if not ok:
            return decoded
        decoded.append(frame)
