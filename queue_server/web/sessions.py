"""Who is calling: bearer tokens, cookie sessions, CSRF tokens, role checks.

Cookies carry only a random session id and the CSRF token; the database
keeps the session (see ``auth.open_session``).
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, current_app, g, has_request_context, request, session

from .. import auth
from .context import engine, read_conn
from .errors import ApiError

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def current_principal() -> auth.Principal | None:
    """The caller: a bearer token (devices, scripts) or the console's cookie session."""
    if "principal" in g:
        return g.principal
    principal = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        principal = current_app.extensions["motcua.token_cache"].resolve(header[7:].strip(), read_conn)
        if principal is None:
            raise ApiError(401, "invalid_token", "Mã không đúng, đã bị thu hồi hoặc đã hết hạn: "
                           "xin đăng nhập lại hoặc xin mã thiết bị mới.")
    elif session.get("sid"):
        principal = cookie_person()
        if principal is not None and request.method not in SAFE_METHODS:
            check_csrf()
    g.principal = principal
    if principal is not None:
        _trust_address()
    return principal


def _trust_address() -> None:
    """Note the caller's address as a known device or person: the server keeps connections for it."""
    trusted = current_app.extensions.get("motcua.trusted_addresses")
    if trusted is not None and request.remote_addr:
        trusted.mark(request.remote_addr)


def sign_in_cookie(person: auth.Principal) -> None:
    """Open a cookie session for a person: a fresh session, a server-side session id, a new CSRF token.

    The cookie carries only a random session id (and the CSRF token); the
    database keeps its hash and maps it to the person. That id is not a
    bearer token, sign-out revokes it, so a copied cookie stops working then.
    """
    sid, _ = auth.open_session(read_conn(), person, current_app.extensions["motcua.config"].limits.session_hours,
                               channel=auth.COOKIE)
    session.clear()
    session["sid"] = sid
    session.permanent = True
    csrf_token()


def sign_out_cookie() -> None:
    """Revoke the cookie session's id and empty the cookie."""
    sid = session.get("sid")
    if sid:
        auth.close_session(read_conn(), sid, channel=auth.COOKIE)
        current_app.extensions["motcua.token_cache"].forget(sid, channel=auth.COOKIE)
    session.clear()


def sign_out_form() -> Response | None:
    """Sign out from a posted form: a 403 page when a signed-in session sends no valid CSRF token."""
    if session.get("sid"):
        try:
            check_csrf()
        except ApiError:
            return Response("Trang đã cũ: xin tải lại rồi đăng xuất.", status=403, mimetype="text/plain")
    sign_out_cookie()
    return None


def cookie_person() -> auth.Principal | None:
    """The person of the cookie session, while its server-side session is valid."""
    sid = session.get("sid")
    if not sid or not isinstance(sid, str):
        return None
    principal = current_app.extensions["motcua.token_cache"].resolve(sid, read_conn, channel=auth.COOKIE)
    if principal is None or principal.kind != "person":
        return None
    return principal


def configure_cookies(app: Flask) -> None:
    """Session cookies HttpOnly, SameSite=Strict and Secure on HTTPS requests.

    Always Secure with SESSION_COOKIE_SECURE = True.
    """
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict")
    interface = type(app.session_interface)
    if not issubclass(interface, _SecureOnHttps):
        app.session_interface = type(f"SecureOnHttps{interface.__name__}", (_SecureOnHttps, interface), {})()


class _SecureOnHttps:
    """Mixed into the app's session interface: the cookie is Secure when the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(super().get_cookie_secure(app)) or (has_request_context() and request.is_secure)  # type: ignore[misc]


def require(*roles: str, allow_temporary_password: bool = False) -> auth.Principal:
    """The caller, who must have one of these roles (401 when anonymous, 403 otherwise).

    A person still on a password an admin gave may only replace it (``allow_temporary_password``):
    someone else saw it on the admin's screen.
    """
    principal = current_principal()
    if principal is None:
        raise ApiError(401, "unauthorized",
                       "Xin đăng nhập (POST /api/login) hoặc gửi mã thiết bị: Authorization: Bearer <token>.")
    if principal.role not in roles:
        raise ApiError(403, "forbidden",
                       f"Vai trò {principal.role} không được làm việc này; cần vai trò {' hoặc '.join(roles)}.")
    if principal.must_change_password and not allow_temporary_password:
        raise ApiError(403, "password_change_required",
                       "Xin đổi mật khẩu trước (trang /doi-mat-khau): mật khẩu này do quản trị cấp.")
    return principal


def require_counter_clerk(counter: int) -> auth.Principal:
    """A clerk of this counter (or an admin); 404 for a counter the office does not have."""
    principal = require("clerk", "admin")
    office = engine().office
    if office.counter(counter) is None:
        raise ApiError(404, "unknown_counter", f"Không có quầy số {counter}. Các quầy ở đây: "
                       + ", ".join(str(c.number) for c in office.counters))
    if principal.role == "clerk" and counter not in principal.counters:
        mine = ", ".join(str(n) for n in principal.counters) or "không có"
        raise ApiError(403, "not_your_counter", f"Bạn làm việc ở quầy {mine}, không phải quầy {counter}.")
    return principal


def csrf_token() -> str:
    """The session's CSRF token (made on first use), for forms and the console's fetch calls."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf() -> None:
    """Cookie-authenticated changes must carry the session's CSRF token (header or form field)."""
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token") or ""
    expected = session.get("csrf") or ""
    if not expected or not auth.constant_time_equal(sent, expected):
        raise ApiError(403, "csrf_failed", "Trang đã cũ: xin tải lại trang rồi thử lại.")
