"""Make every frame cheaper for a PC that renders OpenGL in software (Mesa llvmpipe).

The kiosk often runs on a cheap PC without a GPU driver, where every pixel of
every frame is shaded by the CPU: a 1080p frame of the search screen cost about
48 ms there (measured with ``bench/kiosk.py``). Most of a frame's pixels are
flat shapes and text drawn 1:1, and linear texture filtering is the costliest
part of shading them while it changes nothing visible at 1:1 (text lands on
whole pixels, flat shapes sample a plain white texture). Nearest filtering for
those two kinds of texture saved 7–10 ms a frame (about 20 %) on this machine.
Pictures that are scaled (logos, photos, guide images) keep linear filtering.
"""

from __future__ import annotations

from typing import Any

_patched = False


def tune_for_software_rendering() -> None:
    """Nearest filtering for the plain white texture of flat shapes and for all text; idempotent."""
    global _patched
    from kivy.graphics import Rectangle
    from kivy.uix.label import Label

    _nearest(Rectangle().texture)  # a shape without a texture samples this shared default one
    if _patched:
        return
    _patched = True
    original = Label.texture_update

    def texture_update(self: Label, *args: Any) -> None:
        original(self, *args)
        _nearest(self.texture)

    Label.texture_update = texture_update


def _nearest(texture: Any) -> None:
    if texture is not None and texture.mag_filter != "nearest":
        texture.min_filter = "nearest"
        texture.mag_filter = "nearest"
