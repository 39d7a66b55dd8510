"""An estimated wait in words: the same promise on the screen, the paper, the phone and the console."""

from __future__ import annotations

import math

NBSP = "\u00a0"


def wait_minutes(seconds: float) -> int:
    """The minutes promised for ``seconds``: rounded up, and up to a multiple of 5 beyond 10 minutes.

    "25 phút" is a promise kept more often than "23 phút", and nobody plans
    their morning to the minute; under 10 minutes the exact figure helps.
    """
    minutes = max(1, math.ceil(seconds / 60))
    return minutes if minutes <= 10 else math.ceil(minutes / 5) * 5


def wait_text(seconds: float | None, *, about: bool = True, nbsp: bool = False) -> str:
    """"dưới 1 phút", "khoảng 8 phút", "khoảng 1 giờ 20 phút"; '' when there is no estimate.

    ``about=False`` drops "khoảng" where a label already says it; ``nbsp``
    joins the words so a printed line never breaks inside "1 giờ 20 phút".
    """
    if seconds is None:
        return ""
    if seconds < 60:
        text = "dưới 1 phút"
    else:
        hours, minutes = divmod(wait_minutes(seconds), 60)
        parts = ([f"{hours} giờ"] if hours else []) + ([f"{minutes} phút"] if minutes else [])
        text = ("khoảng " if about else "") + " ".join(parts)
    return text.replace(" ", NBSP) if nbsp else text
