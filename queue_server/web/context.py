"""Per-request helpers: the engine, a read connection, who is calling, the JSON body.

Routes stay thin: parse input here, call the engine, answer.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
import unicodedata
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlite3
from flask import Flask, Response, current_app, g, has_request_context, request, session

from .. import auth
from ..core import views
from ..engine import QueueEngine
from ..store.db import connect
from .errors import ApiError

log = logging.getLogger("motcua.auth")
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


MAX_HOST_LENGTH = 261  # a 253-character DNS name and ":65535": longer is no host a phone could reach


def request_base_url() -> str:
    """The scheme and host the caller reached this server at, e.g. ``http://192.168.1.10:8080``.

    Ticket links use it when ``[office] public_url`` is unset: a kiosk set up with the
    server's LAN address prints QR codes with that address. X-Forwarded-Proto/Host are
    ignored on purpose (no ProxyFix): any device on the LAN could send them; behind a
    reverse proxy set ``public_url``. The link goes only to the caller (never into the
    event log), so a forged Host misleads only the one who forged it. "" (the link
    stays a path) when the Host header is missing, or not a valid host[:port] (werkzeug
    drops those), rather than the server's made-up SERVER_NAME.
    """
    if "Host" not in request.headers:
        return ""
    host = request.host
    if not host or len(host) > MAX_HOST_LENGTH:
        return ""
    return f"{request.scheme}://{host}"


def with_status_link(view: dict[str, Any] | None) -> dict[str, Any] | None:
    """A ticket view (or None) with its status link absolute for this request (see ``request_base_url``)."""
    return None if view is None else views.complete_status_url(view, request_base_url())


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
    elif session.get("sid"):
        principal = cookie_person()
        if principal is not None and request.method not in SAFE_METHODS:
            check_csrf()
    g.principal = principal
    return principal


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
        raise SignInRefused("Máy chủ đang bận. Xin thử đăng nhập lại sau vài giây.", 503, username, "server_busy") from None
    if person is None:
        guard.failed(address, name)
        raise SignInRefused(WRONG_PASSWORD, 401, username, "bad_credentials")
    guard.succeeded(address, name)
    return person


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


def configure_sign_in(app: Flask) -> None:
    """Session cookies HttpOnly, SameSite=Strict and Secure on HTTPS requests (always with
    SESSION_COOKIE_SECURE = True); the sign-in guard, with the app's per-name limit."""
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict")
    interface = type(app.session_interface)
    if not issubclass(interface, _SecureOnHttps):
        app.session_interface = type(f"SecureOnHttps{interface.__name__}", (_SecureOnHttps, interface), {})()
    per_user = getattr(app.extensions.get("motcua.login_limiter"), "per_minute", FAILURES_PER_NAME)
    app.extensions["motcua.sign_in_guard"] = SignInGuard(failures_per_name=per_user)


class _SecureOnHttps:
    """Mixed into the app's session interface: the cookie is Secure when the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(super().get_cookie_secure(app)) or (has_request_context() and request.is_secure)  # type: ignore[misc]


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


SQLITE_MAX_INT = 2**63 - 1
"""SQLite keeps integers in 64 bits: a larger number can be neither stored nor matched."""


def int_param(value: Any, name: str, *, minimum: int = 0, maximum: int = SQLITE_MAX_INT,
              code: str = "invalid_field", hint: str = "", text: bool = True) -> int:
    """A whole number within [minimum, maximum], from query/header text or (``text=False``) a JSON body; 422 otherwise.

    Text must be ASCII digits with an optional leading '-': ``int()`` also
    takes '٣' or '５' (and ``isdigit()`` passes '²', which ``int()`` refuses),
    and raises on more than 4300 digits, so both are checked before it runs.
    """
    refusal = ApiError(422, code, f'"{name}" phải là số nguyên từ {minimum} đến {maximum}, viết bằng chữ số 0–9 '
                                  f'("{name}" must be a whole number from {minimum} to {maximum}).{hint}')
    if text and isinstance(value, str):
        stripped = value.strip()
        digits = stripped.removeprefix("-")
        if not digits.isascii() or not digits.isdigit() or len(digits) > len(str(max(abs(minimum), abs(maximum)))):
            raise refusal
        value = int(stripped)
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise refusal
    return value


class TokenCache:
    """Resolved tokens and cookie sessions for a few seconds: saves two queries and a hash per request.

    Sign-out drops the token here at once. Revocations by ``motcua device
    revoke`` / ``user disable`` / ``user password`` (another process) bump
    the database's auth generation; the cache reads it (one primary-key
    query) at most every ``check_every`` seconds and empties itself when it
    moved, so a revocation counts within that time. (Reading it on every
    request cost ticket issue ~10% under load: each read opens a WAL snapshot.)
    """

    def __init__(self, ttl: float = 10.0, check_every: float = 0.25, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.check_every, self._clock = ttl, check_every, clock
        self._entries: dict[tuple[str, str], tuple[auth.Principal, float]] = {}
        self._generation: int | None = None
        self._checked_at = float("-inf")
        self._lock = threading.Lock()

    def resolve(self, token: str, conn_factory, channel: str = auth.BEARER) -> auth.Principal | None:
        """The principal of a valid token (or cookie session id), from the cache or the database."""
        now, key = self._clock(), (channel, token)
        if now - self._checked_at >= self.check_every:
            self._check_generation(conn_factory(), now)
        with self._lock:
            entry = self._entries.get(key)
            generation = self._generation
        if entry is not None and entry[1] > now:
            return entry[0]
        principal = auth.resolve_token(conn_factory(), token, channel)
        with self._lock:
            if principal is None or generation != self._generation:
                self._entries.pop(key, None)
            else:
                if len(self._entries) > 10_000:
                    self._entries.clear()
                self._entries[key] = (principal, now + self.ttl)
        return principal

    def _check_generation(self, conn: sqlite3.Connection, now: float) -> None:
        generation = auth.auth_generation(conn)
        with self._lock:
            self._checked_at = now
            if generation != self._generation:
                self._entries.clear()
                self._generation = generation

    def forget(self, token: str, channel: str = auth.BEARER) -> None:
        """Drop a token at once (sign-out)."""
        with self._lock:
            self._entries.pop((channel, token), None)


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


FAILURES_PER_ADDRESS = 30
"""Failed (or still running) sign-ins one address may make in a minute, whatever the names:
past it the address waits (password spraying: one machine trying every username)."""
FAILURES_PER_NAME = 10  # wrong passwords for one name from one address in a minute before the slow lane
SLOW_LANE_SECONDS = 10.0
"""Past its limit a name is still checked, once every this many seconds: the clerk who
mistyped ten times gets in with the right password, a guesser gets six tries a minute."""
WINDOW_SECONDS = 60.0


@dataclass(frozen=True)
class Refusal:
    """Why the guard refused a sign-in before hashing: the stable code and the Vietnamese message."""

    code: str
    message: str


FROM_ADDRESS = Refusal("too_many_attempts_from_address",
                       "Quá nhiều lần đăng nhập sai từ máy này. Vui lòng thử lại sau 1 phút.")
FOR_NAME = Refusal("too_many_attempts",
                   f"Sai mật khẩu nhiều lần. Vui lòng đợi {int(SLOW_LANE_SECONDS)} giây rồi thử lại.")


class SignInGuard:
    """Sign-in limits per address and per (address, username), checked before any password hashing.

    An address counts its failed sign-ins and those still being checked (so a
    burst of parallel tries is bounded before the first one ends); a
    successful sign-in is refunded. A name past its limit goes to a slow
    lane: one check ``slow_lane`` seconds after its last failure, which lets a correct password in.
    """

    def __init__(self, failures_per_address: int = FAILURES_PER_ADDRESS, failures_per_name: int = FAILURES_PER_NAME,
                 slow_lane: float = SLOW_LANE_SECONDS, window: float = WINDOW_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.failures_per_address, self.failures_per_name = failures_per_address, failures_per_name
        self.slow_lane, self.window, self._clock = slow_lane, window, clock
        self._addresses: dict[str, deque[float]] = {}
        self._names: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def admit(self, address: str, name: str) -> Refusal | None:
        """None when this sign-in may be checked now (and it is counted), else why not."""
        now = self._clock()
        with self._lock:
            self._forget_stale(now)
            tries = self._recent(self._addresses, address, now)
            if len(tries) >= self.failures_per_address:
                return FROM_ADDRESS
            failures = self._recent(self._names, (address, name), now)
            if len(failures) >= self.failures_per_name and now - failures[-1] < self.slow_lane:
                return FOR_NAME
            tries.append(now)
            return None

    def failed(self, address: str, name: str) -> None:
        """A wrong password or unknown name: the address keeps its count, the name gets one."""
        now = self._clock()
        with self._lock:
            self._recent(self._names, (address, name), now).append(now)

    def succeeded(self, address: str, name: str) -> None:
        """The right password: the address gets its try back, the name starts afresh."""
        with self._lock:
            self.refund_locked(address)
            self._names.pop((address, name), None)

    def refund(self, address: str) -> None:
        """Give the address back a try that was not checked (the server was busy)."""
        with self._lock:
            self.refund_locked(address)

    def refund_locked(self, address: str) -> None:
        tries = self._addresses.get(address)
        if tries:
            tries.pop()

    def _recent(self, table: dict, key: Any, now: float) -> deque[float]:
        times = table.setdefault(key, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def _forget_stale(self, now: float) -> None:
        """Keep memory bounded under a flood of names: drop keys with nothing in the window."""
        if len(self._names) + len(self._addresses) < 10_000:
            return
        for table in (self._addresses, self._names):
            for key in [k for k, times in table.items() if not times or now - times[-1] > self.window]:
                del table[key]
