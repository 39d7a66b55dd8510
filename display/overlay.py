"""Camera overlays: a strip with counter, field, ticket, counter state and date-time.

Recorded video can then be matched to tickets when a complaint comes in.
Only numbers, fields and states are drawn: never a citizen's personal data
(nor the clerk's free-text pause reason).

- ``overlay_info(state, counter)``: what the strip says (pure).
- ``StripRenderer``: draws the strip with Pillow and a Vietnamese font once
  per change (once a second at most), then blends it into each frame with
  integer numpy arithmetic (cheap enough for 1080p at 15+ fps on one core).
- ``overlay_png``: a transparent PNG of the strip for recorders that
  overlay images themselves.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .board import BoardState

STATE_LABELS = {
    "closed": "Quầy đóng",
    "idle": "Chờ gọi số",
    "calling": "Đang mời",
    "serving": "Đang phục vụ",
    "paused": "Tạm ngưng",
}
STRIP_SHARE = 0.065  # of the frame height: readable on a 720p recorder playback, covers little of the scene
STRIP_ALPHA = 190


@dataclass(frozen=True)
class OverlayInfo:
    """What one counter's strip says (no personal data)."""

    counter: int
    counter_name: str
    field: str
    state: str  # a key of STATE_LABELS
    ticket: str | None
    connected: bool = True


def _service_name(state: BoardState, code: str) -> str:
    """A field's name, or its code when the snapshot did not name it."""
    service = state.service(code)
    return service.name if service is not None else code


def overlay_info(state: BoardState, counter: int, connected: bool = True) -> OverlayInfo:
    """The strip's content for one counter from the board state."""
    row = state.counter(counter)
    if row is None:
        return OverlayInfo(counter, f"Quầy {counter}", "", "closed", None, connected)
    fields = " · ".join(_service_name(state, code) for code in row.services)
    status = row.state
    if status == "serving" and row.ticket_status == "called":
        status = "calling"
    return OverlayInfo(row.number, row.name, fields, status if status in STATE_LABELS else "idle",
                       row.ticket_number, connected)


def strip_text(info: OverlayInfo, moment: datetime) -> tuple[str, str, str]:
    """(left, middle, right) texts of the strip."""
    left = f"{info.counter_name.upper()} · {info.field}" if info.field else info.counter_name.upper()
    label = STATE_LABELS.get(info.state, info.state)
    middle = f"Số {info.ticket} · {label}" if info.ticket else label
    right = moment.strftime("%d/%m/%Y %H:%M:%S") + ("" if info.connected else " · mất kết nối")
    return left, middle, right


def font_path(bold: bool = False) -> str:
    """Kivy's Roboto: renders Vietnamese (Pillow's default font does not). Found without importing Kivy."""
    import importlib.util

    spec = importlib.util.find_spec("kivy")
    if spec is None or spec.origin is None:
        raise RuntimeError("Kivy (for its Roboto font) is not installed: pip install 'motcua[display]'")
    name = "Roboto-Bold.ttf" if bold else "Roboto-Regular.ttf"
    return str(Path(spec.origin).parent / "data" / "fonts" / name)


@lru_cache(maxsize=16)
def _font(size: int, bold: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_path(bold), size)


def render_strip(info: OverlayInfo, moment: datetime, width: int, height: int) -> Image.Image:
    """The strip as an RGBA image ``width`` × ``height``."""
    image = Image.new("RGBA", (width, height), (8, 20, 45, STRIP_ALPHA))
    draw = ImageDraw.Draw(image)
    left, middle, right = strip_text(info, moment)
    size = max(10, int(height * 0.56))
    regular, bold = _font(size, False), _font(size, True)
    pad = int(height * 0.4)
    y = height // 2
    draw.text((pad, y), left, font=bold, fill=(255, 255, 255, 255), anchor="lm")
    draw.text((width // 2 + pad, y), middle, font=bold, fill=(255, 214, 64, 255), anchor="lm")
    draw.text((width - pad, y), right, font=regular, fill=(255, 255, 255, 255), anchor="rm")
    return image


def overlay_png(info: OverlayInfo, moment: datetime, width: int = 1920, height: int = 1080) -> bytes:
    """A transparent full-frame PNG with the strip at the bottom."""
    frame = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    strip_height = strip_height_for(height)
    frame.paste(render_strip(info, moment, width, strip_height), (0, height - strip_height))
    out = io.BytesIO()
    frame.save(out, format="PNG")
    return out.getvalue()


def strip_height_for(frame_height: int) -> int:
    """The strip's height in pixels for a frame height."""
    return max(24, int(frame_height * STRIP_SHARE))


class StripRenderer:
    """Blends the strip into BGR frames; re-renders it only when its text changes."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.strip_height = strip_height_for(height)
        self._key: tuple | None = None
        self._fg: np.ndarray | None = None  # premultiplied colour, uint16
        self._inv_alpha: np.ndarray | None = None  # 256 - alpha, uint16
        self.renders = 0

    def apply(self, frame: np.ndarray, info: OverlayInfo, moment: datetime) -> np.ndarray:
        """Draw the strip at the bottom of ``frame`` (BGR, in place) and return it."""
        key = (info, strip_text(info, moment))
        if key != self._key:
            self._prepare(info, moment)
            self._key = key
        assert self._fg is not None and self._inv_alpha is not None  # _prepare has run for this key
        region = frame[self.height - self.strip_height:, :, :]
        blended = region.astype(np.uint16)
        blended *= self._inv_alpha
        blended += self._fg
        np.right_shift(blended, 8, out=blended)
        region[...] = blended
        return frame

    def _prepare(self, info: OverlayInfo, moment: datetime) -> None:
        strip = np.asarray(render_strip(info, moment, self.width, self.strip_height))
        alpha = strip[:, :, 3:4].astype(np.uint16)
        alpha = alpha + (alpha > 0)  # 0..256 so that opaque pixels keep their exact colour after >> 8
        bgr = strip[:, :, 2::-1].astype(np.uint16)
        self._fg = bgr * alpha
        self._inv_alpha = (256 - alpha).astype(np.uint16)
        self.renders += 1
