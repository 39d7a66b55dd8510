"""A QR code widget for the kiosk and the lobby board (its pairing screen's QR), crisp at any size.

Here, not in ``kiosk.widgets``, because the kiosk and the display may not
import each other (README, "Layers"); it needs only Kivy and ``qrcode``.
"""

from __future__ import annotations

import qrcode
from kivy.graphics import Color, Rectangle
from kivy.graphics.texture import Texture
from kivy.properties import StringProperty
from kivy.uix.widget import Widget


class QRCode(Widget):
    """A QR code of ``data``, crisp at any size (one texel per module, nearest filtering)."""

    data = StringProperty("")

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._texture: Texture | None = None
        self.bind(data=self._encode, pos=self.redraw, size=self.redraw)

    def _encode(self, *_args) -> None:
        self._texture = qr_texture(self.data) if self.data else None
        self.redraw()

    def redraw(self, *_args) -> None:
        """White square with the code inside."""
        self.canvas.clear()
        if self._texture is None:
            return
        side = min(self.width, self.height)
        x, y = self.center_x - side / 2, self.center_y - side / 2
        with self.canvas:
            Color(1, 1, 1, 1)
            Rectangle(pos=(x, y), size=(side, side), texture=self._texture)


def qr_matrix(data: str) -> list[list[bool]]:
    """The QR modules of ``data`` with a quiet zone (True = dark)."""
    code = qrcode.QRCode(border=3, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()


def qr_texture(data: str) -> Texture:
    """A small RGBA texture with one texel per module."""
    matrix = qr_matrix(data)
    n = len(matrix)
    pixels = bytearray()
    for row in reversed(matrix):  # textures start at the bottom row
        for dark in row:
            pixels += b"\x00\x00\x00\xff" if dark else b"\xff\xff\xff\xff"
    texture = Texture.create(size=(n, n), colorfmt="rgba")
    texture.blit_buffer(bytes(pixels), colorfmt="rgba", bufferfmt="ubyte")
    texture.mag_filter = "nearest"
    texture.min_filter = "nearest"
    return texture
