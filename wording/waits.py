"""An estimated wait in words: the same promise on the screen, the paper, the phone and the console."""

from __future__ import annotations

import math
from datetime import datetime

NBSP = "\u00a0"
WAIT_NOTES = {
    "after_break": "Sau giờ nghỉ trưa, khoảng {at}",
    "before_opening": "Khi mở cửa, khoảng {at}",
    "may_miss_today": "Có thể không kịp phục vụ hôm nay",
}
"""What is promised instead of minutes, by the API's ``wait_note``: minutes across the lunch break or
the night are no promise, the hour of the likely call is; near closing, the truth."""


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


def wait_promise(seconds: float | None, note: str | None = None, expected_call_at: str | datetime | None = None,
                 *, about: bool = True, nbsp: bool = False) -> str:
    """The wait as the ticket promises it: ``wait_text``, or the note the API gives beside it.

    "Sau giờ nghỉ trưa, khoảng 13:40" (``expected_call_at``, office time, as ISO text or datetime),
    "Có thể không kịp phục vụ hôm nay"; an unknown note or a missing time falls back to the minutes.
    """
    template = WAIT_NOTES.get(note or "")
    call = datetime.fromisoformat(expected_call_at) if isinstance(expected_call_at, str) else expected_call_at
    if template is None or ("{at}" in template and call is None):
        return wait_text(seconds, about=about, nbsp=nbsp)
    text = template.format(at=f"{call.hour:02d}:{call.minute:02d}" if call else "")
    # A note is a sentence and may wrap on paper; only "khoảng 13:40" must stay on one line.
    return text.replace("khoảng ", "khoảng" + NBSP) if nbsp else text
