"""Per-request helpers: the engine, a read connection, who is calling, the JSON body.

Routes stay thin: parse input here, call the engine, answer.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import unicodedata
from collections import deque
from typing import Any

import sqlite3
from flask import Response, current_app, g, request, session

from .. import auth
from ..engine import QueueEngine
from ..store.db import connect
from .errors import ApiError

_local = threading.local()
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def engine() -> QueueEngine:
    """The app's queue engine."""
    return current_app.extensions["motcua.engine"]


def read_conn() -> sqlite3.Connection:
    """A connection of this thread for reads and small side writes (users, tokens, devices)."""
    return thread_conn(str(current_app.config["MOTCUA_DB"]))


def thread_conn(db_path: str) -> sqlite3.Connection:
    """This thread's connection to a database, outside a request too (streams)."""
    conns = getattr(_local, "conns", None)
    if conns is None:
        conns = _local.conns = {}
    conn = conns.get(db_path)
    if conn is None:
        conn = conns[db_path] = connect(db_path).conn
    return conn


def get_db():
    """A sqlite-utils Database for this thread (for blueprints of other parts)."""
    import sqlite_utils

    return sqlite_utils.Database(read_conn())


def current_principal() -> auth.Principal | None:
    """The caller: a bearer token (devices, scripts) or the console's cookie session."""
    if "principal" in g:
        return g.principal
    principal = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        principal = current_app.extensions["motcua.token_cache"].resolve(header[7:].strip(), read_conn)
        if principal is None:
            raise ApiError(401, "invalid_token", "The token is unknown, revoked or expired: sign in again or ask for a new device token.")
    elif session.get("person_id") is not None:
        principal = cookie_person()
        if principal is not None and request.method not in SAFE_METHODS:
            check_csrf()
    g.principal = principal
    return principal


MAX_USERNAME, MAX_PASSWORD = 64, 256


class SignInRefused(Exception):
    """A sign-in form was refused: what to tell the person, the status, the name to keep in the form."""

    def __init__(self, message: str, status: int, username: str = "") -> None:
        super().__init__(message)
        self.message, self.status, self.username = message, status, username


def check_sign_in_form() -> auth.Principal:
    """The person a posted sign-in form names: CSRF, fields, rate limit and password checked.

    Raises SignInRefused with a plain Vietnamese message. Names and passwords
    are NFC, so a password typed on any keyboard matches.
    """
    try:
        check_csrf()
    except ApiError:
        raise SignInRefused("Trang đăng nhập đã cũ. Xin nhập lại.", 403) from None
    username = unicodedata.normalize("NFC", request.form.get("username", ""))[:MAX_USERNAME]
    password = unicodedata.normalize("NFC", request.form.get("password", ""))[:MAX_PASSWORD]
    if not username.strip() or not password:
        raise SignInRefused("Xin nhập tên đăng nhập và mật khẩu.", 422, username)
    limiter: RateLimiter = current_app.extensions["motcua.login_limiter"]
    if not limiter.allow(f"{request.remote_addr}:{auth.normalize_username(username)}"):
        raise SignInRefused("Đăng nhập quá nhiều lần. Xin đợi một phút rồi thử lại.", 429, username)
    person = auth.check_password(read_conn(), username, password)
    if person is None:
        raise SignInRefused("Sai tên đăng nhập hoặc mật khẩu.", 401, username)
    return person


def sign_in_cookie(person: auth.Principal) -> None:
    """Open a cookie session for a person: a fresh session, a server-side token, a new CSRF token.

    The cookie carries a session token that sign-out revokes in the
    database, so a copied cookie stops working when its owner signs out.
    """
    token, _ = auth.open_session(read_conn(), person, current_app.extensions["motcua.config"].limits.session_hours)
    session.clear()
    session["person_id"] = person.id
    session["sid"] = token
    session.permanent = True
    csrf_token()


def sign_out_cookie() -> None:
    """Revoke the cookie session's token and empty the cookie."""
    token = session.get("sid")
    if token:
        auth.close_session(read_conn(), token)
        current_app.extensions["motcua.token_cache"].forget(token)
    session.clear()


def sign_out_form() -> Response | None:
    """Sign out from a posted form: a 403 page when a signed-in session sends no valid CSRF token."""
    if session.get("person_id") is not None:
        try:
            check_csrf()
        except ApiError:
            return Response("Trang đã cũ: xin tải lại rồi đăng xuất.", status=403, mimetype="text/plain")
    sign_out_cookie()
    return None


def cookie_person() -> auth.Principal | None:
    """The person of the cookie session, while its server-side token is valid."""
    token, person_id = session.get("sid"), session.get("person_id")
    if not token or person_id is None:
        return None
    principal = current_app.extensions["motcua.token_cache"].resolve(token, read_conn)
    if principal is None or principal.kind != "person" or principal.id != person_id:
        return None
    return principal


def require(*roles: str) -> auth.Principal:
    """The caller, who must have one of these roles (401 when anonymous, 403 otherwise)."""
    principal = current_principal()
    if principal is None:
        raise ApiError(401, "unauthorized", "Sign in (POST /api/login) or send a device token: Authorization: Bearer <token>.")
    if principal.role not in roles:
        raise ApiError(403, "forbidden", f"A {principal.role} may not do this; it needs the role {' or '.join(roles)}.")
    return principal


def require_counter_clerk(counter: int) -> auth.Principal:
    """A clerk of this counter (or an admin); 404 for a counter the office does not have."""
    principal = require("clerk", "admin")
    office = engine().office
    if office.counter(counter) is None:
        raise ApiError(404, "unknown_counter", f"Không có quầy số {counter}. Counters here: "
                       + ", ".join(str(c.number) for c in office.counters))
    if principal.role == "clerk" and counter not in principal.counters:
        mine = ", ".join(str(n) for n in principal.counters) or "none"
        raise ApiError(403, "not_your_counter", f"You work at counter(s) {mine}, not counter {counter}.")
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
        raise ApiError(403, "csrf_failed", "The page is out of date: reload it and try again.")


def json_body() -> dict[str, Any]:
    """The request's JSON object, NFC-normalised; 400/422 with a clear message otherwise."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "bad_json", "The body is not valid JSON; send a JSON object such as {\"service\": \"HT\"}.") from None
    except RecursionError:  # valid JSON nested thousands deep: no request looks like that
        data = None
    if not isinstance(data, dict):
        raise ApiError(422, "invalid_body", "The body must be a JSON object such as {\"service\": \"HT\"}.")
    try:
        return _nfc(data)
    except RecursionError:
        raise ApiError(422, "invalid_body", "The body is nested too deeply; send a flat JSON object such as {\"service\": \"HT\"}.") from None


def _nfc(value: Any) -> Any:
    """Normalise every string in a JSON value to NFC."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    if isinstance(value, dict):
        return {_nfc(k): _nfc(v) for k, v in value.items()}
    return value


def field(body: dict[str, Any], name: str, kind: type, *, required: bool = True, max_length: int = 200) -> Any:
    """One field of a body, type-checked, with a message naming it."""
    if name not in body or body[name] is None:
        if required:
            raise ApiError(422, "missing_field", f'"{name}" is required.')
        return None
    value = body[name]
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ApiError(422, "invalid_field", f'"{name}" must be a whole number.')
    if kind is str:
        if not isinstance(value, str):
            raise ApiError(422, "invalid_field", f'"{name}" must be text.')
        if len(value) > max_length:
            raise ApiError(422, "invalid_field", f'"{name}" is too long (at most {max_length} characters).')
    return value


class TokenCache:
    """Resolved bearer tokens for a few seconds: saves two queries and a hash lookup per request.

    Sign-out drops the token here at once; a token revoked in the database by
    other means stops working within ``ttl`` seconds.
    """

    def __init__(self, ttl: float = 10.0) -> None:
        self.ttl = ttl
        self._entries: dict[str, tuple[auth.Principal, float]] = {}
        self._lock = threading.Lock()

    def resolve(self, token: str, conn_factory) -> auth.Principal | None:
        """The principal of a valid token, from the cache or the database."""
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(token)
        if entry is not None and entry[1] > now:
            return entry[0]
        principal = auth.resolve_token(conn_factory(), token)
        with self._lock:
            if principal is None:
                self._entries.pop(token, None)
            else:
                if len(self._entries) > 10_000:
                    self._entries.clear()
                self._entries[token] = (principal, now + self.ttl)
        return principal

    def forget(self, token: str) -> None:
        """Drop a token at once (sign-out)."""
        with self._lock:
            self._entries.pop(token, None)


class RateLimiter:
    """A sliding one-minute window per caller: at most ``per_minute`` actions."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._times: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Record an attempt; False when the caller is over its limit."""
        now = time.monotonic()
        with self._lock:
            times = self._times.setdefault(key, deque())
            while times and now - times[0] > 60.0:
                times.popleft()
            if len(times) >= self.per_minute:
                return False
            times.append(now)
            return True
