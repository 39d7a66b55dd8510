"""The boards' layout rule measured in Chromium: no text under 30 px, none cut off, none over another.

``text_problems(driver)`` runs ``text_layout.js`` in the page and returns one
sentence per breach (``[]`` when the screen keeps the rule).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

MIN_TEXT_PX = 30  # read from the back of a lobby, 5–10 m from a 1080p screen (issue 14.2)
MEASURE = (Path(__file__).with_name("text_layout.js")).read_text(encoding="utf-8")


def text_problems(driver: Any, min_px: float = MIN_TEXT_PX) -> list[str]:
    """Every text of the page that is too small, cut off by the screen or a clipping box, or on another."""
    return list(driver.execute_script(MEASURE, min_px))
