"""The ``[appointments]`` section of the office file, validated once into ``AppointmentSettings``.

Errors name the file, the key and the fix (``queue_server.config.ConfigError``).
Public holidays are computed for any year (``holidays.OfficeCalendar``); the
office's own closures (the Government's yearly bridge days, local closures) are
a TOML file (``closures_file``, formerly ``holidays_file``), resolved with
``config.resolve`` so a copied office file keeps pointing at the original.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

from ..config import CONFIG_DIR, ConfigError, OfficeConfig, optional
from .holidays import OfficeCalendar
from .slots import BookingRules, ServiceSlots, closed_reason

KEYS = {"enabled", "collect_phone", "services", "slot_minutes", "capacity", "morning", "afternoon",
        "saturday_morning", "closures_file", "holidays_file", "days_ahead", "min_notice_minutes",
        "checkin_before_minutes", "checkin_after_minutes", "result_service", "per_service", "bookings_per_minute",
        "bookings_per_address_per_day", "bookings_per_phone_per_day"}
HOURS = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})$")

# The sample calendar listed every holiday of 2026–2027; public holidays are now computed (issue 12)
# and it became closures.toml. An office file still naming the old one gets the new one.
RENAMED_CALENDARS = {"holidays_vn_2026.toml": "closures.toml"}


@dataclass(frozen=True)
class AppointmentSettings:
    """Everything the appointments part reads from the office file."""

    enabled: bool
    collect_phone: bool
    rules: BookingRules
    result_service: str
    bookings_per_minute: int
    # One address (or phone) may hold this many live bookings of one day: one person booked a day out (issue 17).
    bookings_per_address_per_day: int = 2
    bookings_per_phone_per_day: int = 2

    def closed_reason(self, day: date) -> str | None:
        """Why the office takes no bookings on ``day`` (holiday, bridge day, closure, weekend), or None."""
        return closed_reason(self.rules, day)


def load_settings(config: OfficeConfig) -> AppointmentSettings:
    """Validate ``[appointments]`` (defaults when the section is absent)."""
    path, table = config.path, config.section("appointments")
    for name in table:
        if name not in KEYS:
            raise ConfigError(path, f"appointments.{name}", f"unknown key; valid keys here: {', '.join(sorted(KEYS))}")
    office = config.office
    codes = [s.code for s in office.services]
    booked = optional(path, "appointments.services", table, list, codes)
    for code in booked:
        if code not in codes:
            raise ConfigError(path, "appointments.services", f"unknown service {code!r} (known: {', '.join(codes)})")
    default = ServiceSlots(_positive(path, table, "slot_minutes", 30), _positive(path, table, "capacity", 2))
    per_service = optional(path, "appointments.per_service", table, dict, {})
    services = {}
    for code in booked:
        own = per_service.get(code, {})
        key = f"appointments.per_service.{code}"
        if not isinstance(own, dict):
            raise ConfigError(path, key, "expected a table, e.g. { slot_minutes = 20, capacity = 3 }")
        services[code] = ServiceSlots(_positive(path, own, "slot_minutes", default.slot_minutes, key),
                                      _positive(path, own, "capacity", default.capacity, key))
    for code in per_service:
        if code not in booked:
            raise ConfigError(path, f"appointments.per_service.{code}", "this service is not in appointments.services")
    morning = _hours(path, table, "morning", "07:30-11:30")
    afternoon = _hours(path, table, "afternoon", "13:30-17:00")
    if afternoon[0] < morning[1]:
        raise ConfigError(path, "appointments.afternoon",
                          "the afternoon must start after the morning ends (lunch break)")
    closures_key, closures_file = _closures_file(path, table)
    closures = load_closures(holidays_path(config, closures_file), closures_key) if closures_file else {}
    rules = BookingRules(
        services=services, morning=morning, afternoon=afternoon,
        saturday_morning=optional(path, "appointments.saturday_morning", table, bool, False),
        holidays=OfficeCalendar(closures),
        days_ahead=_positive(path, table, "days_ahead", 14),
        min_notice_minutes=_non_negative(path, table, "min_notice_minutes", 0),
        checkin_before_minutes=_non_negative(path, table, "checkin_before_minutes", 15),
        checkin_after_minutes=_non_negative(path, table, "checkin_after_minutes", 15),
    )
    return AppointmentSettings(
        enabled=optional(path, "appointments.enabled", table, bool, True),
        collect_phone=optional(path, "appointments.collect_phone", table, bool, False),
        rules=rules,
        result_service=optional(path, "appointments.result_service", table, str, "KQ"),
        bookings_per_minute=_positive(path, table, "bookings_per_minute", 20),
        bookings_per_address_per_day=_positive(path, table, "bookings_per_address_per_day", 2),
        bookings_per_phone_per_day=_positive(path, table, "bookings_per_phone_per_day", 2),
    )


def _closures_file(path: Path, table: Mapping[str, Any]) -> tuple[str, str]:
    """The key naming the closures file and the name: ``closures_file``, or its older name ``holidays_file``."""
    closures = optional(path, "appointments.closures_file", table, str, "")
    legacy = optional(path, "appointments.holidays_file", table, str, "")
    if closures and legacy:
        raise ConfigError(path, "appointments.holidays_file",
                          "give only closures_file (holidays_file is its old name); remove holidays_file")
    if legacy:
        return "appointments.holidays_file", legacy
    return "appointments.closures_file", closures


def holidays_path(config: OfficeConfig, name: str) -> Path:
    """The closures file: next to the office file (``config.resolve``), else a calendar shipped in config/.

    A copy of the sample office elsewhere (tests, a new office starting from
    the sample) keeps finding the shipped calendar, also under its old name;
    a name found nowhere is a ConfigError when the server starts.
    """
    path = config.resolve(name)
    if path.exists():
        return path
    for shipped_name in (name, RENAMED_CALENDARS.get(name)):
        if shipped_name is None:
            continue
        shipped = (CONFIG_DIR / shipped_name).resolve()
        if shipped.parent == CONFIG_DIR.resolve() and shipped.exists():
            return shipped
    return path


def load_closures(path: Path, key: str = "appointments.closures_file") -> dict[date, str]:
    """The office's own days off: ``[[closures]]`` (or the older ``[[holidays]]``), ``date`` or ``from``/``to``,
    ``name``.

    ``key`` is the office file's key that named this file (for the error).
    """
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError:
        raise ConfigError(path, key,
                          "cannot read this closures calendar; "
                          "fix the file name (relative to the office file)") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, "(syntax)", f"{exc}; fix the TOML syntax there") from None
    days: dict[date, str] = {}
    entries = [(f"{table}[{index}]", entry) for table in ("holidays", "closures")
               for index, entry in enumerate(raw.get(table, []))]
    for where, entry in entries:
        name = unicodedata.normalize("NFC", optional(path, f"{where}.name", entry, str, "Ngày nghỉ"))
        first = entry.get("date", entry.get("from"))
        last = entry.get("to", first)
        if not isinstance(first, date) or not isinstance(last, date) or last < first:
            raise ConfigError(path, where, "give date = 2026-01-01, or from = … and to = … (TOML dates, from ≤ to)")
        day = first
        while day <= last:
            days[day] = name
            day += timedelta(days=1)
    return days


load_holidays = load_closures
"""The old name of ``load_closures``."""


def _positive(path: Path, table: Mapping[str, Any], name: str, default: int, where: str = "appointments") -> int:
    value = optional(path, f"{where}.{name}", table, int, default)
    if value < 1:
        raise ConfigError(path, f"{where}.{name}", "must be 1 or more")
    return value


def _non_negative(path: Path, table: Mapping[str, Any], name: str, default: int) -> int:
    value = optional(path, f"appointments.{name}", table, int, default)
    if value < 0:
        raise ConfigError(path, f"appointments.{name}", "must be 0 or more")
    return value


def _hours(path: Path, table: Mapping[str, Any], name: str, default: str) -> tuple[time, time]:
    text = optional(path, f"appointments.{name}", table, str, default)
    found = HOURS.match(text.strip())
    try:
        assert found
        opens = time(int(found.group(1)), int(found.group(2)))
        closes = time(int(found.group(3)), int(found.group(4)))
    except (AssertionError, ValueError):
        raise ConfigError(path, f"appointments.{name}", f"{text!r}: write hours as \"07:30-11:30\"") from None
    if closes <= opens:
        raise ConfigError(path, f"appointments.{name}", f"{text!r}: the end must be after the start")
    return opens, closes
