"""The Vietnamese-capable TrueType fonts the ticket is drawn with.

Pillow's built-in font has no Vietnamese glyphs (it prints boxes), so the
ticket uses Roboto as shipped inside Kivy's wheel (``kivy/data/fonts``),
which the kiosk already depends on. It is found without importing Kivy,
which would start Kivy's logging and configuration.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

REGULAR = "Roboto-Regular.ttf"
BOLD = "Roboto-Bold.ttf"


class FontNotFound(RuntimeError):
    """No Vietnamese-capable font is installed (install motcua[printer])."""


def kivy_font_dir() -> Path | None:
    """Kivy's bundled font folder, or None when Kivy is not installed."""
    spec = importlib.util.find_spec("kivy")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0]) / "data" / "fonts"
    return folder if folder.is_dir() else None


@lru_cache(maxsize=None)
def font_path(name: str) -> Path:
    """The file of a bundled font (``REGULAR`` or ``BOLD``)."""
    folder = kivy_font_dir()
    if folder is not None and (folder / name).is_file():
        return folder / name
    raise FontNotFound(f"font {name} not found: install motcua[printer] (it brings Kivy's Roboto)")


@lru_cache(maxsize=64)
def load_font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """Roboto at a pixel size, cached (loading a TTF costs more than drawing a ticket)."""
    # Text is NFC, so every Vietnamese letter is one precomposed glyph and the basic
    # layout engine suffices; it measures several times faster than Raqm.
    return ImageFont.truetype(str(font_path(BOLD if bold else REGULAR)), size, layout_engine=ImageFont.Layout.BASIC)
