"""Booking, cancelling, checking in and result-return tickets as commands of the engine's single writer.

Each ``*_command`` returns a ``run(ctx)`` for ``engine.execute``: it checks
everything first and raises ``ApiError`` before any write, so a refused
request leaves nothing behind. Because every booking runs in the one writer,
"count the seats, then insert" can never overbook a slot.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ..core import actions, views
from ..core.model import Ticket
from ..engine import CommandContext
from ..store import repository
from ..web.errors import ApiError
from . import slots as rules_mod
from . import store
from .settings import AppointmentSettings

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
"""Booking-code letters: no 0/O and 1/I, which people misread on paper and phones."""
CODE_LENGTH = 8  # 32**8 ≈ 10**12 codes: guessing one of a few hundred live bookings is hopeless
SLOT_FORMAT = "%Y-%m-%dT%H:%M"
DOSSIER_CODE = re.compile(r"^([A-Z0-9]+(?:\.[A-Z0-9]+)*)-(\d{6})-(\d{4,6})$")
PHONE = re.compile(r"^(?:0|\+84)\d{9,10}$")


def new_booking_code() -> str:
    """A random booking code such as ``K7P29XQM``."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(raw: str) -> str:
    """What a citizen typed or a scanner sent → the stored code (case, spaces, dashes, a URL's last part)."""
    text = unicodedata.normalize("NFKC", raw or "").strip().upper()
    text = text.rstrip("/").rsplit("/", 1)[-1]
    return re.sub(r"[\s\-.]", "", text)[:32]


def normalize_dossier_code(raw: str) -> str:
    """A dossier code as typed → ``H12.22-260315-0001``; ApiError 422 when it does not fit the pattern."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw or "")).upper()
    found = DOSSIER_CODE.match(text)
    valid_day = False
    if found:
        try:
            datetime.strptime(found.group(2), "%y%m%d")
            valid_day = True
        except ValueError:
            pass
    if not found or not valid_day:
        raise ApiError(422, "invalid_dossier_code",
                       "Mã hồ sơ không đúng mẫu {cơ quan}-{yyMMdd}-{số thứ tự}, ví dụ 000.00.12.H12-260315-0001; "
                       "xin xem lại giấy hẹn trả kết quả, hoặc để trống.")
    return text


def normalize_phone(raw: str) -> str:
    """A Vietnamese phone number without spaces or dots; ApiError 422 otherwise."""
    text = re.sub(r"[\s.\-()]", "", unicodedata.normalize("NFKC", raw or ""))
    if not PHONE.match(text):
        raise ApiError(422, "invalid_phone", "Số điện thoại không đúng; nhập 10 số, ví dụ 0912345678.")
    return text


def local_now(ctx_now: datetime, timezone: str) -> datetime:
    """The office's wall-clock time (naive) at an aware instant."""
    return ctx_now.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)


def parse_slot(text: str) -> datetime:
    """``2026-03-02T08:00`` → naive local datetime; ApiError 422 otherwise."""
    try:
        return datetime.strptime((text or "").strip()[:16], SLOT_FORMAT)
    except ValueError:
        raise ApiError(422, "invalid_slot", "Chọn một khung giờ (dạng 2026-03-02T08:00).") from None


def parse_day(text: str) -> date:
    """``2026-03-02`` → date; ApiError 422 otherwise."""
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        raise ApiError(422, "invalid_date", "Ngày không hợp lệ; chọn ngày dạng 2026-03-02.") from None


def booking_view(row: dict[str, Any], office, settings: AppointmentSettings) -> dict[str, Any]:
    """A booking as the public sees it: no phone number, ever."""
    zone = ZoneInfo(office.timezone)
    slot = datetime.strptime(row["slot_start"], SLOT_FORMAT)
    opens, closes = rules_mod.checkin_window(settings.rules, slot)
    service = office.service(row["service"])
    return {
        "code": row["code"],
        "service": row["service"],
        "service_name": service.name if service else row["service"],
        "slot_start": slot.replace(tzinfo=zone).isoformat(timespec="seconds"),
        "slot_minutes": settings.rules.services.get(row["service"], rules_mod.ServiceSlots()).slot_minutes,
        "status": row["status"],
        "checkin_opens": opens.replace(tzinfo=zone).isoformat(timespec="seconds"),
        "checkin_closes": closes.replace(tzinfo=zone).isoformat(timespec="seconds"),
        "late": bool(row["late"]),
        "procedure": row["procedure"],
    }


LIMIT_CODES = ("address_booking_limit", "phone_booking_limit")
"""The refusals of ``check_booking_limits``: what the admin's flood view counts."""


def check_booking_limits(ctx: CommandContext, settings: AppointmentSettings, day: date, address: str | None,
                         phone: str | None) -> None:
    """429 when this address (or phone) already holds the day's allowance of live bookings."""
    when = f"{day:%d/%m/%Y}"
    help_text = f" Cần đặt thêm, xin gọi {ctx.office.hotline}." if ctx.office.hotline else ""
    if address is not None:
        held = ctx.conn.execute(
            "SELECT COUNT(*) FROM booking_origins o JOIN appointments a ON a.code = o.code "
            "WHERE o.day = ? AND o.address = ? AND a.status != ?",
            (day.isoformat(), address, store.CANCELLED)).fetchone()[0]
        if held >= settings.bookings_per_address_per_day:
            raise ApiError(429, LIMIT_CODES[0], f"Mỗi máy chỉ đặt được tối đa {settings.bookings_per_address_per_day} "
                           f"lịch hẹn trong một ngày ({when}); máy này đã đặt đủ.{help_text}")
    if phone is not None:
        held = ctx.conn.execute("SELECT COUNT(*) FROM appointments WHERE day = ? AND phone = ? AND status != ?",
                                (day.isoformat(), phone, store.CANCELLED)).fetchone()[0]
        if held >= settings.bookings_per_phone_per_day:
            raise ApiError(429, LIMIT_CODES[1],
                           f"Mỗi số điện thoại chỉ đặt được tối đa {settings.bookings_per_phone_per_day} "
                           f"lịch hẹn trong một ngày ({when}); số này đã đặt đủ.{help_text}")


def book_command(settings: AppointmentSettings, service: str, slot: datetime, phone: str | None,
                 new_code: Callable[[], str] = new_booking_code,
                 procedure: str | None = None,
                 address: str | None = None,
                 form_nonce: str | None = None) -> Callable[[CommandContext], dict[str, Any]]:
    """Book one seat of a slot, or raise 422 (rules) / 429 (limits) / 409 slot_full, before writing anything.

    A ``form_nonce`` already used answers that form's booking (``"repeated": True``) instead of a second seat.
    """
    slot_text = slot.strftime(SLOT_FORMAT)

    def run(ctx: CommandContext) -> dict[str, Any]:
        done = store.code_of_form(ctx.conn, form_nonce) if form_nonce else None
        if done is not None:
            return {**booking_view(_booking_or_404(ctx, done), ctx.office, settings), "repeated": True}
        try:
            rules_mod.check_booking(settings.rules, service, slot, local_now(ctx.now, ctx.office.timezone))
        except rules_mod.BookingRefused as refused:
            raise ApiError(422, refused.code, refused.message) from None
        refuse_blocked(ctx, service, slot)
        check_booking_limits(ctx, settings, slot.date(), address, phone)
        capacity = settings.rules.services[service].capacity
        if store.seats_in_slot(ctx.conn, service, slot_text) >= capacity:
            raise ApiError(409, "slot_full",
                           f"Khung giờ {slot:%H:%M} ngày {slot:%d/%m/%Y} đã hết chỗ; xin chọn giờ khác.")
        code = new_code()
        while ctx.conn.execute("SELECT 1 FROM appointments WHERE code = ?", (code,)).fetchone():
            code = new_code()
        ctx.conn.execute(
            "INSERT INTO appointments (code, service, day, slot_start, status, phone, created_at, procedure,"
            " form_nonce) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (code, service, slot.date().isoformat(), slot_text, store.BOOKED, phone, repository.to_db_time(ctx.now),
             procedure, form_nonce),
        )
        if address is not None:
            ctx.conn.execute("INSERT INTO booking_origins (code, day, address, created_at) VALUES (?, ?, ?, ?)",
                             (code, slot.date().isoformat(), address, repository.to_db_time(ctx.now)))
        return booking_view(_booking_or_404(ctx, code), ctx.office, settings)

    return run


def cancel_command(settings: AppointmentSettings, code: str,
                   reason: str | None = None) -> Callable[[CommandContext], dict[str, Any]]:
    """Cancel a booking by its code (again: same answer); 409 once it has a ticket.

    ``reason`` is the office's, when staff cancel (kept for the admin, never on the public view).
    """

    def run(ctx: CommandContext) -> dict[str, Any]:
        row = _booking_or_404(ctx, code)
        if row["status"] == store.CHECKED_IN:
            raise ApiError(409, "already_checked_in", "Lịch hẹn này đã lấy số tại cơ quan, không hủy được nữa.")
        if row["status"] == store.BOOKED:
            ctx.conn.execute("UPDATE appointments SET status = ?, cancelled_at = ?, cancel_reason = ? WHERE code = ?",
                             (store.CANCELLED, repository.to_db_time(ctx.now), reason, code))
            row = _booking_or_404(ctx, code)
        return booking_view(row, ctx.office, settings)

    return run


def refuse_blocked(ctx: CommandContext, service: str, slot: datetime) -> None:
    """409 when the office closed this slot or day for booking (the admin's block and its reason)."""
    blocks = store.blocks_of_day(ctx.conn, slot.date().isoformat(), service)
    block = store.block_for(blocks, slot.strftime(SLOT_FORMAT))
    if block is not None:
        raise ApiError(409, "slot_blocked", f"Khung giờ {slot:%H:%M} ngày {slot:%d/%m/%Y} không nhận đặt lịch "
                                            f"({block['reason']}); xin chọn giờ hoặc ngày khác.")


def block_command(settings: AppointmentSettings, service: str | None, day: date, slot: datetime | None,
                  reason: str, admin: str) -> Callable[[CommandContext], dict[str, Any]]:
    """Close a slot, or a whole day (``slot`` None), of one field or of all (``service`` None) for booking.

    Bookings already made stay: the admin sees them and cancels with a reason
    if the office cannot keep them.
    """

    def run(ctx: CommandContext) -> dict[str, Any]:
        if service is not None and service not in settings.rules.services:
            raise ApiError(404, "unknown_service", f"Lĩnh vực '{service}' không nhận đặt lịch.")
        if slot is not None and slot.date() != day:
            raise ApiError(422, "invalid_block", "Khung giờ phải thuộc ngày được khóa.")
        cursor = ctx.conn.execute(
            "INSERT INTO booking_blocks (service, day, slot_start, reason, created_at, created_by) "
            "VALUES (?, ?, ?, ?, ?, ?)", (service, day.isoformat(), slot.strftime(SLOT_FORMAT) if slot else None,
                                          reason, repository.to_db_time(ctx.now), admin))
        return next(b for b in store.blocks_of_day(ctx.conn, day.isoformat()) if b["id"] == cursor.lastrowid)

    return run


def unblock_command(block_id: int) -> Callable[[CommandContext], None]:
    """Open a blocked slot or day again."""

    def run(ctx: CommandContext) -> None:
        if ctx.conn.execute("DELETE FROM booking_blocks WHERE id = ?", (block_id,)).rowcount == 0:
            raise ApiError(404, "unknown_block", f"Không có khóa lịch số {block_id}.")

    return run


def _booking_or_404(ctx: CommandContext, code: str) -> dict[str, Any]:
    row = store.booking_row(ctx.conn, code)
    if row is None:
        raise ApiError(404, "unknown_booking", "Không tìm thấy mã đặt lịch này; xin kiểm tra lại mã (8 ký tự).")
    return row


def check_in_command(settings: AppointmentSettings, code: str, device: str,
                     new_token: Callable[[], str]) -> Callable[[CommandContext], tuple[dict[str, Any], bool]]:
    """Turn a booking into a ticket: appointment priority inside the window, a normal ticket when late."""

    def run(ctx: CommandContext) -> tuple[dict[str, Any], bool]:
        row = _booking_or_404(ctx, code)
        slot = datetime.strptime(row["slot_start"], SLOT_FORMAT)
        if row["status"] == store.CANCELLED:
            raise ApiError(409, "booking_cancelled", "Lịch hẹn này đã bị hủy. Xin lấy số thường tại máy.")
        if row["status"] == store.CHECKED_IN:
            ticket = ctx.state.tickets.get(row["ticket_id"]) or repository.load_ticket(ctx.conn, row["ticket_id"])
            if ticket is None:  # the tickets table keeps every ticket an appointment points to
                raise LookupError(f"booking {code}'s ticket {row['ticket_id']} is missing")
            answer = _answer(ctx, ticket, bool(row["late"]), slot, settings)
            answer["message"] = f"Lịch hẹn này đã được nhận số {ticket.number}. Xin chờ gọi số."
            return answer, False
        now = local_now(ctx.now, ctx.office.timezone)
        verdict = rules_mod.checkin_verdict(settings.rules, slot, now)
        _refuse_outside_day(verdict, slot, now, settings)
        late = verdict == rules_mod.LATE
        priority = None if late or "appointment" not in ctx.office.priorities else "appointment"
        ticket, outcome = actions.issue_ticket(ctx.state, ctx.office, row["service"], ctx.now, priority=priority,
                                               procedure=row["procedure"], device=device, status_token=new_token())
        ctx.apply(outcome)
        ctx.conn.execute(
            "UPDATE appointments SET status = ?, ticket_id = ?, checked_in_at = ?, late = ? WHERE code = ?",
            (store.CHECKED_IN, ticket.id, repository.to_db_time(ctx.now), int(late), code),
        )
        return _answer(ctx, ticket, late, slot, settings), True

    return run


def _refuse_outside_day(verdict: str, slot: datetime, now: datetime, settings: AppointmentSettings) -> None:
    """409 with what to do when the citizen comes too early or on another day."""
    when = f"{slot:%H:%M} ngày {slot:%d/%m/%Y}"
    if verdict == rules_mod.EARLY:
        opens, _ = rules_mod.checkin_window(settings.rules, slot)
        raise ApiError(409, "too_early", f"Lịch hẹn của quý khách lúc {when}. Xin quay lại quét mã từ {opens:%H:%M}, "
                                         "hoặc lấy số thường nếu muốn làm ngay.")
    if verdict == rules_mod.OTHER_DAY:
        if slot.date() > now.date():
            raise ApiError(409, "not_today",
                           f"Lịch hẹn của quý khách là {when}, không phải hôm nay. Xin đến đúng ngày hẹn.")
        raise ApiError(409, "booking_expired", f"Lịch hẹn lúc {when} đã qua. Xin lấy số thường hoặc đặt lịch mới.")


def _answer(ctx: CommandContext, ticket, late: bool, slot: datetime, settings: AppointmentSettings) -> dict[str, Any]:
    if late:
        message = (f"Bạn đến muộn hơn {settings.rules.checkin_after_minutes} phút so với giờ hẹn {slot:%H:%M}, "
                   f"nên nhận số thường {ticket.number}. Xin chờ gọi số theo thứ tự.")
    else:
        message = f"Đã nhận lịch hẹn lúc {slot:%H:%M}. Số của quý khách là {ticket.number}, được ưu tiên theo lịch hẹn."
    if ticket.id in ctx.state.tickets:
        view = ctx.ticket_view(ticket)
    else:
        view = views.ticket_view(ctx.state, ctx.office, ticket, ctx.now)
    return {"ticket": view, "late": late, "message": message}


def result_ticket_issue(service: str, dossier_code: str | None, device: str,
                        new_token: Callable[[], str]) -> Callable[[CommandContext], Ticket]:
    """Issue a result-return ("Nhận kết quả") ticket and keep its dossier code off the public views.

    The returned ``issue(ctx)`` is run by ``web.idempotent.issue_once``, which replays a retry instead.
    """

    def issue(ctx: CommandContext) -> Ticket:
        ticket, outcome = actions.issue_ticket(ctx.state, ctx.office, service, ctx.now, device=device,
                                               status_token=new_token())
        ctx.apply(outcome)
        if dossier_code:
            ctx.conn.execute("INSERT INTO result_dossiers (ticket_id, dossier_code, created_at) VALUES (?, ?, ?)",
                             (ticket.id, dossier_code, repository.to_db_time(ctx.now)))
        return ticket

    return issue
