"""A ticket's status as the clerk, the board and the phone say it."""

from __future__ import annotations

from collections.abc import Mapping

STATUS_LABELS: Mapping[str, str] = {
    "waiting": "Đang chờ",
    "called": "Đã gọi",
    "serving": "Đang phục vụ",
    "done": "Đã xong",
    "no_show": "Vắng mặt",
    "transferred": "Đã chuyển quầy",
    "cancelled": "Đã hủy",
}
"""API ticket statuses (docs/api.md) in Vietnamese."""


def status_label(status: str) -> str:
    """The status in words; an unknown one as its code, so a new status shows rather than vanishes."""
    return STATUS_LABELS.get(status, status)


COUNTER_CLOSED_LABELS: Mapping[str, str] = {
    "not_opened": "Chưa mở quầy",  # no clerk has opened it yet today: someone may still come
    "closed_today": "Hôm nay nghỉ",  # the admin closed it for the day (/admin "Quầy hôm nay"): nobody will
}
"""What a lobby board shows for a closed counter, read from the back row (short: one line at 30 px)."""
