"""Colours and sizes (pure): high contrast, large type, large touch targets.

Sizes are pixels on a 1080-pixel-high (landscape) or -wide (portrait) screen
and scale with the window. On a 15.6" 1080p panel 1 px ≈ 0.18 mm, so 15 mm is
about 84 px: every touch target here is at least TOUCH_MIN (96 px).
"""

from __future__ import annotations

REFERENCE_SHORT_SIDE = 1080

BODY = 34  # ≥ 28 px body text on a 1080p screen (the floor)
SMALL = 30
HEADING = 44
BUTTON = 40
HUGE_BUTTON = 60
TICKET_NUMBER = 240
TOUCH_MIN = 96
BAR = 120
CORNER_SEGMENTS = 4  # per rounded corner (Kivy's default is 10): every triangle costs in software GL

# Colours as RGBA 0..1. Text on each button colour has contrast ≥ 7:1 (WCAG AAA).
BACKGROUND = (0.96, 0.97, 0.98, 1)
TEXT = (0.07, 0.07, 0.09, 1)
MUTED = (0.22, 0.24, 0.28, 1)
WHITE = (1, 1, 1, 1)
BAR_BG = (0.04, 0.20, 0.38, 1)
PANEL = (1, 1, 1, 1)
BORDER = (0.55, 0.58, 0.62, 1)
BLUE = (0.05, 0.29, 0.58, 1)
GREEN = (0.04, 0.40, 0.18, 1)
ORANGE = (0.66, 0.26, 0.02, 1)
PURPLE = (0.33, 0.15, 0.50, 1)
GREY = (0.30, 0.32, 0.36, 1)
SELECTED = (0.85, 0.92, 1.0, 1)
ERROR_BG = (0.72, 0.07, 0.07, 1)
WARNING_BG = (1.0, 0.89, 0.55, 1)
OK_BG = (0.86, 0.95, 0.87, 1)

FACE_COLOURS = {
    "very_satisfied": (0.05, 0.50, 0.20, 1),
    "satisfied": (0.35, 0.60, 0.10, 1),
    "neutral": (0.85, 0.62, 0.0, 1),
    "dissatisfied": (0.78, 0.10, 0.10, 1),
}
"""The 4-level scale's faces, green to red."""

FACE_SMILE = {"very_satisfied": 1.0, "satisfied": 0.5, "neutral": 0.0, "dissatisfied": -0.8}
"""Mouth curvature of each face (+ smile, − frown)."""

FACE_LAUGHS = frozenset({"very_satisfied"})
"""Levels whose face laughs with an open mouth instead of a smiling line."""


def scale_for(width: int, height: int) -> float:
    """Size factor of a window relative to a 1080p screen."""
    return max(0.5, min(width, height) / REFERENCE_SHORT_SIDE)
