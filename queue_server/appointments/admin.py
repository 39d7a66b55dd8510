"""Bookings for the office head on /admin (issue 15.1): a day's list, cancel with a reason, close a slot or a day.

Admin only. Every change runs in the engine's writer like a citizen's
booking, so a block and a booking of the same seat can never both win.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import Blueprint, jsonify, request

from .. import staff
from ..engine import CommandContext
from ..store.db import immediate_transaction
from ..web.context import engine, read_conn
from ..web.errors import ApiError
from ..web.request_input import field, json_body
from ..web.sessions import require
from . import booking, office_calendar, store
from .holidays import public_holidays
from .office_calendar import CalendarRefused
from .service import field_name, forget_calendar, local_today, settings

bp = Blueprint("appointments_admin", __name__)

MAX_REASON = 200
T = TypeVar("T")


def _audited(command: Callable[[CommandContext], T], actor: str, action: str, target: str,
             detail: Mapping[str, Any]) -> Callable[[CommandContext], T]:
    """The command and its line in the audit log, committed together by the writer."""
    def run(ctx: CommandContext) -> T:
        result = command(ctx)
        staff.audit(ctx.conn, actor, action, target, detail, now=ctx.now)
        return result

    return run


def _reason(body: dict[str, Any]) -> str:
    """The office's reason, which the admin must give: the citizen will ask why."""
    reason = " ".join((field(body, "reason", str, required=False, max_length=MAX_REASON) or "").split())
    if not reason:
        raise ApiError(422, "missing_field", "Xin ghi lý do (ví dụ: họp đột xuất, mất điện).")
    return reason


def _admin_view(row: dict[str, Any]) -> dict[str, Any]:
    """A booking as staff see it: the public view plus the phone and why it was cancelled."""
    office = engine().office
    return {**booking.booking_view(row, office, settings()), "phone": row["phone"],
            "cancel_reason": row["cancel_reason"], "day": row["day"]}


@bp.get("/api/admin/bookings")
def day_bookings() -> Any:
    """``?date=&service=``: the day's bookings in slot order and the day's blocks (default today)."""
    require("admin")
    day = booking.parse_day(request.args["date"]) if request.args.get("date") else local_today()
    service = request.args.get("service") or None
    conn = read_conn()
    rows = store.bookings_of_day(conn, day.isoformat(), service)
    services = [{"code": code, "name": field_name(engine().office, code)} for code in settings().rules.services]
    return {"date": day.isoformat(), "services": services, "bookings": [_admin_view(r) for r in rows],
            "blocks": store.blocks_of_day(conn, day.isoformat(), service)}


@bp.post("/api/admin/bookings/<code>/cancel")
def cancel_with_reason(code: str) -> Any:
    """Cancel a booking for the office, saying why (kept with it)."""
    admin = require("admin")
    reason = _reason(json_body())
    command = booking.cancel_command(settings(), booking.normalize_code(code), reason=f"{reason} ({admin.name})")
    engine().execute(_audited(command, admin.name, "booking.cancel", booking.normalize_code(code),
                              {"reason": reason}), actor=admin.name)
    row = store.booking_row(read_conn(), booking.normalize_code(code))
    assert row is not None  # the command answered 404 otherwise
    return {"appointment": _admin_view(row)}


@bp.post("/api/admin/booking-blocks")
def add_block() -> Any:
    """``{"date", "service"?, "time"?: "09:30", "reason"}``: close a slot, or the whole day, for booking."""
    admin = require("admin")
    body = json_body()
    day = booking.parse_day(field(body, "date", str, max_length=10))
    service = field(body, "service", str, required=False, max_length=16) or None
    time = field(body, "time", str, required=False, max_length=5)
    slot = booking.parse_slot(f"{day.isoformat()}T{time}") if time else None
    reason = _reason(body)
    command = booking.block_command(settings(), service, day, slot, reason, admin.name)
    detail = {"service": service, "time": time, "reason": reason}
    audited = _audited(command, admin.name, "booking.block", day.isoformat(), detail)
    return jsonify({"block": engine().execute(audited, actor=admin.name)}), 201


@bp.delete("/api/admin/booking-blocks/<int:block_id>")
def remove_block(block_id: int) -> Any:
    """Open a blocked slot or day again."""
    admin = require("admin")
    if not 0 < block_id < 2**63:
        raise ApiError(404, "unknown_block", f"Không có khóa lịch số {block_id}.")
    engine().execute(_audited(booking.unblock_command(block_id), admin.name, "booking.unblock", str(block_id), {}),
                     actor=admin.name)
    return {"status": "deleted"}


# -- the booking calendar: days off, làm bù days, hours ----------------------------------------

def _calendar_change(change: Callable[[Any], T], actor: str, action: str, target: str,
                     detail: Mapping[str, Any]) -> T:
    """One calendar change with its audit line, in one transaction; the effective settings are read again."""
    try:
        with immediate_transaction(read_conn()) as conn:
            result = change(conn)
            staff.audit(conn, actor, action, target, detail)
    except CalendarRefused as refused:
        raise ApiError(422, refused.code, refused.message) from None
    forget_calendar()
    return result


@bp.get("/api/admin/calendar")
def calendar() -> Any:
    """``?year=``: the public holidays computed for the year, the admin's days, and the hours in force."""
    require("admin")
    try:
        year = int(request.args.get("year") or local_today().year)
        assert 2000 <= year <= 2100
    except (ValueError, AssertionError):
        raise ApiError(422, "invalid_date", "Năm không hợp lệ; ví dụ year=2027.") from None
    rules = settings().rules
    return {"year": year, "public_holidays": [{"date": d.isoformat(), "name": n}
                                              for d, n in public_holidays(year).items()],
            "days": office_calendar.office_days(read_conn()),
            "hours": {"morning": f"{rules.morning[0]:%H:%M}-{rules.morning[1]:%H:%M}",
                      "afternoon": f"{rules.afternoon[0]:%H:%M}-{rules.afternoon[1]:%H:%M}",
                      "saturday_morning": rules.saturday_morning}}


@bp.post("/api/admin/calendar/days")
def set_day() -> Any:
    """``{"date", "kind": "closed"|"working", "name"}``: close a day (with why) or work a weekend day (làm bù)."""
    admin = require("admin")
    body = json_body()

    def change(conn: Any) -> dict[str, Any]:
        day, kind, name = office_calendar.check_day(body)
        booked = office_calendar.save_day(conn, day, kind, name, admin.name, engine().clock().isoformat())
        return {"date": day.isoformat(), "kind": kind, "name": name, "booked": booked}

    done = _calendar_change(change, admin.name, "calendar.day", str(body.get("date")), body)
    return jsonify({"day": done}), 201


@bp.delete("/api/admin/calendar/days/<day>")
def unset_day(day: str) -> Any:
    """Forget the admin's choice for a day (the office file and the public holidays decide again)."""
    admin = require("admin")
    which = booking.parse_day(day)

    def change(conn: Any) -> None:
        if not office_calendar.delete_day(conn, which):  # raised inside: the audit line is rolled back too
            raise ApiError(404, "unknown_day", f"Ngày {which:%d/%m/%Y} không có thay đổi nào để bỏ.")

    _calendar_change(change, admin.name, "calendar.day_removed", which.isoformat(), {})
    return {"status": "deleted"}


@bp.put("/api/admin/calendar/hours")
def set_hours() -> Any:
    """``{"morning": "07:30-11:30", "afternoon": "13:30-17:00", "saturday_morning": false}``."""
    admin = require("admin")
    body = json_body()

    def change(conn: Any) -> dict[str, Any]:
        hours = office_calendar.check_hours(body)
        office_calendar.save_hours(conn, hours)
        return hours

    return {"hours": _calendar_change(change, admin.name, "calendar.hours", "hours", body)}
