"""The province dashboard (``/``): every office today, the ranking of any period, one office, the XLSX.

Pages for people, not the API: a province reader types the viewer token
from ``motcua hub viewer add`` once (``/dang-nhap``) and gets a session
cookie (``dashboard_sessions``); every page needs it, every form posts its
CSRF token. The figures come from ``dashboard_queries`` (rollups, never a
year of raw rows) and the office's own report code for one office. "Today"
is each office's own date in its time zone, from the app's clock (a test
passes a fake one). Nothing here shows a citizen's name or phone.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import psycopg
from flask import Blueprint, Flask, Response, current_app, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from ..reports.service import MAX_PERIOD_DAYS
from ..reports.stats import period_bounds
from ..web.security_headers import content_security_policy
from . import dashboard_queries as queries
from . import dashboard_sessions as sessions
from . import report, store
from .dashboard_xlsx import ranking_xlsx
from .rollups import DEFAULT_TIMEZONE

bp = Blueprint("dashboard", __name__)

PROVINCE_ZONE = ZoneInfo(DEFAULT_TIMEZONE)
"""The province's own dates (the ranking's quick periods, the XLSX's time): Vietnam is one zone."""

WRONG_TOKEN = ("Mã truy cập không đúng hoặc đã bị thu hồi. Xin dán lại mã người xem do quản trị trung tâm tỉnh "
               "cấp (motcua hub viewer add).")
OFFICE_TOKEN = ("Đây là mã của một đơn vị, chỉ dùng để gửi dữ liệu lên trung tâm tỉnh. Để xem bảng điều khiển, "
                "xin dùng mã người xem do quản trị trung tâm tỉnh cấp.")
STALE_FORM = "Trang đã cũ: xin tải lại trang rồi thử lại."


def register(app: Flask) -> None:
    """Add the dashboard's pages and the security headers every answer of the hub gets."""
    app.register_blueprint(bp)
    app.after_request(_security_headers)
    app.jinja_env.filters.update(dmy=dmy, pct=percent, num=number)


def _db() -> psycopg.Connection:
    connect: Callable[[], psycopg.Connection] = current_app.extensions["motcua.hub.db"]
    return connect()


def _now() -> datetime:
    clock: Callable[[], datetime] = current_app.extensions["motcua.hub.clock"]
    return clock()


def _security_headers(response: Response) -> Response:
    """As the office server's answers: no sniffing, no framing, no referrer; pages from this server only."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
        response.headers.setdefault("Cache-Control", "no-store")
    return response


# -- signing in ---------------------------------------------------------------------------------------

def signed_in(view: Callable[..., Any]) -> Callable[..., Any]:
    """A page for a signed-in province reader; anyone else goes to the sign-in page."""
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        sid = request.cookies.get(sessions.SESSION_COOKIE, "")
        found = sessions.session_of(_db(), sid, _now()) if sid else None
        if found is None:
            return redirect(url_for("dashboard.sign_in"))
        g.viewer_session = found
        return view(*args, **kwargs)
    return wrapper


@bp.get("/dang-nhap")
def sign_in() -> Any:
    """The sign-in form (a fresh double-submit token in its own cookie)."""
    return _sign_in_page("", 200)


def _sign_in_page(message: str, status: int) -> Response:
    token = sessions.new_form_token()
    response = Response(render_template("hub_sign_in.html", message=message, form_token=token), status=status,
                        mimetype="text/html")
    _set_cookie(response, sessions.SIGN_IN_COOKIE, token, max_age=3600)
    return response


@bp.post("/dang-nhap")
def sign_in_submit() -> Any:
    """A viewer token typed in: a session; an office's token or a wrong one: a Vietnamese message."""
    if not sessions.same_token(request.form.get("form_token"), request.cookies.get(sessions.SIGN_IN_COOKIE)):
        return _sign_in_page(STALE_FORM, 403)
    token = (request.form.get("token") or "").strip()
    conn = _db()
    viewer = sessions.viewer_of_token(conn, token) if token else None
    if viewer is None:
        office_token = bool(token) and sessions.is_office_token(conn, token)
        return _sign_in_page(OFFICE_TOKEN if office_token else WRONG_TOKEN, 403 if office_token else 401)
    sid = sessions.open_session(conn, viewer, _now())
    response = redirect(url_for("dashboard.today"), code=303)
    _set_cookie(response, sessions.SESSION_COOKIE, sid, max_age=sessions.SESSION_HOURS * 3600)
    response.delete_cookie(sessions.SIGN_IN_COOKIE)
    return response


def _set_cookie(response: BaseResponse, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="Strict", secure=request.is_secure,
                        path="/")


@bp.post("/dang-xuat")
@signed_in
def sign_out() -> Any:
    """End the session (the form carries its CSRF token)."""
    if not sessions.same_token(request.form.get("csrf_token"), g.viewer_session.csrf):
        return Response(STALE_FORM, status=403, mimetype="text/plain")
    sessions.close_session(_db(), request.cookies.get(sessions.SESSION_COOKIE, ""))
    response = redirect(url_for("dashboard.sign_in"), code=303)
    response.delete_cookie(sessions.SESSION_COOKIE)
    return response


def _page(template: str, **values: Any) -> str:
    return render_template(template, viewer=g.viewer_session.viewer, csrf_token=g.viewer_session.csrf, **values)


# -- the pages ----------------------------------------------------------------------------------------

@bp.get("/")
@signed_in
def today() -> Any:
    """Mọi trung tâm hôm nay: one line per office, problems first."""
    now = _now()
    offices = queries.offices_today(_db(), now)
    return _page("hub_today.html", offices=offices, now=now.astimezone(PROVINCE_ZONE))


@bp.get("/xep-hang")
@signed_in
def ranking() -> Any:
    """Xếp hạng: the offices over a period, sortable; the period picked as dd/mm/yyyy."""
    period = Period.from_args(request.args, _province_today())
    sort, descending = _sort_args()
    rows = queries.sort_rows(queries.ranking(_db(), period.first, period.last), sort, descending) \
        if not period.error else []
    return _page("hub_ranking.html", period=period, rows=rows, sort=sort, descending=descending,
                 sort_link=functools.partial(_sort_link, period, sort, descending),
                 quick=quick_periods(_province_today()))


@bp.get("/xep-hang.xlsx")
@signed_in
def ranking_download() -> Any:
    """The ranking of the period as an XLSX, in the page's order."""
    period = Period.from_args(request.args, _province_today())
    if period.error:
        return Response(period.error, status=422, mimetype="text/plain")
    sort, descending = _sort_args()
    rows = queries.sort_rows(queries.ranking(_db(), period.first, period.last), sort, descending)
    body = ranking_xlsx(rows, period.first, period.last, _now().astimezone(PROVINCE_ZONE))
    name = f"xep-hang-{period.first.isoformat()}-{period.last.isoformat()}.xlsx"
    return Response(body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/don-vi/<code>")
@signed_in
def office_page(code: str) -> Any:
    """One office over the period: its own summary (the office's report code) and its waits against target."""
    conn = _db()
    found = store.office(conn, code)
    if found is None:
        return Response(render_template("hub_message.html", title="Không có đơn vị này",
                                        message=f"Trung tâm tỉnh không biết đơn vị {code}."),
                        status=404, mimetype="text/html")
    period = Period.from_args(request.args, _province_today())
    settings = store.office_settings(conn, code)
    summary = None
    if settings is not None and not period.error:
        summary = report.office_summary(conn, code, settings, period.first, period.last)
    figures = next((r for r in queries.ranking(conn, period.first, period.last) if r.code == code), None) \
        if not period.error else None
    return _page("hub_office.html", office=found, period=period, summary=summary, figures=figures,
                 quick=quick_periods(_province_today()))


def _province_today() -> date:
    return _now().astimezone(PROVINCE_ZONE).date()


# -- periods and sorting --------------------------------------------------------------------------------

class Period:
    """A ranking period from ``from``/``to`` as dd/mm/yyyy (this quarter until today by default)."""

    def __init__(self, first: date, last: date, error: str = "") -> None:
        self.first, self.last, self.error = first, last, error

    @property
    def query(self) -> dict[str, str]:
        return {"from": dmy(self.first), "to": dmy(self.last)}

    @classmethod
    def from_args(cls, args: Any, today: date) -> Period:
        default_first, _ = period_bounds("quarter", today)
        try:
            first = parse_dmy(args.get("from")) or default_first
            last = parse_dmy(args.get("to")) or today
        except ValueError:
            return cls(default_first, today, "Xin viết ngày dạng ngày/tháng/năm, ví dụ 01/07/2026.")
        if last < first:
            return cls(first, last, "Ngày kết thúc đứng trước ngày bắt đầu; xin đổi lại hai ngày.")
        if (last - first).days + 1 > MAX_PERIOD_DAYS:
            return cls(first, last, f"Một kỳ gồm tối đa {MAX_PERIOD_DAYS} ngày; xin chọn kỳ ngắn hơn.")
        return cls(first, last)


def parse_dmy(text: str | None) -> date | None:
    """``dd/mm/yyyy`` (also d/m/yyyy) → a date; empty → None; anything else raises ValueError."""
    text = (text or "").strip()
    if not text:
        return None
    day, month, year = (int(part) for part in text.split("/"))
    if year < 1000:
        raise ValueError(text)
    return date(year, month, day)


def quick_periods(today: date) -> list[tuple[str, dict[str, str]]]:
    """Quý này, quý trước, năm nay: (label, query) for links."""
    this_first, this_last = period_bounds("quarter", today)
    last_first, last_last = period_bounds("quarter", this_first - timedelta(days=1))
    year_first, year_last = period_bounds("year", today)
    return [(label, {"from": dmy(first), "to": dmy(last)}) for label, first, last in (
        ("Quý này", this_first, this_last), ("Quý trước", last_first, last_last), ("Năm nay", year_first, year_last))]


def _sort_args() -> tuple[str, bool]:
    sort = request.args.get("sort", "satisfied")
    if sort not in queries.SORTS:
        sort = "satisfied"
    default = "asc" if sort in ("mean_wait", "p90_wait", "no_show", "name") else "desc"
    return sort, request.args.get("dir", default) == "desc"


def _sort_link(period: Period, current: str, descending: bool, column: str) -> str:
    """The ranking sorted by ``column``: clicking the current column again turns the order round."""
    if column == current:
        direction = "asc" if descending else "desc"
    else:
        direction = "asc" if column in ("mean_wait", "p90_wait", "no_show", "name") else "desc"
    return url_for("dashboard.ranking") + "?" + urlencode({**period.query, "sort": column, "dir": direction})


# -- how numbers and dates read -----------------------------------------------------------------------------

def dmy(day: date | datetime | None) -> str:
    """dd/mm/yyyy."""
    return day.strftime("%d/%m/%Y") if day else "—"


def percent(value: float | None) -> str:
    """87.3 → "87,3 %" (a Vietnamese decimal comma); "—" when there is nothing to divide."""
    return "—" if value is None else f"{value:.1f}".replace(".", ",") + " %"


def number(value: float | int | None, digits: int = 0) -> str:
    """A count or a minute figure with a decimal comma; "—" for none."""
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}".replace(",", " ").replace(".", ",")
    return text.replace(" ", ".")
