"""Appointments over HTTP: slots, booking, cancelling, check-in, result-return tickets.

Routes parse input, run one command in the engine's writer (see ``booking``)
and answer. The booking pages (``/dat-lich``) live in ``pages``, a blueprint
nested in this one; what both use is in ``service``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from ..core import views
from ..web.context import engine, read_conn
from ..web.errors import ApiError
from ..web.idempotent import idempotency_key, issue_once
from ..web.rate_limit import RateLimiter
from ..web.request_input import field, json_body, with_status_link
from ..web.security_headers import content_security_policy
from ..web.sessions import require, require_counter_clerk
from . import booking, store
from .admin import bp as admin_bp
from .pages import bp as pages_bp
from .service import book, field_name, find_procedure, floods, kept_phone, local_today, settings, slots_of_day
from .settings import AppointmentSettings, load_settings

bp = Blueprint("appointments", __name__)

CONTENT_SECURITY_POLICY = content_security_policy()  # public pages: framed by nobody


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


def _require_enabled() -> AppointmentSettings:
    found = settings()
    if not found.enabled:
        raise ApiError(404, "appointments_disabled",
                       "Cơ quan chưa mở đặt lịch hẹn trực tuyến; xin đến lấy số trực tiếp.")
    return found


# -- JSON API ---------------------------------------------------------------------

@bp.get("/api/appointments/services")
def booking_services() -> Any:
    """Services taking bookings, with slot length and capacity."""
    found = _require_enabled()
    office = engine().office
    return {
        "services": [{"code": code, "name": field_name(office, code), "slot_minutes": s.slot_minutes,
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
    return {"service": service, "date": day.isoformat(), **slots_of_day(found, service, day)}


@bp.post("/api/appointments")
def create_booking() -> Any:
    """Book a seat: ``{"service", "slot": "2026-03-02T08:00", "phone"?}`` → 201 with the code."""
    found = _require_enabled()
    body = json_body()
    procedure = find_procedure(field(body, "procedure", str, required=False, max_length=32))
    service = (field(body, "service", str, required=False, max_length=16) or "").strip()
    if not service:  # "" counts as absent: the procedure's field, or a clear 422 when there is neither
        if procedure is None:
            raise ApiError(422, "missing_field", 'Xin chọn lĩnh vực hoặc thủ tục: cần "service" hoặc "procedure".')
        service = procedure.service or ""  # a procedure no field takes: unknown_service, as for an empty field
    if procedure is not None and procedure.service != service:
        raise ApiError(422, "procedure_service_mismatch",
                       f"Thủ tục {procedure.code} thuộc lĩnh vực {procedure.service}, không phải {service}; "
                       "bỏ \"service\" đi.")
    slot = booking.parse_slot(field(body, "slot", str, max_length=32))
    phone = kept_phone(found, field(body, "phone", str, required=False, max_length=20))
    view = book(found, service, slot, phone, procedure.code if procedure else None)
    return jsonify({"appointment": view, "qr_text": view["code"]}), 201


@bp.get("/api/appointments/flood")
def booking_flood() -> Any:
    """For the admin: today's refused online bookings per address, and the limits that refused them."""
    require("admin")
    found = settings()
    today = local_today()
    addresses = floods().view(today, engine().office)
    return {"day": today.isoformat(), "refused": sum(a["refused"] for a in addresses), "addresses": addresses,
            "limits": {"per_minute": found.bookings_per_minute,
                       "per_address_per_day": found.bookings_per_address_per_day,
                       "per_phone_per_day": found.bookings_per_phone_per_day if found.collect_phone else None}}


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
        slot_start = booking.booking_view(row, engine().office, settings())["slot_start"]
        appointment = {"code": row["code"], "slot_start": slot_start, "late": bool(row["late"])}
    return {"ticket": ticket, "appointment": appointment, "dossier_code": store.dossier_of_ticket(conn, ticket["id"])}


bp.register_blueprint(pages_bp)
bp.register_blueprint(admin_bp)
