"""Sign-in of people (forms and POST /api/login): fields, the sign-in guard, the password check."""

from __future__ import annotations

import logging
import unicodedata

from flask import Flask, current_app, request

from .. import auth
from .context import read_conn
from .disk_guard import require_disk_reserve
from .errors import ApiError
from .rate_limit import FAILURES_PER_NAME, SignInGuard
from .sessions import check_csrf, configure_cookies

log = logging.getLogger("motcua.auth")


MAX_USERNAME, MAX_PASSWORD = 64, 256


class SignInRefused(Exception):
    """A sign-in was refused: what to tell the person, the status, the stable code, the name to keep in the form."""

    def __init__(self, message: str, status: int, username: str = "", code: str = "sign_in_refused") -> None:
        super().__init__(message)
        self.message, self.status, self.username, self.code = message, status, username, code


WRONG_PASSWORD = "Sai tên đăng nhập hoặc mật khẩu."


def check_sign_in_form() -> auth.Principal:
    """The person a posted sign-in form names: CSRF, fields, rate limits and password checked.

    Raises SignInRefused with a plain Vietnamese message. Names and passwords
    are NFC, so a password typed on any keyboard matches.
    """
    try:
        check_csrf()
    except ApiError:
        raise SignInRefused("Trang đăng nhập đã cũ. Xin nhập lại.", 403, code="csrf_failed") from None
    username = unicodedata.normalize("NFC", request.form.get("username", ""))[:MAX_USERNAME]
    password = unicodedata.normalize("NFC", request.form.get("password", ""))[:MAX_PASSWORD]
    if not username.strip() or not password:
        raise SignInRefused("Xin nhập tên đăng nhập và mật khẩu.", 422, username, "missing_field")
    return check_sign_in(username, password)


def check_sign_in(username: str, password: str) -> auth.Principal:
    """The person with this name and password, through the sign-in guard (forms and POST /api/login).

    The address's and the name's limits are checked before any hashing;
    raises SignInRefused (401 wrong, 429 too many, 503 flooded).
    """
    try:
        require_disk_reserve()  # a session is a write: none while the disk is nearly full
    except ApiError as low:
        raise SignInRefused(low.message, low.status, username, low.code) from None
    guard: SignInGuard = current_app.extensions["motcua.sign_in_guard"]
    address, name = request.remote_addr or "?", auth.normalize_username(username)
    refusal = guard.admit(address, name)
    if refusal is not None:
        log.warning("sign-in refused (%s) from %s for username %r", refusal.code, address, name[:64])
        raise SignInRefused(refusal.message, 429, username, refusal.code)
    try:
        person = auth.check_password(read_conn(), username, password)
    except auth.PasswordCheckBusy:
        guard.refund(address)
        log.warning("sign-in refused (server_busy) from %s: every password-check slot is taken", address)
        raise SignInRefused("Máy chủ đang bận. Xin thử đăng nhập lại sau vài giây.", 503, username,
                            "server_busy") from None
    if person is None:
        guard.failed(address, name)
        raise SignInRefused(WRONG_PASSWORD, 401, username, "bad_credentials")
    guard.succeeded(address, name)
    return person


def configure_sign_in(app: Flask) -> None:
    """Session cookies HttpOnly, SameSite=Strict and Secure on HTTPS requests (always with
    SESSION_COOKIE_SECURE = True); the sign-in guard, with the app's per-name limit."""
    configure_cookies(app)
    per_user = getattr(app.extensions.get("motcua.login_limiter"), "per_minute", FAILURES_PER_NAME)
    app.extensions["motcua.sign_in_guard"] = SignInGuard(failures_per_name=per_user)
