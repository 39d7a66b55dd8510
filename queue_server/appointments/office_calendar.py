"""The booking calendar as the admin changes it on /admin (issue 15.1), over the office file's defaults.

Offices learn of a bridge day, a local closure or a swapped working Saturday
(làm bù) weeks ahead, by an official letter; nobody at a commune edits TOML.
The admin's days and hours live in the database and are laid over
``[appointments]`` here: the effective settings every booking reads.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, time
from typing import Any

from .holidays import OfficeCalendar
from .settings import AppointmentSettings
from .slots import FRIDAY

HOURS_KEY = "appointments_hours"
HOURS = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")
CLOSED, WORKING = "closed", "working"


class CalendarRefused(ValueError):
    """A change the calendar cannot take: stable code, Vietnamese message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def office_days(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every day the admin closed or opened, in date order."""
    rows = conn.execute("SELECT day, kind, name, created_by FROM office_days ORDER BY day")
    return [{"date": d, "kind": k, "name": n, "by": b} for d, k, n, b in rows]


def saved_hours(conn: sqlite3.Connection) -> dict[str, Any] | None:
    """The admin's hours ({"morning", "afternoon", "saturday_morning"}), or None to keep the office file's."""
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (HOURS_KEY,)).fetchone()
    return json.loads(row[0]) if row else None


def effective(base: AppointmentSettings, conn: sqlite3.Connection) -> AppointmentSettings:
    """The office file's settings with the admin's days and hours laid over them."""
    days = office_days(conn)
    closed = {date.fromisoformat(d["date"]): d["name"] for d in days if d["kind"] == CLOSED}
    working = frozenset(date.fromisoformat(d["date"]) for d in days if d["kind"] == WORKING)
    rules = base.rules
    holidays = rules.holidays
    if isinstance(holidays, OfficeCalendar):
        holidays = replace(holidays, closures={**holidays.closures, **closed})
    elif isinstance(holidays, Mapping):
        holidays = {**holidays, **closed}
    hours = saved_hours(conn)
    rules = replace(rules, holidays=holidays, working_days=working)
    if hours:
        rules = replace(rules, morning=parse_hours(hours["morning"]), afternoon=parse_hours(hours["afternoon"]),
                        saturday_morning=bool(hours["saturday_morning"]))
    return replace(base, rules=rules)


def parse_hours(text: Any) -> tuple[time, time]:
    """"07:30-11:30" → (07:30, 11:30); CalendarRefused otherwise."""
    found = HOURS.match(str(text or "").strip())
    try:
        assert found
        opens, closes = (time(int(found.group(1)), int(found.group(2))),
                         time(int(found.group(3)), int(found.group(4))))
    except (AssertionError, ValueError):
        raise CalendarRefused("invalid_hours", f"Giờ \"{text}\" không đúng; xin viết dạng 07:30-11:30.") from None
    if closes <= opens:
        raise CalendarRefused("invalid_hours", f"Giờ \"{text}\": giờ kết thúc phải sau giờ bắt đầu.")
    return opens, closes


def check_hours(body: Mapping[str, Any]) -> dict[str, Any]:
    """The admin's hours, checked: a morning, a later afternoon, whether Saturday mornings are worked."""
    morning, afternoon = parse_hours(body.get("morning")), parse_hours(body.get("afternoon"))
    if afternoon[0] < morning[1]:
        raise CalendarRefused("invalid_hours", "Buổi chiều phải bắt đầu sau khi buổi sáng kết thúc (giờ nghỉ trưa).")
    saturday = body.get("saturday_morning", False)
    if not isinstance(saturday, bool):
        raise CalendarRefused("invalid_hours", '"saturday_morning" phải là true hoặc false.')
    return {"morning": f"{morning[0]:%H:%M}-{morning[1]:%H:%M}",
            "afternoon": f"{afternoon[0]:%H:%M}-{afternoon[1]:%H:%M}", "saturday_morning": saturday}


def save_hours(conn: sqlite3.Connection, hours: Mapping[str, Any]) -> None:
    conn.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
                 "excluded.value", (HOURS_KEY, json.dumps(dict(hours))))


def check_day(body: Mapping[str, Any]) -> tuple[date, str, str]:
    """A day to close (with its reason) or a weekend day to open as a working day (làm bù)."""
    try:
        day = date.fromisoformat(str(body.get("date") or ""))
    except ValueError:
        raise CalendarRefused("invalid_date", "Ngày không hợp lệ; chọn ngày dạng 2027-02-13.") from None
    kind = body.get("kind")
    if kind not in (CLOSED, WORKING):
        raise CalendarRefused("invalid_day", '"kind" phải là "closed" (nghỉ) hoặc "working" (làm bù).')
    name = " ".join(str(body.get("name") or "").split())[:120]
    if kind == WORKING and day.weekday() <= FRIDAY:
        raise CalendarRefused("invalid_day", f"Ngày {day:%d/%m/%Y} đã là ngày làm việc; chỉ thứ Bảy hoặc Chủ nhật "
                                             "mới cần khai báo làm bù.")
    if kind == CLOSED and not name:
        raise CalendarRefused("invalid_day", "Xin ghi lý do nghỉ (ví dụ: nghỉ bù Tết theo thông báo của tỉnh).")
    return day, kind, name or "Làm bù"


def save_day(conn: sqlite3.Connection, day: date, kind: str, name: str, by: str, at: str) -> int:
    """Close or open a day (replacing an earlier choice for it); returns the live bookings already on it."""
    conn.execute("INSERT OR REPLACE INTO office_days (day, kind, name, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
                 (day.isoformat(), kind, name, at, by))
    return int(conn.execute("SELECT COUNT(*) FROM appointments WHERE day = ? AND status = 'booked'",
                            (day.isoformat(),)).fetchone()[0])


def delete_day(conn: sqlite3.Connection, day: date) -> bool:
    return conn.execute("DELETE FROM office_days WHERE day = ?", (day.isoformat(),)).rowcount > 0
