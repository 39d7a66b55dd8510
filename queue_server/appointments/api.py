"""Appointments over HTTP: slots, booking, cancelling, check-in, result-return tickets.

Routes parse input, run one command in the engine's writer (see ``booking``)
and answer. The booking pages (``/dat-lich``) live in ``pages``, a blueprint
nested in this one.
"""

from __future__ import annotations

import logging
import threading
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, jsonify, request

from ..core import views
from ..web.context import engine, read_conn
from ..web.rate_limit import RateLimiter
from ..web.request_input import field, json_body, with_status_link
from ..web.sessions import require, require_counter_clerk
from ..web.errors import ApiError
from ..web.idempotent import idempotency_key, issue_once
from . import booking, store
from .settings import AppointmentSettings, load_settings
from .slots import closed_reason, day_slots

bp = Blueprint("appointments", __name__)
log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


@bp.record_once
def _load(state: Any) -> None:
    """Validate [appointments] at start-up (a mistake stops the server with a clear message)."""
    config = state.app.extensions["motcua.config"]
    settings = load_settings(config)
    state.app.extensions["motcua.appointments"] = settings
    state.app.extensions["motcua.booking_limiter"] = RateLimiter(settings.bookings_per_minute)


@bp.after_request
def _page_headers(response: Response) -> Response:
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers["Cache-Control"] = "no-store"
    return response


def settings() -> AppointmentSettings:
    """This office's validated [appointments] settings."""
    return current_app.extensions["motcua.appointments"]


def _require_enabled() -> AppointmentSettings:
    found = settings()
    if not found.enabled:
        raise ApiError(404, "appointments_disabled", "Cơ quan chưa mở đặt lịch hẹn trực tuyến; xin đến lấy số trực tiếp.")
    return found


def _local_today() -> date:
    office = engine().office
    return engine().clock().astimezone(ZoneInfo(office.timezone)).date()


# -- JSON API ---------------------------------------------------------------------

@bp.get("/api/appointments/services")
def booking_services() -> Any:
    """Services taking bookings, with slot length and capacity."""
    found = _require_enabled()
    office = engine().office
    return {
        "services": [{"code": code, "name": office.service(code).name, "slot_minutes": s.slot_minutes,
                      "capacity": s.capacity} for code, s in found.rules.services.items()],
        "days_ahead": found.rules.days_ahead,
        "collect_phone": found.collect_phone,
    }


@bp.get("/api/appointments/slots")
def list_slots() -> Any:
    """A day's slots of a service with the seats left."""
    found = _require_enabled()
    service = request.args.get("service", "")
    day = booking.parse_day(request.args.get("date", ""))
    if service not in found.rules.services:
        raise ApiError(404, "unknown_service", f"Lĩnh vực '{service}' không nhận đặt lịch; chọn một trong: "
                       + ", ".join(found.rules.services))
    return {"service": service, "date": day.isoformat(), **_slots_of_day(found, service, day)}


def _slots_of_day(found: AppointmentSettings, service: str, day: date) -> dict[str, Any]:
    office = engine().office
    now = booking.local_now(engine().clock(), office.timezone)
    taken = store.taken_seats(read_conn(), service, day.isoformat())
    capacity = found.rules.services[service].capacity
    zone = ZoneInfo(office.timezone)
    slots = []
    for start in day_slots(found.rules, service, day):
        key = start.strftime(booking.SLOT_FORMAT)
        free = max(0, capacity - taken.get(key, 0))
        slots.append({"start": key, "at": start.replace(tzinfo=zone).isoformat(timespec="seconds"),
                      "time": f"{start:%H:%M}", "capacity": capacity, "free": free,
                      "bookable": free > 0 and start - timedelta(minutes=found.rules.min_notice_minutes) > now})
    return {"closed": closed_reason(found.rules, day), "slots": slots}


@bp.post("/api/appointments")
def create_booking() -> Any:
    """Book a seat: ``{"service", "slot": "2026-03-02T08:00", "phone"?}`` → 201 with the code."""
    found = _require_enabled()
    body = json_body()
    procedure = _procedure(field(body, "procedure", str, required=False, max_length=32))
    service = (field(body, "service", str, required=False, max_length=16) or "").strip()
    if not service:  # "" counts as absent: the procedure's field, or a clear 422 when there is neither
        if procedure is None:
            raise ApiError(422, "missing_field", 'Xin chọn lĩnh vực hoặc thủ tục: "service" (or "procedure") is required.')
        service = procedure.service
    if procedure is not None and procedure.service != service:
        raise ApiError(422, "procedure_service_mismatch",
                       f"Thủ tục {procedure.code} thuộc lĩnh vực {procedure.service}, không phải {service}; bỏ \"service\" đi.")
    slot = booking.parse_slot(field(body, "slot", str, max_length=32))
    phone = _phone(found, field(body, "phone", str, required=False, max_length=20))
    view = _book(found, service, slot, phone, procedure.code if procedure else None)
    return jsonify({"appointment": view, "qr_text": view["code"]}), 201


def _phone(found: AppointmentSettings, raw: str | None) -> str | None:
    if not found.collect_phone or not raw:
        return None  # never kept when the office does not ask for it
    return booking.normalize_phone(raw)


def _book(found: AppointmentSettings, service: str, slot: datetime, phone: str | None,
          procedure: str | None = None) -> dict[str, Any]:
    address = request.remote_addr or "unknown"
    limiter: RateLimiter = current_app.extensions["motcua.booking_limiter"]
    try:
        if not limiter.allow(f"book:{address}"):
            raise ApiError(429, "too_many_bookings", "Quá nhiều lượt đặt lịch từ một máy; xin đợi một phút.")
        command = booking.book_command(found, service, slot, phone, procedure=procedure, address=address)
        return engine().execute(command, actor="booking")
    except ApiError as exc:
        if exc.code in FLOOD_CODES:
            _floods().record(_local_today(), address, exc.code, engine().clock())
        raise


FLOOD_CODES = ("too_many_bookings", *booking.LIMIT_CODES)
"""Refusals that mean one address is booking far more than a citizen does."""


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
            log.warning("online bookings refused for %s (%s): one address is booking a lot, see GET /api/appointments/flood",
                        address, code)

    def view(self, day: date, office) -> list[dict[str, Any]]:
        """The day's addresses, most refused first."""
        with self._lock:
            entries = sorted(self._days.get(day, {}).items(), key=lambda item: -item[1]["refused"])
            return [{"address": address, "refused": e["refused"], "codes": dict(e["codes"]),
                     "last_refused_at": views.local_iso(e["last_at"], office)} for address, e in entries]


def _floods() -> BookingFloods:
    return current_app.extensions.setdefault("motcua.booking_floods", BookingFloods())


@bp.get("/api/appointments/flood")
def booking_flood() -> Any:
    """For the admin: today's refused online bookings per address, and the limits that refused them."""
    require("admin")
    found = settings()
    today = _local_today()
    addresses = _floods().view(today, engine().office)
    return {"day": today.isoformat(), "refused": sum(a["refused"] for a in addresses), "addresses": addresses,
            "limits": {"per_minute": found.bookings_per_minute,
                       "per_address_per_day": found.bookings_per_address_per_day,
                       "per_phone_per_day": found.bookings_per_phone_per_day if found.collect_phone else None}}


def _procedure(code: str | None):
    """The catalogue's procedure with this code (None when no code is given); 404 when unknown."""
    if not code or not code.strip():
        return None
    try:
        from ..catalog.api import current_catalog
    except ImportError:  # the catalogue part is not installed
        raise ApiError(404, "unknown_procedure", "Không tra cứu được thủ tục; xin chọn lĩnh vực.") from None
    procedure = current_catalog().index.get(code.strip())
    if procedure is None:
        raise ApiError(404, "unknown_procedure", f"Không có thủ tục mã {code.strip()}; xin chọn lĩnh vực.")
    return procedure


@bp.get("/api/appointments/<code>")
def get_booking(code: str) -> Any:
    """A booking's public view by its code."""
    found = _require_enabled()
    row = store.booking_row(read_conn(), booking.normalize_code(code))
    if row is None:
        raise ApiError(404, "unknown_booking", "Không tìm thấy mã đặt lịch này; xin kiểm tra lại mã (8 ký tự).")
    return {"appointment": booking.booking_view(row, engine().office, found)}


@bp.post("/api/appointments/<code>/cancel")
def cancel_booking(code: str) -> Any:
    """Cancel by code (whoever holds the code may cancel)."""
    found = _require_enabled()
    view = engine().execute(booking.cancel_command(found, booking.normalize_code(code)), actor="booking")
    return {"appointment": view}


@bp.post("/api/appointments/check-in")
def check_in() -> Any:
    """``{"code"}`` → 201 a ticket (appointment priority, or normal when late); 200 the same ticket again."""
    principal = require("kiosk", "clerk", "admin")
    found = _require_enabled()
    code = booking.normalize_code(field(json_body(), "code", str, max_length=200))
    if not code:
        raise ApiError(422, "missing_field", "Nhập hoặc quét mã đặt lịch (8 ký tự).")
    queue = engine()
    answer, created = queue.execute(booking.check_in_command(found, code, principal.name, queue.new_token),
                                    actor=principal.name)
    return jsonify({**answer, "ticket": with_status_link(answer["ticket"])}), 201 if created else 200


@bp.post("/api/result-tickets")
def result_ticket() -> Any:
    """A "Nhận kết quả" ticket, optionally with the dossier code (seen only by the counter)."""
    principal = require("kiosk", "clerk", "admin")
    found = settings()
    queue = engine()
    if queue.office.service(found.result_service) is None:
        raise ApiError(404, "no_result_service", "Cơ quan chưa mở quầy trả kết quả (appointments.result_service); "
                       "xin lấy số theo lĩnh vực.")
    raw = field(json_body(), "dossier_code", str, required=False, max_length=64)
    dossier = booking.normalize_dossier_code(raw) if raw and raw.strip() else None
    key = idempotency_key()  # the contract of POST /api/tickets: required, the same on every retry
    issue = booking.result_ticket_issue(found.result_service, dossier, principal.name, queue.new_token)
    return issue_once(principal, key, ["result", dossier], issue)


@bp.get("/api/counters/<int:counter>/current-details")
def current_details(counter: int) -> Any:
    """For the counter's clerk: the current ticket with its booking and dossier code (never public)."""
    require_counter_clerk(counter)
    queue = engine()

    def current_view(state, now) -> dict[str, Any] | None:
        ticket = state.current_ticket(counter)
        return views.ticket_view(state, queue.office, ticket, now) if ticket else None

    return {"counter": counter, **ticket_details(with_status_link(queue.read(current_view)))}


def ticket_details(ticket: dict[str, Any] | None) -> dict[str, Any]:
    """A ticket view with its booking (code, slot, late) and dossier code, for staff only."""
    if ticket is None:
        return {"ticket": None, "appointment": None, "dossier_code": None}
    conn = read_conn()
    row = store.appointment_of_ticket(conn, ticket["id"])
    appointment = None
    if row is not None:
        appointment = {"code": row["code"], "slot_start": booking.booking_view(row, engine().office, settings())["slot_start"],
                       "late": bool(row["late"])}
    return {"ticket": ticket, "appointment": appointment, "dossier_code": store.dossier_of_ticket(conn, ticket["id"])}


def _page_procedure(code: str) -> dict[str, str] | None:
    """A procedure chosen in the catalogue (``?procedure=1.001193``) whose field takes bookings, or None."""
    try:
        procedure = _procedure(code[:32])
    except ApiError:
        return None
    if procedure is None or procedure.service not in settings().rules.services:
        return None
    return {"code": procedure.code, "name": procedure.name, "service": procedure.service}


from .pages import bp as pages_bp  # noqa: E402  (the pages use the helpers above)

bp.register_blueprint(pages_bp)
