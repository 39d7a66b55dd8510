"""The citizen's ticket page at ``/t/<status_token>`` (the QR code on the ticket).

Server-rendered first (fast first paint on a cheap phone), then kept live by
``status.js``: the live feed tells it when its field moved, and it re-reads
``/api/status/<token>``; when the feed is full or unreachable it polls.
Only the number, the field, people ahead, the wait and the counter: no
personal data, and the token is unguessable (not the ticket's id).
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from importlib import resources
from typing import Any

from flask import Blueprint, Response, render_template, request
from markupsafe import Markup

import wording
from wording import wait_minutes

from ..core.errors import QueueError
from ..reports import store as ratings_store
from ..reports.api import reports
from .api_queue import get_ticket_by_token
from .context import engine, read_conn
from .rating_tablet import face_kind, face_svg
from .security_headers import content_security_policy

bp = Blueprint("status_page", __name__)

SOON_AHEAD = 2
"""Alert when this many people are ahead (the citizen is 3rd in line)."""
POLL_SECONDS = 10
"""How often the page re-reads its ticket when the live feed is full or unreachable."""

STYLESHEET = resources.files("queue_server.web") / "static" / "status" / "status.css"


@lru_cache(maxsize=1)
def inline_style() -> tuple[Markup, str]:
    """The page's CSS, inlined to save a round trip before the first paint, and its CSP hash."""
    css = STYLESHEET.read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    return Markup(css), f"sha256-{digest}"

TEXTS = {
    "vi": {"title": "Số thứ tự của quý khách", "ahead": "Số người trước quý khách", "wait": "Thời gian chờ ước tính",
           "minutes": "phút", "under_minute": "dưới 1 phút", "go_to": "Mời quý khách đến", "waiting": "Đang chờ",
           "soon": "Sắp đến lượt quý khách – xin chú ý màn hình", "called": "Đến lượt quý khách!",
           "serving": "Đang được phục vụ",
           "done": "Đã xong. Cảm ơn quý khách!",
           "no_show": "Quý khách đã bị bỏ qua vì vắng mặt – xin gặp quầy để được gọi lại",
           "transferred": "Đã chuyển quầy", "cancelled": "Số này đã hết hiệu lực", "sound": "Bật âm báo",
           "sound_on": "Âm báo đã bật", "live": "Tự cập nhật", "polling": "Cập nhật mỗi 10 giây",
           "offline": "Mất kết nối – đang thử lại", "other": "English", "counter": "Quầy", "priority": "Ưu tiên",
           "appointment": wording.PRIORITY_LABELS["appointment"],
           "note": "Trang này không cần đăng nhập và không có thông tin cá nhân.",
           "missing": "Không tìm thấy số này",
           "missing_help": "Đường dẫn không đúng hoặc đã hết hạn. Xin quét lại mã QR trên phiếu.",
           "rate_question": "Quý khách có hài lòng với lượt phục vụ không?",
           "rate_reasons": "Vì sao? (chọn một hay nhiều)", "rate_send": "Gửi đánh giá",
           "rate_thanks": "Cảm ơn quý khách đã đánh giá!", "rate_failed": "Chưa gửi được đánh giá, xin thử lại."},
    "en": {"title": "Your ticket", "ahead": "People ahead of you", "wait": "Estimated wait",
           "minutes": "min", "under_minute": "under 1 min", "go_to": "Please go to", "waiting": "Waiting",
           "soon": "Almost your turn – watch the screen", "called": "It's your turn!", "serving": "Being served",
           "done": "Done. Thank you!", "no_show": "You were skipped as absent – ask at the counter to be called again",
           "transferred": "Transferred", "cancelled": "This ticket is no longer valid", "sound": "Turn on sound alerts",
           "sound_on": "Sound alerts on", "live": "Live", "polling": "Updating every 10 s",
           "offline": "Connection lost – retrying", "other": "Tiếng Việt", "counter": "Counter", "priority": "Priority",
           "appointment": "Appointment", "note": "No sign-in and no personal data on this page.",
           "missing": "Ticket not found",
           "missing_help": "The link is wrong or has expired. Scan the QR code on your ticket again.",
           "rate_question": "Were you satisfied with the service?", "rate_reasons": "Why? (choose any)",
           "rate_send": "Send rating", "rate_thanks": "Thank you for your rating!",
           "rate_failed": "The rating was not sent; please try again."},
}


@bp.after_request
def _page_headers(response: Response) -> Response:
    if response.mimetype == "text/html":
        policy = content_security_policy(style_hashes=[inline_style()[1]])
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers["Cache-Control"] = "no-store"
    return response


def _language() -> str:
    """Vietnamese unless the citizen taps "English" (many phones here are set to English: not a choice)."""
    chosen = request.args.get("lang")
    return chosen if chosen in TEXTS else "vi"


@bp.get("/t/<token>")
def ticket_status(token: str) -> Any:
    """The ticket's live page; a friendly 404 page for an unknown token."""
    lang = _language()
    texts = TEXTS[lang]
    office = engine().office
    try:
        ticket = get_ticket_by_token(token[:64])["ticket"]
    except QueueError:
        return render_template("status_missing.html", lang=lang, t=texts, office_name=office.name), 404
    phase = phase_of(ticket)
    offer = rating_offer(ticket, token)
    boot = {"token": token, "lang": lang, "soonAhead": SOON_AHEAD, "pollMs": POLL_SECONDS * 1000, "texts": texts,
            "ticket": ticket, "rating": {key: offer[key] for key in ("url", "rated", "levels", "reasons")}}
    return render_template("status.html", lang=lang, t=texts, css=inline_style()[0], ticket=ticket, phase=phase,
                           office_name=office.name, wait_text=wait_text(ticket, texts, lang),
                           other_lang="en" if lang == "vi" else "vi", rating=offer,
                           boot_json=json.dumps(boot, ensure_ascii=False).replace("<", "\\u003c"))


def rating_offer(ticket: dict[str, Any], token: str) -> dict[str, Any]:
    """The office's faces for this ticket's own rating, and whether it was rated already (one rating per ticket).

    Offered once the ticket is done (``status.js`` shows it when the live feed says so); an
    unrated ticket keeps the offer for the day, as the kiosk's "rate by number" does.
    """
    form = reports().ratings.form()
    levels = [{"code": lv["code"], "label": lv["label"], "asks_reasons": lv["asks_reasons"],
               "face": face_kind(i, len(form["levels"]))} for i, lv in enumerate(form["levels"])]
    return {"url": f"/t/{token}/danh-gia", "rated": ratings_store.rating_exists(read_conn(), ticket["id"]),
            "levels": levels, "reasons": form["reasons"], "faces": {lv["code"]: face_svg(lv["face"]) for lv in levels},
            "shown": ticket["status"] == "done"}


def phase_of(ticket: dict[str, Any]) -> str:
    """Which look the page takes: waiting, soon (3rd in line), called, serving, or ended."""
    status = ticket["status"]
    if status == "waiting":
        return "soon" if ticket["ahead"] <= SOON_AHEAD else "waiting"
    if status in ("called", "serving"):
        return status
    return "ended"


def wait_text(ticket: dict[str, Any], texts: dict[str, str], lang: str = "vi") -> str:
    """The estimated wait in words: the server's own (``wait_text``, as kiosk and paper say it) in Vietnamese;
    English pages round the minutes the same way (``wording.wait_minutes``)."""
    if lang != "en" and ticket.get("wait_text"):
        return str(ticket["wait_text"])
    seconds = int(ticket.get("estimated_wait_s") or 0)
    return texts["under_minute"] if seconds < 60 else f"~{wait_minutes(seconds)} {texts['minutes']}"
