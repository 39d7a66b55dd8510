"""The counter's rating tablet at ``/danh-gia/<counter>``, and the rating offered on the status page.

A cheap Android tablet in kiosk mode opens the page once; without its
device cookie it shows a pairing code (see ``queue_server.pairing``). Paired,
it shows the counter and the number called there, and asks "Quý khách có
hài lòng…" the moment the live feed says a service ended at that counter.
Ratings go through the reports part's ``POST /api/ratings`` rules (one per
ticket) as the tablet's rating device; the prompt must still be open.
"""

from __future__ import annotations

import io
from typing import Any

import qrcode
import qrcode.image.svg
from flask import Blueprint, Response, g, jsonify, make_response, render_template, request, url_for
from markupsafe import Markup

from .. import auth, pairing
from ..reports import api as reports_api
from ..reports.ratings import prompt_ticket
from .context import engine, read_conn
from .errors import ApiError
from .request_input import json_body
from .security_headers import content_security_policy
from .sessions import csrf_token, current_principal

bp = Blueprint("rating_tablet", __name__)

TABLET_COOKIE = "motcua_tablet"  # the tablet's device session id (HttpOnly, SameSite=Strict, never in a URL)
CLAIM_COOKIE = "motcua_tablet_claim"  # while a code waits: which browser may collect the session
COOKIE_PATH = "/danh-gia"
TABLET_COOKIE_DAYS = 3650  # a tablet pairs once; revoke it with ``motcua device revoke``
THANKS_SECONDS = 6
PAIRING_POLL_MS = 2000  # the one-off wait for the admin's confirmation; ratings themselves are pushed
STATUS_PAGE_RATER = "trang-phieu"  # ``ratings.device`` of ratings made on the citizen's own phone

FACE_COLOURS = {"grin": "#1b7f3b", "smile": "#6aa84f", "neutral": "#e0a800", "displeased": "#e8731d",
                "frown": "#c62828"}


@bp.after_request
def _page_headers(response: Response) -> Response:
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
        response.headers["Cache-Control"] = "no-store"
    return response


def _counter_or_404(counter: int):
    config = engine().office.counter(counter)
    if config is None:
        raise ApiError(404, "unknown_counter", f"Không có quầy số {counter}. Các quầy ở đây: "
                       + ", ".join(str(c.number) for c in engine().office.counters))
    return config


def _tablet() -> tuple[pairing.Tablet, str] | None:
    """The paired tablet of this request's cookie, and its session id."""
    session_id = request.cookies.get(TABLET_COOKIE, "")
    if not session_id or len(session_id) > 100:
        return None
    found = pairing.tablet_of(read_conn(), session_id)
    return (found, session_id) if found else None


def _set_cookie(response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, path=COOKIE_PATH, httponly=True, samesite="Strict",
                        secure=request.is_secure)


# -- the tablet page and its pairing ------------------------------------------------------------

@bp.get("/danh-gia/<int:counter>")
def tablet_page(counter: int) -> Any:
    """The tablet: paired, the counter's rating screen; not yet, a pairing code and its QR."""
    config = _counter_or_404(counter)
    office = engine().office
    found = _tablet()
    if found is None:
        return _pairing_page(counter, config.name)
    tablet, session_id = found
    if tablet.counter != counter:
        return render_template("rating_tablet_elsewhere.html", office_name=office.name, counter=counter,
                               paired=tablet.counter, link=url_for(".tablet_page", counter=tablet.counter))
    form = reports_api.reports().ratings.form()
    levels = [{**level, "face": face_kind(i, len(form["levels"]))} for i, level in enumerate(form["levels"])]
    boot = {"counter": counter, "counterName": config.name, "levels": levels, "reasons": form["reasons"],
            "promptSeconds": form["prompt_seconds"], "thanksSeconds": THANKS_SECONDS,
            "csrf": pairing.csrf_for(read_conn(), session_id),
            "promptUrl": url_for(".open_prompt", counter=counter), "rateUrl": url_for(".rate", counter=counter)}
    return render_template("rating_tablet.html", office_name=office.name, counter_name=config.name, levels=levels,
                           reasons=form["reasons"], faces={lv["code"]: face_svg(lv["face"]) for lv in levels},
                           boot=boot)


def _pairing_page(counter: int, counter_name: str) -> Response:
    """A fresh code (the old one, if any, is forgotten: only its hash was kept) and the claim cookie."""
    code, claim = pairing.start_pairing(read_conn(), counter, engine().clock())
    confirm = url_for(".confirm_page", _external=True, ma=code, quay=counter)
    body = render_template("rating_tablet_pairing.html", office_name=engine().office.name, counter=counter,
                           counter_name=counter_name, code=code, qr=qr_svg(confirm, "Mã QR để ghép máy"),
                           minutes=pairing.CODE_MINUTES, poll_ms=PAIRING_POLL_MS,
                           state_url=url_for(".pairing_state", counter=counter))
    response = make_response(body)
    _set_cookie(response, CLAIM_COOKIE, claim, pairing.CODE_MINUTES * 60)
    return response


@bp.get("/danh-gia/<int:counter>/ghep")
def pairing_state(counter: int) -> Any:
    """The waiting tablet asks whether the admin confirmed its code; once yes, it gets its device cookie."""
    _counter_or_404(counter)
    claim = request.cookies.get(CLAIM_COOKIE, "")
    state, session_id = pairing.collect_session(read_conn(), claim, engine().clock()) if claim else (
        pairing.EXPIRED, None)
    response = jsonify({"state": state})
    if session_id is not None:
        _set_cookie(response, TABLET_COOKIE, session_id, TABLET_COOKIE_DAYS * 86400)
        response.delete_cookie(CLAIM_COOKIE, path=COOKIE_PATH)
    return response


@bp.route("/danh-gia/xac-nhan", methods=["GET", "POST"])
def confirm_page() -> Any:
    """Where the pairing QR leads: a signed-in admin confirms the code on a phone instead of the command line."""
    principal = current_principal()  # a POST with the admin's cookie checks CSRF here
    if principal is None or principal.role != "admin":
        return render_template("rating_tablet_confirm.html", office_name=engine().office.name, signed_in=False,
                               login=url_for("reports.login_page")), 403
    code, counter = (request.values.get("ma") or "")[:20], request.values.get("quay", type=int) or 0
    name = (request.values.get("name") or f"quay-{counter}-tablet")[:64]
    message = error = None
    if request.method == "POST":
        try:
            _counter_or_404(counter)
            message = "Đã ghép " + pairing.confirm_pairing(read_conn(), code, name, counter, engine().clock())
        except (pairing.PairingError, ApiError) as exc:
            error = str(exc)
    return render_template("rating_tablet_confirm.html", office_name=engine().office.name, signed_in=True,
                           code=code, counter=counter, name=name, message=message, error=error,
                           csrf=csrf_token())


# -- the prompt and the rating ----------------------------------------------------------------

def _paired_here(counter: int) -> tuple[pairing.Tablet, str]:
    """The tablet of this counter, or 401/403 in the API's error shape."""
    _counter_or_404(counter)
    found = _tablet()
    if found is None:
        raise ApiError(401, "unauthorized", "Máy tính bảng này chưa được ghép: xin tải lại trang để lấy mã ghép.")
    if found[0].counter != counter:
        raise ApiError(403, "not_your_counter",
                       f"Máy này được ghép cho quầy {found[0].counter}, không phải quầy {counter}.")
    return found


@bp.get("/danh-gia/<int:counter>/loi-moi")
def open_prompt(counter: int) -> Any:
    """The prompt open now (after a reload or a reconnect), as ``GET /api/counters/{n}/rating-prompt`` says."""
    tablet, _ = _paired_here(counter)
    g.principal = tablet.principal
    return reports_api.rating_prompt(counter)


@bp.post("/danh-gia/<int:counter>/danh-gia")
def rate(counter: int) -> Any:
    """The citizen's tap: ``{"ticket": id, "counter", "overall", "reasons"?}`` while the prompt for it is open."""
    tablet, session_id = _paired_here(counter)
    sent = request.headers.get("X-CSRF-Token", "")
    if not auth.constant_time_equal(sent, pairing.csrf_for(read_conn(), session_id)):
        raise ApiError(403, "csrf_failed", "Trang đã cũ: xin tải lại trang rồi thử lại.")
    body = json_body()
    ticket = body.get("ticket")
    if body.get("counter") != counter or isinstance(ticket, bool) or not isinstance(ticket, int):
        raise ApiError(422, "invalid_rating", f'Xin gửi "ticket" (mã phiếu của lời mời) và "counter": {counter}.')
    seconds = reports_api.reports().ratings.prompt_seconds
    open_now = engine().read(lambda state, now: prompt_ticket(state.tickets.values(), counter, now, seconds))
    if open_now is None or open_now.id != ticket:
        raise ApiError(422, "no_ticket_to_rate", "Lời mời đánh giá này đã hết hạn. Xin cảm ơn quý khách!")
    g.principal = tablet.principal
    return reports_api.create_rating()


@bp.post("/t/<token>/danh-gia")
def rate_from_status_page(token: str) -> Any:
    """The citizen rates on their own phone from ``/t/<token>``: the token is the ticket, one rating per ticket."""
    body = json_body()
    if body.get("ticket") != token:
        raise ApiError(422, "invalid_rating", 'Xin gửi "ticket" bằng mã của trang phiếu này.')
    ticket_id = engine().read(lambda state, now: state.by_token.get(token))
    if ticket_id is None:
        raise ApiError(404, "unknown_ticket", "Đường dẫn phiếu này không đúng; xin quét lại mã QR trên phiếu.")
    # The phone is no device: it rates as the page, limited per ticket (the rate limit keys on kind and id).
    g.principal = auth.Principal("ticket", ticket_id, STATUS_PAGE_RATER, "rating")
    return reports_api.create_rating()


# -- drawing: faces and the QR ------------------------------------------------------------------

def face_kind(index: int, count: int) -> str:
    """The face of a level by its place on the scale (best first), so 3, 4 or 5 levels all look apart."""
    place = index / (count - 1) if count > 1 else 0.0
    if place <= 0.01:
        return "grin"
    if place < 0.45:
        return "smile"
    if place <= 0.7:
        return "neutral"
    return "displeased" if place < 0.99 else "frown"


MOUTHS = {
    "grin": '<path d="M30 58 Q50 84 70 58 Z" fill="#fff" stroke="#222" stroke-width="4" stroke-linejoin="round"/>',
    "smile": '<path d="M32 60 Q50 76 68 60" fill="none" stroke="#222" stroke-width="5" stroke-linecap="round"/>',
    "neutral": '<path d="M33 65 L67 65" fill="none" stroke="#222" stroke-width="5" stroke-linecap="round"/>',
    "displeased": '<path d="M34 69 Q50 60 66 69" fill="none" stroke="#222" stroke-width="5" stroke-linecap="round"/>',
    "frown": '<path d="M32 72 Q50 54 68 72" fill="none" stroke="#222" stroke-width="5" stroke-linecap="round"/>',
}
EYES = {
    "grin": '<path d="M28 42 Q35 32 42 42 M58 42 Q65 32 72 42" fill="none" stroke="#222" stroke-width="5" '
            'stroke-linecap="round"/>',  # laughing, closed eyes
    "frown": '<circle cx="36" cy="42" r="5" fill="#222"/><circle cx="64" cy="42" r="5" fill="#222"/>'
             '<path d="M26 30 L43 35 M74 30 L57 35" stroke="#222" stroke-width="5" stroke-linecap="round"/>',
}
ROUND_EYES = '<circle cx="36" cy="42" r="5" fill="#222"/><circle cx="64" cy="42" r="5" fill="#222"/>'


def face_svg(kind: str) -> Markup:
    """A face drawn for its level: shape and colour both differ, so it reads without colour too."""
    return Markup(f'<svg class="face face-{kind}" viewBox="0 0 100 100" aria-hidden="true">'
                  f'<circle cx="50" cy="50" r="46" fill="{FACE_COLOURS[kind]}" stroke="#222" stroke-width="3"/>'
                  f'{EYES.get(kind, ROUND_EYES)}{MOUTHS[kind]}</svg>')


def qr_svg(text: str, label: str) -> Markup:
    """An inline SVG QR code of ``text`` (no image file)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode("utf-8")
    svg = svg[svg.index("<svg"):]
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" class="qr" ', 1))
