"""Make the sample lobby slides and a short video (``python -m display.sample_media``).

Offices replace them with their own files; these exist so the sample
config shows a working media zone. Drawn with Pillow and Kivy's Roboto
(Vietnamese-capable) so nothing binary has to come from elsewhere.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw

from .overlay import font_path

HERE = Path(__file__).resolve().parent.parent / "queue_server" / "offices" / "media"
"""Beside the sample offices that show them (they ship in the package with them)."""

SLIDES = {
    "vneid.png": ("Ứng dụng VNeID", ["Định danh điện tử mức 2", "Nộp hồ sơ trực tuyến không cần giấy tờ",
                                      "Tải VNeID trên điện thoại của bạn"], (0, 84, 166)),
    "dich-vu-cong.png": ("Cổng Dịch vụ công quốc gia", ["dichvucong.gov.vn",
                                                         "Nộp hồ sơ, theo dõi, thanh toán trực tuyến",
                                                         "Nhiều thủ tục làm toàn trình tại nhà"], (150, 20, 20)),
    "lay-so.png": ("Hướng dẫn lấy số thứ tự", ["1. Chọn lĩnh vực trên máy lấy số", "2. Giữ phiếu, chờ gọi số",
                                               "3. Đến đúng quầy khi số của bạn hiện lên"], (10, 110, 70)),
}


def make_slide(path: Path, title: str, lines: list[str], colour: tuple[int, int, int],
               size: tuple[int, int] = (1280, 720)) -> None:
    """One slide: a title band and a few large lines."""
    image = Image.new("RGB", size, (245, 245, 240))
    draw = ImageDraw.Draw(image)
    from PIL import ImageFont

    bold, regular = ImageFont.truetype(font_path(True), 64), ImageFont.truetype(font_path(False), 46)
    draw.rectangle((0, 0, size[0], 150), fill=colour)
    draw.text((size[0] // 2, 75), title, font=bold, fill=(255, 255, 255), anchor="mm")
    for index, line in enumerate(lines):
        draw.text((80, 240 + index * 120), line, font=regular, fill=(20, 30, 50))
    image.save(path, optimize=True)


def make_video(path: Path, seconds: float = 6.0, fps: int = 10, size: tuple[int, int] = (640, 360)) -> None:
    """A short, small WebM (VP9) video: a moving band and a caption (stands in for a procedure clip).

    VP9 in WebM because every Chromium (TV boxes, smart-TV browsers) and OpenCV play it;
    the MPEG-4 Part 2 (``mp4v``) OpenCV writes by default does not play in Chromium.
    """
    import cv2
    import numpy as np

    base = Image.new("RGB", size, (0, 84, 166))
    draw = ImageDraw.Draw(base)
    from PIL import ImageFont

    draw.text((size[0] // 2, size[1] // 2), "Nộp hồ sơ trực tuyến", font=ImageFont.truetype(font_path(True), 40),
              fill=(255, 255, 255), anchor="mm")
    frame0 = cv2.cvtColor(np.asarray(base), cv2.COLOR_RGB2BGR)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"VP90"), fps, size)
    for index in range(int(seconds * fps)):
        frame = frame0.copy()
        x = int(index / (seconds * fps) * size[0])
        frame[size[1] - 30:, :x] = (64, 214, 255)
        writer.write(frame)
    writer.release()


def main(out_dir: Path = HERE) -> None:
    """Write every sample file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, (title, lines, colour) in SLIDES.items():
        make_slide(out_dir / name, title, lines, colour)
    make_video(out_dir / "nop-truc-tuyen.webm")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
