"""The Vietnamese-capable TrueType fonts the ticket is drawn with.

Pillow's built-in font has no Vietnamese glyphs (it prints boxes), so the
ticket uses Roboto Regular and Bold, shipped in ``printers/fonts/`` with
their Apache-2.0 licence (``LICENSE-Roboto.txt``). They are found with
``importlib.resources``, so printing needs neither Kivy nor a system font.
"""

from __future__ import annotations

import atexit
from contextlib import ExitStack
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

from PIL import ImageFont

REGULAR = "Roboto-Regular.ttf"
BOLD = "Roboto-Bold.ttf"

_extracted = ExitStack()  # a zipped install extracts each font once, removed at exit
atexit.register(_extracted.close)


class FontNotFound(RuntimeError):
    """A bundled font file is missing from the installed package."""


@cache
def font_path(name: str) -> Path:
    """The file of a bundled font (``REGULAR`` or ``BOLD``), as a real path FreeType can open."""
    resource = resources.files("printers") / "fonts" / name
    if not resource.is_file():
        raise FontNotFound(f"font {name} is missing from printers/fonts/: reinstall motcua")
    # For a normal install this is the file itself; only a zipped package is extracted.
    return Path(_extracted.enter_context(resources.as_file(resource)))


@lru_cache(maxsize=64)
def load_font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """Roboto at a pixel size, cached (loading a TTF costs more than drawing a ticket)."""
    # Text is NFC, so every Vietnamese letter is one precomposed glyph and the basic
    # layout engine suffices; it measures several times faster than Raqm.
    return ImageFont.truetype(str(font_path(BOLD if bold else REGULAR)), size, layout_engine=ImageFont.Layout.BASIC)
