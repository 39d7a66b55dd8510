"""Dates and times the way Vietnamese offices write them: dd/mm/yyyy, 24-hour clock, "Thứ Hai"."""

from __future__ import annotations

from datetime import date, datetime, time

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
"""Monday first, as ``date.weekday()`` counts; "Chủ nhật" as the Từ điển tiếng Việt writes it."""


def weekday_name(day: date) -> str:
    """"Thứ Hai" … "Chủ nhật"."""
    return WEEKDAYS[day.weekday()]


def date_text(day: date) -> str:
    """"02/03/2026"."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def long_date_text(day: date) -> str:
    """"Thứ Hai, 02/03/2026": the lobby clock and the booking pages."""
    return f"{weekday_name(day)}, {date_text(day)}"


def time_text(moment: datetime | time) -> str:
    """"09:05" (24-hour clock; the office's local time is the caller's business)."""
    return f"{moment.hour:02d}:{moment.minute:02d}"
