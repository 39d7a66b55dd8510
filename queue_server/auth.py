"""People and devices: hashed passwords, random tokens stored hashed, roles.

A token is shown once (to the device installer or in the login answer) and
only its SHA-256 is stored, so a copied database cannot be used to act as
anyone. Passwords use werkzeug's salted scrypt hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime, timedelta, timezone

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


@dataclass(frozen=True)
class Principal:
    """Who is calling: a person (clerk/admin) or a device (kiosk/display/rating)."""

    kind: str  # "person" or "device"
    id: int
    name: str
    role: str
    counters: tuple[int, ...] = ()

    @property
    def key(self) -> str:
        """A stable identity for rate limits and idempotency keys."""
        return f"{self.kind}:{self.id}"


def hash_token(token: str) -> str:
    """What is stored for a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(timezone.utc)


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
    return int(cursor.lastrowid)


def add_device(conn: sqlite3.Connection, name: str, role: str) -> str:
    """Register a device and return its token (shown once, stored hashed)."""
    name = unicodedata.normalize("NFC", name).strip()
    if not name or len(name) > 64:
        raise AuthError("Device name must be 1–64 characters.")
    if role not in DEVICE_ROLES:
        raise AuthError(f"Role must be one of: {', '.join(DEVICE_ROLES)}.")
    token = "dev_" + secrets.token_urlsafe(32)
    try:
        cursor = conn.execute(
            "INSERT INTO devices (name, role, created_at) VALUES (?, ?, ?)", (name, role, _now().isoformat())
        )
    except sqlite3.IntegrityError:
        raise AuthError(f"Device '{name}' already exists.") from None
    conn.execute(
        "INSERT INTO tokens (token_hash, kind, subject_id, created_at) VALUES (?, 'device', ?, ?)",
        (hash_token(token), cursor.lastrowid, _now().isoformat()),
    )
    return token


def check_password(conn: sqlite3.Connection, username: str, password: str) -> Principal | None:
    """The active person with this name and password (NFC or NFD), or None."""
    password = unicodedata.normalize("NFC", password)
    row = conn.execute(
        "SELECT id, username, password_hash, role, counters FROM users WHERE username = ? AND active = 1",
        (normalize_username(username),),
    ).fetchone()
    if row is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(row[2], password):
        return None
    return Principal("person", row[0], row[1], row[3], tuple(json.loads(row[4])))


def open_session(conn: sqlite3.Connection, person: Principal, hours: int) -> tuple[str, datetime]:
    """A bearer token for a signed-in person, valid for ``hours``."""
    token = "ses_" + secrets.token_urlsafe(32)
    expires = _now() + timedelta(hours=hours)
    conn.execute(
        "INSERT INTO tokens (token_hash, kind, subject_id, created_at, expires_at) VALUES (?, 'session', ?, ?, ?)",
        (hash_token(token), person.id, _now().isoformat(), expires.isoformat()),
    )
    return token, expires


def close_session(conn: sqlite3.Connection, token: str) -> None:
    """Revoke a session token (sign-out); a device token is not a session and stays valid."""
    conn.execute("UPDATE tokens SET revoked = 1 WHERE token_hash = ? AND kind = 'session'", (hash_token(token),))


def resolve_token(conn: sqlite3.Connection, token: str) -> Principal | None:
    """The person or device a bearer token belongs to, if it is valid now."""
    row = conn.execute(
        "SELECT kind, subject_id, expires_at, revoked FROM tokens WHERE token_hash = ?", (hash_token(token),)
    ).fetchone()
    if row is None or row[3]:
        return None
    kind, subject_id, expires_at, _ = row
    if expires_at is not None and datetime.fromisoformat(expires_at) <= _now():
        return None
    if kind == "device":
        device = conn.execute("SELECT id, name, role FROM devices WHERE id = ?", (subject_id,)).fetchone()
        return Principal("device", device[0], device[1], device[2]) if device else None
    person = conn.execute(
        "SELECT id, username, role, counters FROM users WHERE id = ? AND active = 1", (subject_id,)
    ).fetchone()
    return Principal("person", person[0], person[1], person[2], tuple(json.loads(person[3]))) if person else None


def person_by_id(conn: sqlite3.Connection, person_id: int) -> Principal | None:
    """An active person by id (for cookie sessions)."""
    row = conn.execute(
        "SELECT id, username, role, counters FROM users WHERE id = ? AND active = 1", (person_id,)
    ).fetchone()
    return Principal("person", row[0], row[1], row[2], tuple(json.loads(row[3]))) if row else None


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
