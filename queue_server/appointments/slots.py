"""Booking rules in plain Python: which slots a day has, which bookings are allowed, check-in windows.

No clock, database or file here: the office's rules and ``now`` come in as
arguments, times are the office's local wall-clock times (naive ``datetime``
values in the office's time zone), so the rules read like the office's notice
board ("sáng 7:30–11:30, chiều 13:30–17:00").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Protocol

MONDAY, FRIDAY, SATURDAY = 0, 4, 5

ON_TIME = "on_time"
EARLY = "early"
LATE = "late"
OTHER_DAY = "other_day"


@dataclass(frozen=True)
class ServiceSlots:
    """How one service takes bookings: slot length and people per slot."""

    slot_minutes: int = 30
    capacity: int = 2


class HolidayCalendar(Protocol):
    """Names the day off a date is; ``holidays.OfficeCalendar`` computes public holidays for any year."""

    def holiday_name(self, day: date) -> str | None:
        """The holiday's name, or None on a working day."""
        ...


@dataclass(frozen=True)
class BookingRules:
    """An office's booking calendar: hours, lunch break, holidays, Saturday mornings, check-in window."""

    services: Mapping[str, ServiceSlots]
    morning: tuple[time, time] = (time(7, 30), time(11, 30))
    afternoon: tuple[time, time] = (time(13, 30), time(17, 0))
    saturday_morning: bool = False
    # A calendar (any year), or a plain {date: name} of days off.
    holidays: HolidayCalendar | Mapping[date, str] = field(default_factory=dict)
    days_ahead: int = 14
    # Bookings close this long before the slot, so the counter knows who comes.
    min_notice_minutes: int = 0
    checkin_before_minutes: int = 15
    checkin_after_minutes: int = 15
    # Weekend days the Government swapped into full working days (làm bù), set by the admin.
    working_days: frozenset[date] = frozenset()


class BookingRefused(Exception):
    """A booking the rules do not allow; ``code`` is stable, ``message`` is plain Vietnamese."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def holiday_name(rules: BookingRules, day: date) -> str | None:
    """The holiday (or office closure) ``day`` is, or None."""
    if isinstance(rules.holidays, Mapping):
        return rules.holidays.get(day)
    return rules.holidays.holiday_name(day)


def closed_reason(rules: BookingRules, day: date) -> str | None:
    """Why the office takes no bookings that day (holiday, weekend), or None when it is open.

    The one answer to "is this day closed, and why": slots, bookings, the
    booking page and the API all ask here.
    """
    holiday = holiday_name(rules, day)
    if holiday is not None:
        return f"Ngày {day:%d/%m/%Y} là ngày nghỉ ({holiday}); xin chọn ngày khác."
    if day in rules.working_days:
        return None
    weekday = day.weekday()
    if weekday == SATURDAY and rules.saturday_morning:
        return None
    if weekday > FRIDAY:
        name = "thứ Bảy" if weekday == SATURDAY else "Chủ nhật"
        return f"Ngày {day:%d/%m/%Y} là {name}, cơ quan không làm việc; xin chọn ngày khác."
    return None


def opening_periods(rules: BookingRules, day: date) -> list[tuple[time, time]]:
    """The day's working periods (the gap between them is the lunch break)."""
    if closed_reason(rules, day) is not None:
        return []
    if day.weekday() == SATURDAY and day not in rules.working_days:
        return [rules.morning]
    return [rules.morning, rules.afternoon]


def day_slots(rules: BookingRules, service: str, day: date) -> list[datetime]:
    """Start times of a service's slots on a day; a slot never runs into lunch or closing time."""
    slots_of = rules.services.get(service)
    if slots_of is None:
        return []
    length = timedelta(minutes=slots_of.slot_minutes)
    starts: list[datetime] = []
    for opens, closes in opening_periods(rules, day):
        moment, end = datetime.combine(day, opens), datetime.combine(day, closes)
        while moment + length <= end:
            starts.append(moment)
            moment += length
    return starts


def check_booking(rules: BookingRules, service: str, slot: datetime, now: datetime) -> None:
    """Raise BookingRefused when a citizen may not book this slot now (``now`` local, naive)."""
    if service not in rules.services:
        known = ", ".join(rules.services) or "không có"
        raise BookingRefused("unknown_service", f"Lĩnh vực '{service}' không nhận đặt lịch; chọn một trong: {known}.")
    if slot.date() < now.date():
        raise BookingRefused("past_date", f"Ngày {slot:%d/%m/%Y} đã qua; xin chọn ngày từ hôm nay trở đi.")
    last_day = now.date() + timedelta(days=rules.days_ahead)
    if slot.date() > last_day:
        raise BookingRefused("too_far_ahead",
                             f"Chỉ đặt lịch trước tối đa {rules.days_ahead} ngày (đến {last_day:%d/%m/%Y}).")
    reason = closed_reason(rules, slot.date())
    if reason is not None:
        raise BookingRefused("office_closed", reason)
    if slot not in day_slots(rules, service, slot.date()):
        raise BookingRefused("unknown_slot",
                             f"Không có khung giờ {slot:%H:%M} ngày {slot:%d/%m/%Y}; xin chọn giờ trong danh sách.")
    if slot - timedelta(minutes=rules.min_notice_minutes) <= now:
        raise BookingRefused("past_slot", f"Khung giờ {slot:%H:%M} đã qua hoặc sắp bắt đầu; xin chọn giờ muộn hơn.")


def checkin_window(rules: BookingRules, slot: datetime) -> tuple[datetime, datetime]:
    """From when until when a booking gives an appointment ticket (both ends included)."""
    return (slot - timedelta(minutes=rules.checkin_before_minutes),
            slot + timedelta(minutes=rules.checkin_after_minutes))


def checkin_verdict(rules: BookingRules, slot: datetime, now: datetime) -> str:
    """``on_time`` inside the window, ``early`` before it, ``late`` after it the same day, ``other_day``."""
    if now.date() != slot.date():
        return OTHER_DAY
    opens, closes = checkin_window(rules, slot)
    if now < opens:
        return EARLY
    if now > closes:
        return LATE
    return ON_TIME
