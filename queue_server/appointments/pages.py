"""The public booking pages at ``/dat-lich``: plain server-rendered forms that work without JavaScript.

Step 1 chooses a field (or comes with a catalogue procedure) and a day; step 2
lists the day's slots with the seats left; the booking's own page shows the
code, its QR and a cancel button. Every refusal comes back on the same page,
in plain Vietnamese.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from ..core.errors import QueueError
from ..web.context import engine, read_conn
from ..web.errors import ApiError
from . import booking, store
from .qr import qr_svg
from .service import book, field_name, floods, kept_phone, local_today, page_procedure, settings, slots_of_day
from .settings import AppointmentSettings
from .slots import closed_reason

bp = Blueprint("pages", __name__)

FORM_TOKEN_SECONDS = 2 * 3600
"""How long a booking page's form stays valid: a page left open for a while still works, a stale copy does not."""
STALE_FORM = "Trang đã cũ hoặc không được gửi từ trang đặt lịch của cơ quan. Xin tải lại trang rồi thử lại."


def form_token(purpose: str) -> str:
    """A signed, short-lived token for one form (``book``, or ``cancel:<code>``): CSRF protection without sessions."""
    expires = int(engine().clock().timestamp()) + FORM_TOKEN_SECONDS
    return f"{expires}.{_signature(purpose, expires)}"


def _signature(purpose: str, expires: int) -> str:
    key = str(current_app.secret_key).encode("utf-8")
    return hmac.new(key, f"dat-lich:{purpose}:{expires}".encode(), hashlib.sha256).hexdigest()


def form_post_allowed(purpose: str) -> bool:
    """A cookie-less form POST: from this site (Origin, else Referer, when sent) and with a valid token of its form.

    The pages send no referrer, so browsers post them with ``Origin: null``:
    that says nothing, and the token alone decides, as with no Origin at all.
    """
    origin = request.headers.get("Origin")
    sent_from = (origin if origin != "null" else None) or request.headers.get("Referer")
    if sent_from is not None and not _this_site(sent_from):
        return False
    expires_text, _, signature = request.form.get("form_token", "").partition(".")
    if not expires_text.isdecimal() or int(expires_text) < engine().clock().timestamp():
        return False
    return hmac.compare_digest(signature, _signature(purpose, int(expires_text)))


def _this_site(url: str) -> bool:
    host = urlsplit(url).netloc.lower()
    return bool(host) and host in (request.host.lower(), urlsplit(engine().office.public_url).netloc.lower())


def _stale_form(back: str) -> Any:
    return render_template("booking_stale.html", office_name=engine().office.name, error=STALE_FORM, back=back), 403


def _book_form() -> dict[str, Any]:
    """The booking form's one-time id and its token: sent twice (Back, then submit), it books once.

    During a flood the token also binds the answer of a small sum the page asks ("7 + 5 = ?").
    """
    nonce = secrets.token_urlsafe(12)
    if not floods().flooding(local_today()):
        return {"book_nonce": nonce, "book_token": form_token(f"book:{nonce}"), "challenge": None}
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    return {"book_nonce": nonce, "book_token": form_token(f"book:{nonce}:{a + b}"), "challenge": f"{a} + {b}"}


CHALLENGE_WRONG = "Kết quả phép tính chưa đúng; xin tính lại (câu hỏi mới ở dưới)."
CHALLENGE_NEEDED = "Hôm nay có nhiều lượt đặt lịch tự động: xin trả lời câu hỏi nhỏ ở dưới rồi bấm lại."


def _book_post_refusal(nonce: str) -> tuple[str, int] | None:
    """Why this booking form may not book (a message and a status), or None: token, and the sum in a flood."""
    answer = "".join(ch for ch in request.form.get("challenge_answer", "") if ch.isdigit())[:3]
    if answer and form_post_allowed(f"book:{nonce}:{answer}"):
        return None
    if not answer and not floods().flooding(local_today()) and form_post_allowed(f"book:{nonce}"):
        return None
    if "challenge_answer" in request.form:
        return CHALLENGE_WRONG, 422
    if form_post_allowed(f"book:{nonce}"):
        return CHALLENGE_NEEDED, 429
    return STALE_FORM, 403


def _page_context(found: AppointmentSettings, **extra: Any) -> dict[str, Any]:
    office = engine().office
    today = local_today()
    return {
        "office_name": office.name, "hotline": office.hotline,
        "services": [{"code": code, "name": field_name(office, code)} for code in found.rules.services],
        "collect_phone": found.collect_phone, "today": today.isoformat(),
        "last_day": (today + timedelta(days=found.rules.days_ahead)).isoformat(),
        "checkin_before": found.rules.checkin_before_minutes, "checkin_after": found.rules.checkin_after_minutes,
        **_book_form(),
        **extra,
    }


@bp.get("/dat-lich")
def booking_page() -> Any:
    """Step 1: choose a field and a day; step 2 (same page): choose a slot."""
    found = settings()
    if not found.enabled:
        return render_template("booking_closed.html", office_name=engine().office.name), 404
    service, day_text = request.args.get("service", ""), request.args.get("date", "")
    procedure = page_procedure(request.args.get("procedure", ""))
    if procedure is not None:
        service = procedure["service"]
    if not service or not day_text:
        return render_template("booking.html",
                               **_page_context(found, service=service, date=day_text, procedure=procedure))
    return _slot_page(found, service, day_text, procedure=procedure)


def _slot_page(found: AppointmentSettings, service: str, day_text: str, error: str = "", status: int = 200,
               phone: str = "", procedure: dict[str, str] | None = None) -> Any:
    context = _page_context(found, service=service, date=day_text, error=error, phone=phone, procedure=procedure)
    try:
        day = booking.parse_day(day_text)
    except ApiError as exc:
        return render_template("booking.html", **{**context, "error": exc.message}), 422
    if service not in found.rules.services:
        return render_template("booking.html", **{**context, "error": "Xin chọn lĩnh vực cần làm."}), 422
    today = local_today()
    problem = ""
    if day < today:
        problem = f"Ngày {day:%d/%m/%Y} đã qua; xin chọn ngày từ hôm nay ({today:%d/%m/%Y}) trở đi."
    elif day > today + timedelta(days=found.rules.days_ahead):
        problem = f"Chỉ đặt lịch trước tối đa {found.rules.days_ahead} ngày; xin chọn ngày sớm hơn."
    else:
        problem = closed_reason(found.rules, day) or ""
    if problem:
        return render_template("booking.html", **{**context, "error": problem}), 422
    day_slots_view = slots_of_day(found, service, day)
    if not any(s["bookable"] for s in day_slots_view["slots"]) and not error:
        context["error"] = f"Ngày {day:%d/%m/%Y} không còn giờ trống cho lĩnh vực này; xin chọn ngày khác."
    return render_template("booking.html", **{**context, "slots": day_slots_view["slots"],
                                              "day_label": f"{day:%d/%m/%Y}",
                                              "service_name": field_name(engine().office, service)}), status


@bp.post("/dat-lich")
def booking_submit() -> Any:
    """Book the chosen slot; errors come back on the same page, plainly."""
    found = settings()
    if not found.enabled:
        return render_template("booking_closed.html", office_name=engine().office.name), 404
    service = request.form.get("service", "")[:16]
    slot_text = request.form.get("slot", "")[:32]
    phone_text = request.form.get("phone", "")[:20]
    day_text = slot_text[:10] or request.form.get("date", "")[:10]
    procedure = page_procedure(request.form.get("procedure", ""))
    if procedure is not None and procedure["service"] != service:
        procedure = None
    nonce = request.form.get("form_nonce", "")[:32]
    refusal = _book_post_refusal(nonce) if nonce else (STALE_FORM, 403)
    if refusal is not None:
        return _slot_page(found, service, day_text, error=refusal[0], status=refusal[1], phone=phone_text,
                          procedure=procedure)
    try:
        if not slot_text:
            raise ApiError(422, "invalid_slot", "Xin chọn một khung giờ còn trống.")
        phone = kept_phone(found, phone_text)
        view = book(found, service, booking.parse_slot(slot_text), phone, procedure["code"] if procedure else None,
                    form_nonce=nonce)
    except QueueError as exc:
        status = exc.status if isinstance(exc, ApiError) else 422
        return _slot_page(found, service, day_text, error=exc.message, status=status, phone=phone_text,
                          procedure=procedure)
    if view.get("repeated"):
        return redirect(url_for("appointments.pages.booking_done", code=view["code"], m="again"), code=303)
    return redirect(url_for("appointments.pages.booking_done", code=view["code"]), code=303)


@bp.get("/dat-lich/<code>")
def booking_done(code: str) -> Any:
    """The booking: its code, a QR of the code, the time and how to check in or cancel."""
    found = settings()
    row = store.booking_row(read_conn(), booking.normalize_code(code))
    if row is None:
        return render_template("booking_missing.html", office_name=engine().office.name), 404
    view = booking.booking_view(row, engine().office, found)
    slot = datetime.fromisoformat(view["slot_start"])
    procedure = page_procedure(view["procedure"] or "")
    return render_template("booking_done.html", **_page_context(
        found, booking=view, procedure=procedure, qr=qr_svg(view["code"]),
        pretty_code=f"{view['code'][:4]}-{view['code'][4:]}",
        slot_label=f"{slot:%H:%M} ngày {slot:%d/%m/%Y}",
        window=f"{datetime.fromisoformat(view['checkin_opens']):%H:%M}–{datetime.fromisoformat(view['checkin_closes']):%H:%M}",
        message=request.args.get("m", ""), cancel_token=form_token(f"cancel:{view['code']}")))


@bp.post("/dat-lich/<code>/huy")
def booking_cancel_submit(code: str) -> Any:
    """Cancel from the booking's page (its form's token is bound to the booking's code)."""
    found = settings()
    if not form_post_allowed(f"cancel:{booking.normalize_code(code)}"):
        return _stale_form(url_for("appointments.pages.booking_done", code=booking.normalize_code(code)))
    if request.form.get("confirm") != "yes":  # the box "Tôi muốn hủy" was not ticked: nothing happens
        return redirect(url_for("appointments.pages.booking_done", code=booking.normalize_code(code), m="confirm"),
                        code=303)
    try:
        engine().execute(booking.cancel_command(found, booking.normalize_code(code)), actor="booking")
        message = "cancelled"
    except ApiError as exc:
        if exc.status == 404:
            return render_template("booking_missing.html", office_name=engine().office.name), 404
        message = "checked_in"
    return redirect(url_for("appointments.pages.booking_done", code=booking.normalize_code(code), m=message), code=303)


@bp.get("/dat-lich/tra-cuu")
def booking_lookup() -> Any:
    """Find a booking by code (to see or cancel it)."""
    code = booking.normalize_code(request.args.get("code", ""))
    if code:
        return redirect(url_for("appointments.pages.booking_done", code=code), code=303)
    return redirect(url_for("appointments.pages.booking_page"))
