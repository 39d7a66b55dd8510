"""HTTP adapter of the reports part: ratings, the rating prompt, reports, notices, the admin dashboard.

Routes parse input, call the rules (``ratings``, ``summary``, ``live``) and answer.
Ratings are written by the queue engine's writer, in the same transaction
order as the queue's own changes, so a rating always sees its ticket as committed.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request, url_for

from .. import auth, staff
from ..config import ConfigError
from ..core.actions import service_day
from ..core.views import local_iso
from ..display_settings import load_display_config
from ..engine import CommandContext
from ..store import repository
from ..web import sessions as web_sessions
from ..web import sign_in as web_sign_in
from ..web.context import engine, read_conn
from ..web.errors import ApiError
from ..web.rate_limit import RateLimiter
from ..web.request_input import int_param, json_body
from ..web.security_headers import SELF, content_security_policy
from ..web.sessions import csrf_token, require
from . import charts, docx_report, export, store
from .board_notices import publish_notices
from .dossier_api import bp as dossier_bp
from .live import live_view
from .queries import clerk_logins
from .ratings import (
    RATINGS_PER_MINUTE_PER_DEVICE,
    RatingRejected,
    check_has_ticket,
    check_rateable,
    find_ticket_in,
    parse_rating,
    prompt_ticket,
)
from .service import PeriodError, Reports, parse_period

bp = Blueprint("reports", __name__, template_folder="templates", static_folder="static",
               static_url_path="/admin/static")
bp.register_blueprint(dossier_bp)

T = TypeVar("T")
MAX_NOTICE = 300
# The ticker's order: far more notices than a lobby shows, well inside SQLite's integers.
MAX_NOTICE_POSITION = 1_000_000
CONTENT_SECURITY_POLICY = content_security_policy(frame_ancestors=SELF)  # a staff page, like the console


def reports() -> Reports:
    """This app's report settings and cache (made on first use)."""
    found = current_app.extensions.get("motcua.reports")
    if found is None:
        found = current_app.extensions["motcua.reports"] = Reports(current_app.extensions["motcua.config"])
    return found


def today() -> date:
    """The office's local date by the engine's clock."""
    return service_day(engine().office, engine().clock())


# -- ratings ------------------------------------------------------------------------------

@bp.get("/api/ratings/form")
def rating_form() -> Any:
    """The office's scale, criteria, questions and reasons, for rating tablets and kiosks."""
    return reports().ratings.form()


@bp.post("/api/ratings")
def create_rating() -> Any:
    """Record one anonymous rating of a served ticket (or of a counter); 409 on a second one."""
    device = require("rating", "kiosk", "admin")
    limiter = current_app.extensions.setdefault("motcua.rating_limiter", RateLimiter(RATINGS_PER_MINUTE_PER_DEVICE))
    if not limiter.allow(device.key):
        raise ApiError(429, "too_many_ratings", "Thiết bị này gửi quá nhiều đánh giá trong một phút; xin đợi một chút.")
    settings = reports().ratings
    try:
        rating = parse_rating(json_body(), settings)
    except RatingRejected as exc:
        raise ApiError(exc.status, exc.code, exc.message) from None
    queue = engine()

    def run(ctx: CommandContext) -> int:
        ticket = _rated_ticket(ctx, rating.ticket, rating.counter, settings.prompt_seconds)
        counter = ticket.counter if ticket else rating.counter
        if counter is not None and ctx.office.counter(counter) is None:
            raise ApiError(404, "unknown_counter", f"Không có quầy số {counter}.")
        if ticket is not None and store.rating_exists(ctx.conn, ticket.id):
            raise ApiError(409, "already_rated", f"Phiếu {ticket.number} đã được đánh giá. Xin cảm ơn quý khách!")
        clerk = _clerk_of(ctx, ticket, counter)
        record = store.RatingRecord(
            ticket_id=ticket.id if ticket else None, day=service_day(ctx.office, ctx.now).isoformat(),
            rated_at=repository.to_db_time(ctx.now), service=ticket.service if ticket else _only_service(ctx, counter),
            counter=counter, clerk=clerk, overall=rating.overall, criteria=rating.criteria, answers=rating.answers,
            reasons=rating.reasons, comment=rating.comment, dossier=rating.dossier, device=device.name)
        return store.insert_ratings(ctx.conn, [record])[0]

    rating_id = queue.execute(run, actor=device.name)
    reports().forget()
    view = store.rating_view(read_conn(), rating_id)
    view["rated_at"] = local_iso(repository.from_db_time(view["rated_at"]), queue.office)
    view.pop("clerk", None)  # the tablet faces the citizen: it has no need for staff names
    return jsonify({"rating": view}), 201


def _rated_ticket(ctx: CommandContext, ref: int | str | None, counter: int | None, prompt_seconds: int):
    """The ticket a rating is about: named by the body, or the one a counter just completed."""
    if ref is None:
        # Rating a counter: only the ticket its tablet is asking about (ratings of no ticket were stuffed).
        try:
            asked = None if counter is None else prompt_ticket(ctx.state.tickets.values(), counter, ctx.now,
                                                               prompt_seconds)
            return check_has_ticket(asked, counter)
        except RatingRejected as exc:
            raise ApiError(exc.status, exc.code, exc.message) from None
    ticket = find_ticket_in(ctx.state.tickets.values(), ref)
    if ticket is None:
        if isinstance(ref, int):
            ticket = repository.load_ticket(ctx.conn, ref)
        elif len(ref) > 12:
            ticket = repository.load_ticket_by_token(ctx.conn, ref)
    if ticket is None:
        raise ApiError(404, "unknown_ticket", f"Không tìm thấy phiếu {ref} hôm nay. Xin kiểm tra số trên phiếu.")
    if counter is not None and ticket.counter is not None and counter != ticket.counter:
        raise ApiError(422, "wrong_counter",
                       f"Phiếu {ticket.number} được phục vụ ở quầy {ticket.counter}, không phải quầy {counter}.")
    try:
        check_rateable(ticket)
    except RatingRejected as exc:
        raise ApiError(exc.status, exc.code, exc.message) from None
    return ticket


def _clerk_of(ctx: CommandContext, ticket, counter: int | None) -> str | None:
    """Who served: the clerk recorded on the ticket, else the counter's clerk now."""
    if ticket is not None:
        row = ctx.conn.execute("SELECT clerk FROM tickets WHERE id = ?", (ticket.id,)).fetchone()
        if row and row[0]:
            return row[0]
    if counter is not None and counter in ctx.state.counters:
        return ctx.state.counters[counter].clerk
    return None


def _only_service(ctx: CommandContext, counter: int | None) -> str | None:
    config = ctx.office.counter(counter) if counter is not None else None
    return config.services[0] if config and len(config.services) == 1 else None


@bp.get("/api/counters/<int:counter>/rating-prompt")
def rating_prompt(counter: int) -> Any:
    """For a counter's rating tablet: the ticket just completed there and not rated yet, else 204."""
    require("rating", "kiosk", "admin")
    queue = engine()
    if queue.office.counter(counter) is None:
        raise ApiError(404, "unknown_counter", f"Không có quầy số {counter}.")
    seconds = reports().ratings.prompt_seconds

    def look(state, now):
        ticket = prompt_ticket(state.tickets.values(), counter, now, seconds)
        if ticket is None:
            return None
        service = queue.office.service(ticket.service)
        return ticket.id, {
            "ticket": {"id": ticket.id, "number": ticket.number, "service": ticket.service,
                       "service_name": service.name if service else ticket.service, "counter": counter,
                       "finished_at": local_iso(ticket.finished_at, queue.office)},
            "expires_at": local_iso(ticket.finished_at + timedelta(seconds=seconds), queue.office),
            "expires_in_s": round((ticket.finished_at + timedelta(seconds=seconds) - now).total_seconds(), 1),
        }

    found = queue.read(look)
    if found is None or store.rating_exists(read_conn(), found[0]):
        return Response(status=204)
    return found[1]


# -- reports ---------------------------------------------------------------------------------

def _period() -> tuple[date, date]:
    try:
        return parse_period(request.args, today())
    except PeriodError as exc:
        raise ApiError(422, "invalid_period", str(exc)) from None


def _summary() -> dict[str, Any]:
    first, last = _period()
    return reports().summary(read_conn(), first, last, today=today())


@bp.get("/api/reports/summary")
def report_summary() -> Any:
    """The office head's report of a period as JSON (CSV/XLSX with ?format=)."""
    require("admin")
    fmt = request.args.get("format", "json")
    report = _summary()
    if fmt == "json":
        return report
    if fmt not in ("csv", "csv-vi", "xlsx", "docx"):
        raise ApiError(422, "invalid_format", "Định dạng phải là format=json, csv, csv-vi, xlsx hoặc docx.")
    stem = f"bao-cao-{report['period']['from']}-{report['period']['to']}"
    name = f"{stem}-bang.csv" if fmt == "csv-vi" else f"{stem}.{fmt}"
    if fmt == "csv":
        body, mimetype = export.to_csv(report).encode("utf-8-sig"), "text/csv; charset=utf-8"
    elif fmt == "csv-vi":
        body, mimetype = export.to_people_csv(report).encode("utf-8-sig"), "text/csv; charset=utf-8"
    elif fmt == "docx":
        body = docx_report.to_docx(report, report["satisfaction"]["paragraphs"])
        mimetype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        body = export.to_xlsx(report)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/api/reports/charts/<name>.png")
def report_chart(name: str) -> Any:
    """One chart of a period's report as a PNG image."""
    require("admin")
    if name not in charts.CHARTS:
        raise ApiError(404, "unknown_chart", "Không có biểu đồ này; có: " + ", ".join(sorted(charts.CHARTS)) + ".")
    image = charts.render(name, _summary())
    return Response(image, mimetype="image/png", headers={"Cache-Control": "private, max-age=20"})


@bp.get("/api/reports/live")
def report_live() -> Any:
    """Today, live: waiting/serving/average wait per field, counters and staffing alerts."""
    require("admin")
    clerks = clerk_logins(read_conn())
    factor = reports().settings.staffing.alert_factor
    queue = engine()
    names = staff.full_names(read_conn())  # "cán bộ Nguyễn Văn A", not the login
    return queue.read(lambda state, now: live_view(state, queue.office, now, clerks=clerks, alert_factor=factor,
                                                   names=names))


# -- notices for the lobby ticker ----------------------------------------------------------

@bp.get("/api/notices")
def list_notices() -> Any:
    """The notices showing today, in order (public: lobby displays poll it). ``?all=1`` for admins."""
    conn = read_conn()
    if request.args.get("all"):
        require("admin")
        return {"notices": store.list_notices(conn)}
    notices = store.list_notices(conn, on_day=today().isoformat())
    return {"notices": [{"id": n["id"], "text": n["text"]} for n in notices]}


@bp.post("/api/notices")
def create_notice() -> Any:
    """Add a ticker notice (admin)."""
    admin = require("admin")
    values = _notice_values(json_body(), creating=True)
    _check_notice_dates(values)
    notice_id = _change_notices(lambda conn: store.save_notice(conn, {**values, **_stamp(admin)}), admin)
    return jsonify({"notice": store.get_notice(read_conn(), notice_id)}), 201


@bp.route("/api/notices/<int:notice_id>", methods=["PATCH", "PUT"])
def update_notice(notice_id: int) -> Any:
    """Change a notice's text, order, dates or whether it shows (admin)."""
    admin = require("admin")
    conn = read_conn()
    existing = store.get_notice(conn, notice_id) if _is_row_id(notice_id) else None
    if existing is None:
        raise ApiError(404, "unknown_notice", f"Không có thông báo số {notice_id}.")
    values = _notice_values(json_body(), creating=False)
    _check_notice_dates({**existing, **values})
    _change_notices(lambda write: store.save_notice(write, {**values, **_stamp(admin)}, notice_id), admin)
    return {"notice": store.get_notice(conn, notice_id)}


@bp.delete("/api/notices/<int:notice_id>")
def delete_notice(notice_id: int) -> Any:
    """Remove a notice (admin)."""
    admin = require("admin")
    if not _is_row_id(notice_id) or not _change_notices(lambda conn: store.delete_notice(conn, notice_id), admin):
        raise ApiError(404, "unknown_notice", f"Không có thông báo số {notice_id}.")
    return {"status": "deleted"}


def _change_notices(change: Callable[[sqlite3.Connection], T], admin: auth.Principal) -> T:
    """Write a notice change in the queue's writer, which also pushes the boards the new list (``notice.changed``).

    Through the writer, not a side connection, so the change and its event commit together and a
    board that reconnects gets it replayed in order. A delete of nothing (False) publishes nothing.
    """
    def run(ctx: CommandContext) -> T:
        result = change(ctx.conn)
        if result is not False:
            publish_notices(ctx)
        return result

    return engine().execute(run, actor=admin.name)


def _check_notice_dates(notice: dict[str, Any]) -> None:
    """A notice that would end before it starts never shows: refuse it rather than store it silently."""
    starts, ends = notice.get("starts_on"), notice.get("ends_on")
    if starts and ends and ends < starts:
        raise ApiError(422, "invalid_notice", f"Ngày kết thúc ({date.fromisoformat(ends):%d/%m/%Y}) đứng trước ngày "
                                              f"bắt đầu ({date.fromisoformat(starts):%d/%m/%Y}); xin sửa lại.")


def _is_row_id(value: int) -> bool:
    """SQLite ids are 64-bit: a longer number in a URL names nothing."""
    return 0 < value < 2**63


def _stamp(admin: auth.Principal) -> dict[str, Any]:
    return {"updated_at": datetime.now().astimezone().isoformat(timespec="seconds"), "updated_by": admin.name}


def _notice_values(body: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """Checked notice fields; on creation ``text`` is required."""
    values: dict[str, Any] = {}
    if "text" in body or creating:
        text = body.get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_NOTICE:
            raise ApiError(422, "invalid_notice", f'"text" phải là chữ, dài từ 1 đến {MAX_NOTICE} ký tự.')
        values["text"] = unicodedata.normalize("NFC", " ".join(text.split()))
    if "position" in body:
        values["position"] = int_param(body["position"], "position", minimum=-MAX_NOTICE_POSITION,
                                       maximum=MAX_NOTICE_POSITION, code="invalid_notice",
                                       hint=" Số nhỏ hiện trước.", text=False)
    if "active" in body:
        if not isinstance(body["active"], bool):
            raise ApiError(422, "invalid_notice", '"active" phải là true hoặc false.')
        values["active"] = int(body["active"])
    for name in ("starts_on", "ends_on"):
        if name in body:
            value = body[name]
            try:
                values[name] = None if value in (None, "") else date.fromisoformat(value).isoformat()
            except (TypeError, ValueError):
                raise ApiError(422, "invalid_notice", f'"{name}" phải là ngày dạng YYYY-MM-DD hoặc null.') from None
    if not values:
        raise ApiError(422, "invalid_notice",
                       'Không có gì để thay đổi: xin gửi "text", "position", "active", "starts_on" hoặc "ends_on".')
    return values


# -- the admin dashboard ---------------------------------------------------------------------

@bp.after_request
def _page_headers(response: Response) -> Response:
    if request.path.startswith("/admin"):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.get("/admin")
def dashboard() -> Any:
    """The office head's dashboard (admins only; others are sent to sign in)."""
    person = web_sessions.cookie_person()
    if person is None:
        return redirect(url_for("reports.login_page", pair=_pair_arg()))
    if person.role != "admin":
        return render_template("admin_forbidden.html", office_name=engine().office.name, person=person,
                               csrf_token=csrf_token()), 403
    if person.must_change_password:
        return redirect(url_for("people_admin.change_password_page"))
    return render_template("admin.html", office_name=engine().office.name, person=person, csrf_token=csrf_token(),
                           today=today().isoformat(), timezone=engine().office.timezone,
                           counters=engine().office.counters, ticker=_configured_ticker())


def _pair_arg() -> str | None:
    """The pairing code a device's QR put in the URL (``?pair=``), kept through the sign-in; None if not a code."""
    code = request.args.get("pair", "")
    return code if 0 < len(code) <= 12 and all(c.isdigit() or c in " -" for c in code) else None


def _configured_ticker() -> list[str]:
    """The office file's [display] ticker lines: the boards scroll them before the notices added here."""
    try:
        return list(load_display_config(current_app.extensions["motcua.config"]).ticker)
    except ConfigError:
        return []


@bp.get("/admin/login")
def login_page() -> Any:
    """Sign-in for the dashboard (same cookie session as the clerk console)."""
    person = web_sessions.cookie_person()
    if person is not None and person.role == "admin":
        return redirect(url_for("reports.dashboard", pair=_pair_arg()))
    return _login_form()


def _login_form(message: str = "", username: str = "", status: int = 200) -> tuple[str, int]:
    return render_template("admin_login.html", office_name=engine().office.name, csrf_token=csrf_token(),
                           message=message, username=username, pair=_pair_arg()), status


@bp.post("/admin/login")
def login_submit() -> Any:
    """Check the sign-in form (admins only) and open the cookie session."""
    try:
        person = web_sign_in.check_sign_in_form()
    except web_sign_in.SignInRefused as refused:
        return _login_form(refused.message, refused.username, refused.status)
    if person.role != "admin":
        return _login_form("Trang này dành cho lãnh đạo / quản trị. Cán bộ quầy dùng trang /console.", person.name, 403)
    web_sessions.sign_in_cookie(person)
    if person.must_change_password:
        return redirect(url_for("people_admin.change_password_page"), code=303)
    pair = _pair_arg()  # from a device's QR: back to the pairing form with its code
    return redirect(url_for("reports.dashboard", pair=pair, _anchor="devices" if pair else None), code=303)


@bp.post("/admin/logout")
def logout() -> Any:
    """Sign out: the session's token is revoked and the cookie emptied."""
    return web_sessions.sign_out_form() or redirect(url_for("reports.login_page"), code=303)

