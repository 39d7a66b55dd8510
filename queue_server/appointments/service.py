"""What the booking API and the booking pages share: settings, today's date, slots, booking, procedures.

Both ``api`` (JSON) and ``pages`` (HTML forms) import this module; neither
imports the other's helpers.
"""

from __future__ import annotations

import logging
import threading
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, request

from ..catalog.api import current_catalog
from ..catalog.model import Procedure
from ..core import views
from ..core.office import Office
from ..web.context import engine, read_conn
from ..web.errors import ApiError
from ..web.rate_limit import RateLimiter
from . import booking, office_calendar, store
from .settings import AppointmentSettings
from .slots import closed_reason, day_slots

log = logging.getLogger(__name__)


EFFECTIVE = "motcua.appointments_effective"


def settings() -> AppointmentSettings:
    """This office's [appointments] settings with the admin's days off, làm bù days and hours laid over them."""
    found = current_app.extensions.get(EFFECTIVE)
    if found is None:
        found = current_app.extensions[EFFECTIVE] = office_calendar.effective(
            current_app.extensions["motcua.appointments"], read_conn())
    return found


def forget_calendar() -> None:
    """The admin changed a day or the hours: the next request reads them again."""
    current_app.extensions.pop(EFFECTIVE, None)


def local_today() -> date:
    """Today in the office's time zone (by the engine's clock, which tests set)."""
    office = engine().office
    return engine().clock().astimezone(ZoneInfo(office.timezone)).date()


def slots_of_day(found: AppointmentSettings, service: str, day: date) -> dict[str, Any]:
    """A day's slots of a service with the seats left and whether each can still be booked."""
    office = engine().office
    now = booking.local_now(engine().clock(), office.timezone)
    taken = store.taken_seats(read_conn(), service, day.isoformat())
    blocks = store.blocks_of_day(read_conn(), day.isoformat(), service)
    capacity = found.rules.services[service].capacity
    zone = ZoneInfo(office.timezone)
    slots = []
    for start in day_slots(found.rules, service, day):
        key = start.strftime(booking.SLOT_FORMAT)
        free = max(0, capacity - taken.get(key, 0))
        block = store.block_for(blocks, key)
        slots.append({"start": key, "at": start.replace(tzinfo=zone).isoformat(timespec="seconds"),
                      "time": f"{start:%H:%M}", "capacity": capacity, "free": free,
                      "blocked": block["reason"] if block else None,
                      "bookable": free > 0 and block is None
                      and start - timedelta(minutes=found.rules.min_notice_minutes) > now})
    whole_day = next((b for b in blocks if b["slot_start"] is None), None)
    closed = closed_reason(found.rules, day) or (
        f"Ngày {day:%d/%m/%Y} cơ quan không nhận đặt lịch ({whole_day['reason']}); xin chọn ngày khác."
        if whole_day else None)
    return {"closed": closed, "slots": slots}


def field_name(office: Office, code: str) -> str:
    """A booked field's name: load_settings takes only the office's own fields, so the office has it."""
    service = office.service(code)
    if service is None:
        raise KeyError(f"{code} is not a field of {office.name}")
    return service.name


def kept_phone(found: AppointmentSettings, raw: str | None) -> str | None:
    """The phone number to keep with a booking: normalised, or None when the office does not collect it."""
    if not found.collect_phone or not raw:
        return None  # never kept when the office does not ask for it
    return booking.normalize_phone(raw)


def book(found: AppointmentSettings, service: str, slot: datetime, phone: str | None,
         procedure: str | None = None, form_nonce: str | None = None) -> dict[str, Any]:
    """Book a seat for this request's address (rate-limited); a refusal that looks like a flood is counted."""
    address = request.remote_addr or "unknown"
    limiter: RateLimiter = current_app.extensions["motcua.booking_limiter"]
    try:
        if not limiter.allow(f"book:{address}"):
            raise ApiError(429, "too_many_bookings", "Quá nhiều lượt đặt lịch từ một máy; xin đợi một phút.")
        command = booking.book_command(found, service, slot, phone, procedure=procedure, address=address,
                                       form_nonce=form_nonce)
        return engine().execute(command, actor="booking")
    except ApiError as exc:
        if exc.code in FLOOD_CODES:
            floods().record(local_today(), address, exc.code, engine().clock())
        raise


FLOOD_CODES = ("too_many_bookings", *booking.LIMIT_CODES)
"""Refusals that mean one address is booking far more than a citizen does."""
FLOOD_REFUSALS, FLOOD_ADDRESSES = 20, 5
"""A day with this many refused bookings, or refusals from this many addresses, is a flood."""


class BookingFloods:
    """Refused bookings per day and address, for the admin (kept in memory: a flood is news of today)."""

    def __init__(self) -> None:
        self._days: dict[date, dict[str, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def record(self, day: date, address: str, code: str, at: datetime) -> None:
        """Count one refusal and say so in the log (once per address, code and day)."""
        with self._lock:
            for old in [d for d in self._days if d < day]:
                del self._days[old]
            entry = self._days.setdefault(day, {}).setdefault(address, {"refused": 0, "codes": {}, "last_at": at})
            entry["refused"] += 1
            entry["last_at"] = at
            entry["codes"][code] = entry["codes"].get(code, 0) + 1
            first = entry["codes"][code] == 1
        if first:
            log.warning("online bookings refused for %s (%s): one address is booking a lot, "
                        "see GET /api/appointments/flood", address, code)

    def flooding(self, day: date) -> bool:
        """Whether today looks like a booking flood: many refusals, or refusals from many addresses.

        Then the booking page asks a small sum before it books (a script that
        changes address still has to read and answer it on every booking).
        """
        with self._lock:
            entries = self._days.get(day, {})
            return (sum(e["refused"] for e in entries.values()) >= FLOOD_REFUSALS
                    or len(entries) >= FLOOD_ADDRESSES)

    def view(self, day: date, office: Office) -> list[dict[str, Any]]:
        """The day's addresses, most refused first."""
        with self._lock:
            entries = sorted(self._days.get(day, {}).items(), key=lambda item: -item[1]["refused"])
            return [{"address": address, "refused": e["refused"], "codes": dict(e["codes"]),
                     "last_refused_at": views.local_iso(e["last_at"], office)} for address, e in entries]


def floods() -> BookingFloods:
    """This app's flood counter (made on first use)."""
    return current_app.extensions.setdefault("motcua.booking_floods", BookingFloods())


def find_procedure(code: str | None) -> Procedure | None:
    """The catalogue's procedure with this code (None when no code is given); 404 when unknown."""
    if not code or not code.strip():
        return None
    procedure = current_catalog().index.get(code.strip())
    if procedure is None:
        raise ApiError(404, "unknown_procedure", f"Không có thủ tục mã {code.strip()}; xin chọn lĩnh vực.")
    return procedure


def page_procedure(code: str) -> dict[str, str] | None:
    """A procedure chosen in the catalogue (``?procedure=1.001193``) whose field takes bookings, or None."""
    try:
        procedure = find_procedure(code[:32])
    except ApiError:
        return None
    if procedure is None or procedure.service is None or procedure.service not in settings().rules.services:
        return None
    return {"code": procedure.code, "name": procedure.name, "service": procedure.service}
