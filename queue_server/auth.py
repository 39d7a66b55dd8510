"""People and devices: hashed passwords, random tokens stored hashed, roles.

A token is shown once (to the device installer or in the login answer) and
only its SHA-256 is stored, so a copied database cannot be used to act as
anyone. Passwords use werkzeug's salted scrypt hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from werkzeug.security import check_password_hash, generate_password_hash

PERSON_ROLES = ("clerk", "admin")
DEVICE_ROLES = ("kiosk", "display", "rating")
MIN_PASSWORD_LENGTH = 8


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash to check against when the name is unknown: login takes as long, so
    response times do not reveal which usernames exist. Made on first use, not at
    import, because scrypt is slow and the server should start fast."""
    return generate_password_hash("motcua-dummy-password")


class AuthError(ValueError):
    """A person or device could not be added or signed in; the message says why."""


class PasswordCheckBusy(RuntimeError):
    """Every password-check slot stayed taken too long: the server is flooded with sign-ins."""


HASH_SLOTS = max(1, min(4, os.cpu_count() or 1))
"""At most this many scrypt checks at once: each takes 32 MiB and a core for ~60 ms, so a
flood of sign-ins queues here instead of growing memory by 32 MiB per waiting thread."""
HASH_WAIT_SECONDS = 5.0  # a sign-in that waits longer for a slot is answered "busy, retry"


class PasswordChecker:
    """Runs password checks through a few slots; an unknown name costs a wait, not a hash.

    For an unknown username the checker sleeps as long as recent real checks
    took (inside a slot, so it queues like them): the answer comes as late as
    for a real name, without the memory and CPU of scrypt.
    """

    def __init__(self, slots: int = HASH_SLOTS, wait: float = HASH_WAIT_SECONDS,
                 sleep: Callable[[float], None] = time.sleep, timer: Callable[[], float] = time.perf_counter) -> None:
        self._slots = threading.BoundedSemaphore(slots)
        self.wait, self._sleep, self._timer = wait, sleep, timer
        self._typical: float | None = None  # seconds a real check takes lately (moving average)
        self.hashes = 0  # real scrypt checks run (for tests and benchmarks)

    def check(self, password_hash: str | None, password: str) -> bool:
        """True when the password matches the hash; ``None`` (unknown name) is always False."""
        if not self._slots.acquire(timeout=self.wait):
            raise PasswordCheckBusy("too many sign-ins at once")
        try:
            if password_hash is None and self._typical is not None:
                self._sleep(self._typical)
                return False
            started = self._timer()
            matched = check_password_hash(password_hash or _dummy_hash(), password)
            self.hashes += 1
            took = self._timer() - started
            self._typical = took if self._typical is None else 0.8 * self._typical + 0.2 * took
            return matched and password_hash is not None
        finally:
            self._slots.release()


PASSWORDS = PasswordChecker()
"""The process's password checker (one set of slots for the console, the admin page and the API)."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: a person (clerk/admin) or a device (kiosk/display/rating)."""

    kind: str  # "person" or "device"
    id: int
    name: str
    role: str
    counters: tuple[int, ...] = ()
    must_change_password: bool = False  # signed in with a password an admin gave (shown on their screen)

    @property
    def key(self) -> str:
        """A stable identity for rate limits and idempotency keys."""
        return f"{self.kind}:{self.id}"


def hash_token(token: str) -> str:
    """What is stored for a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def normalize_username(name: str) -> str:
    """NFC, trimmed, case-folded: one person, one name."""
    return unicodedata.normalize("NFC", name).strip().casefold()


def add_user(conn: sqlite3.Connection, username: str, password: str, role: str, counters: list[int]) -> int:
    """Create a clerk or admin; raises AuthError with a readable reason."""
    username = normalize_username(username)
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise AuthError("Username must be 1–64 characters without spaces.")
    if role not in PERSON_ROLES:
        raise AuthError(f"Role must be one of: {', '.join(PERSON_ROLES)}.")
    password = unicodedata.normalize("NFC", password)  # keyboards type Vietnamese in NFC or NFD
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"Password must have at least {MIN_PASSWORD_LENGTH} characters.")
    if role == "clerk" and not counters:
        raise AuthError("A clerk needs at least one --counter.")
    try:
        cursor = conn.execute(
            "INSERT INTO users (username, password_hash, role, counters, created_at) VALUES (?, ?, ?, ?, ?)",
            (username, generate_password_hash(password), role, json.dumps(sorted(set(counters))), _now().isoformat()),
        )
    except sqlite3.IntegrityError:
        raise AuthError(f"User '{username}' already exists.") from None
    if cursor.lastrowid is None:  # sqlite3 sets it after every INSERT
        raise AuthError(f"User '{username}' was not added.")
    return cursor.lastrowid


def add_device(conn: sqlite3.Connection, name: str, role: str) -> str:
    """Register a device and return its token (shown once, stored hashed)."""
    name = unicodedata.normalize("NFC", name).strip()
    if not name or len(name) > 64:
        raise AuthError("Device name must be 1–64 characters.")
    if role not in DEVICE_ROLES:
        raise AuthError(f"Role must be one of: {', '.join(DEVICE_ROLES)}.")
    try:
        cursor = conn.execute(
            "INSERT INTO devices (name, role, created_at) VALUES (?, ?, ?)", (name, role, _now().isoformat())
        )
    except sqlite3.IntegrityError:
        raise AuthError(f"Device '{name}' already exists.") from None
    return new_device_token(conn, int(cursor.lastrowid or 0))


def new_device_token(conn: sqlite3.Connection, device_id: int, now: datetime | None = None) -> str:
    """A new bearer token for a device (``motcua device add``, a paired kiosk or board), stored only hashed."""
    token = "dev_" + secrets.token_urlsafe(32)
    conn.execute(
        "INSERT INTO tokens (token_hash, kind, subject_id, created_at) VALUES (?, 'device', ?, ?)",
        (hash_token(token), device_id, (now or _now()).isoformat()),
    )
    return token


def check_password(conn: sqlite3.Connection, username: str, password: str,
                   checker: PasswordChecker | None = None) -> Principal | None:
    """The active person with this name and password (NFC or NFD), or None.

    Raises PasswordCheckBusy when the checker's slots stay taken (a sign-in flood).
    """
    password = unicodedata.normalize("NFC", password)
    row = conn.execute(
        "SELECT id, username, password_hash, role, counters, must_change_password FROM users "
        "WHERE username = ? AND active = 1",
        (normalize_username(username),),
    ).fetchone()
    if not (checker or PASSWORDS).check(row[2] if row else None, password) or row is None:
        return None
    return Principal("person", row[0], row[1], row[3], tuple(json.loads(row[4])), bool(row[5]))


BEARER, COOKIE = "bearer", "cookie"
"""How a session is presented. A cookie session's id is stored under a hash of its own
(``cookie_hash``), so the id read out of a cookie is no bearer token: sent as
``Authorization: Bearer`` it is unknown, and the cookie path always checks CSRF."""


def cookie_hash(session_id: str) -> str:
    """What is stored for a cookie session's id (never equal to ``hash_token`` of any string)."""
    return hashlib.sha256(b"motcua-cookie-session\0" + session_id.encode("utf-8")).hexdigest()


def _stored_hash(token: str, channel: str) -> str:
    return cookie_hash(token) if channel == COOKIE else hash_token(token)


def open_session(conn: sqlite3.Connection, person: Principal, hours: int,
                 channel: str = BEARER) -> tuple[str, datetime]:
    """A session for a signed-in person, valid for ``hours``: a bearer token, or a cookie's id."""
    token = ("ck_" if channel == COOKIE else "ses_") + secrets.token_urlsafe(32)
    expires = _now() + timedelta(hours=hours)
    conn.execute(
        "INSERT INTO tokens (token_hash, kind, subject_id, created_at, expires_at) VALUES (?, 'session', ?, ?, ?)",
        (_stored_hash(token, channel), person.id, _now().isoformat(), expires.isoformat()),
    )
    return token, expires


def close_session(conn: sqlite3.Connection, token: str, channel: str = BEARER) -> None:
    """Revoke a session (sign-out); a device token is not a session and stays valid."""
    conn.execute("UPDATE tokens SET revoked = 1 WHERE token_hash = ? AND kind = 'session'",
                 (_stored_hash(token, channel),))


def resolve_token(conn: sqlite3.Connection, token: str, channel: str = BEARER) -> Principal | None:
    """The person or device a bearer token (or a cookie's session id) belongs to, if it is valid now."""
    row = conn.execute(
        "SELECT kind, subject_id, expires_at, revoked FROM tokens WHERE token_hash = ?", (_stored_hash(token, channel),)
    ).fetchone()
    if row is None or row[3]:
        return None
    kind, subject_id, expires_at, _ = row
    if expires_at is not None and datetime.fromisoformat(expires_at) <= _now():
        return None
    if kind == "device":
        device = conn.execute("SELECT id, name, role FROM devices WHERE id = ?", (subject_id,)).fetchone()
        return Principal("device", device[0], device[1], device[2]) if device else None
    return person_by_id(conn, subject_id)


def person_by_id(conn: sqlite3.Connection, person_id: int) -> Principal | None:
    """An active person by id (for cookie sessions)."""
    row = conn.execute(
        "SELECT id, username, role, counters, must_change_password FROM users WHERE id = ? AND active = 1",
        (person_id,),
    ).fetchone()
    return Principal("person", row[0], row[1], row[2], tuple(json.loads(row[3])), bool(row[4])) if row else None


def constant_time_equal(a: str, b: str) -> bool:
    """Compare secrets without leaking their length of common prefix by timing."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def server_secret(conn: sqlite3.Connection) -> str:
    """The key that signs cookie sessions: made once per database, never in git."""
    row = conn.execute("SELECT value FROM settings WHERE key = 'secret_key'").fetchone()
    if row:
        return row[0]
    secret = secrets.token_hex(32)
    conn.execute("INSERT OR IGNORE INTO settings (key, value) VALUES ('secret_key', ?)", (secret,))
    return conn.execute("SELECT value FROM settings WHERE key = 'secret_key'").fetchone()[0]


# -- revoking: devices, people, passwords ---------------------------------------------------
# Every change here also bumps the "auth generation" setting: a running server reads it on
# each authenticated request (one primary-key lookup) and drops its token cache when it
# moved, so a revocation made by ``motcua`` in another process counts at the next request.

def auth_generation(conn: sqlite3.Connection) -> int:
    """How many revocations this database has seen (0 before the first)."""
    row = conn.execute("SELECT value FROM settings WHERE key = 'auth_generation'").fetchone()
    return int(row[0]) if row else 0


def _bump_generation(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT INTO settings (key, value) VALUES ('auth_generation', '1') "
                 "ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1")


def list_devices(conn: sqlite3.Connection) -> list[dict]:
    """Every device: name, role, when added and last seen, and whether its token still works."""
    rows = conn.execute(
        "SELECT name, role, created_at, last_seen_at, EXISTS (SELECT 1 FROM tokens t WHERE t.kind = 'device' "
        "AND t.subject_id = d.id AND t.revoked = 0) FROM devices d ORDER BY name"
    ).fetchall()
    return [{"name": n, "role": r, "created_at": c, "last_seen_at": s, "active": bool(a)} for n, r, c, s, a in rows]


def revoke_device(conn: sqlite3.Connection, name: str) -> None:
    """Make a device's token stop working (a stolen or retired kiosk); raises AuthError if unknown."""
    row = conn.execute("SELECT id FROM devices WHERE name = ?",
                       (unicodedata.normalize("NFC", name).strip(),)).fetchone()
    if row is None:
        raise AuthError(f"No device '{name}'. See: motcua device list.")
    conn.execute("UPDATE tokens SET revoked = 1 WHERE kind = 'device' AND subject_id = ?", (row[0],))
    _bump_generation(conn)


def list_users(conn: sqlite3.Connection) -> list[dict]:
    """Every person: name, role, counters, active or disabled, open sessions."""
    now = _now().isoformat()
    rows = conn.execute(
        "SELECT username, role, counters, active, (SELECT COUNT(*) FROM tokens t WHERE t.kind = 'session' "
        "AND t.subject_id = u.id AND t.revoked = 0 AND (t.expires_at IS NULL OR t.expires_at > ?)) "
        "FROM users u ORDER BY username", (now,)
    ).fetchall()
    return [{"name": n, "role": r, "counters": json.loads(c), "active": bool(a), "sessions": s}
            for n, r, c, a, s in rows]


def _user_id(conn: sqlite3.Connection, username: str) -> int:
    row = conn.execute("SELECT id FROM users WHERE username = ?", (normalize_username(username),)).fetchone()
    if row is None:
        raise AuthError(f"No user '{normalize_username(username)}'. See: motcua user list.")
    return int(row[0])


def _revoke_sessions(conn: sqlite3.Connection, user_id: int) -> None:
    conn.execute("UPDATE tokens SET revoked = 1 WHERE kind = 'session' AND subject_id = ?", (user_id,))
    _bump_generation(conn)


def end_sessions(conn: sqlite3.Connection, username: str) -> None:
    """End every session of a person (their role or counters changed: they sign in again to get the new ones)."""
    _revoke_sessions(conn, _user_id(conn, username))


def set_user_active(conn: sqlite3.Connection, username: str, active: bool) -> None:
    """Disable a person (who can no longer sign in; every session ends) or enable them again."""
    user_id = _user_id(conn, username)
    conn.execute("UPDATE users SET active = ? WHERE id = ?", (1 if active else 0, user_id))
    if not active:
        _revoke_sessions(conn, user_id)


def set_password(conn: sqlite3.Connection, username: str, password: str) -> None:
    """Give a person a new password; every session opened with the old one ends."""
    user_id = _user_id(conn, username)
    password = unicodedata.normalize("NFC", password)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"Password must have at least {MIN_PASSWORD_LENGTH} characters.")
    conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (generate_password_hash(password), user_id))
    _revoke_sessions(conn, user_id)
