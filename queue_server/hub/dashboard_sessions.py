"""Province readers' browser sessions at the hub: a viewer token typed once, then a cookie.

The cookie holds only a random session id; the hub keeps its SHA-256 hash,
the viewer, the session's CSRF token and an expiry (``hub_sessions``), so a
copied cookie dies with sign-out, the expiry or the viewer's revocation.
The sign-in form itself is protected by a double-submit token: a random
value in a cookie of its own and in the form, which another site can
neither read nor set.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg

from ..auth import constant_time_equal, hash_token

SESSION_COOKIE = "motcua_hub_session"
SIGN_IN_COOKIE = "motcua_hub_signin"
SESSION_HOURS = 12
"""A working day and its evening: a reader signs in again the next morning."""


@dataclass(frozen=True)
class ViewerSession:
    """A signed-in province reader."""

    viewer: str
    csrf: str
    expires_at: datetime


def viewer_of_token(conn: psycopg.Connection, token: str) -> str | None:
    """The name of the (not revoked) province reader a token belongs to."""
    row = conn.execute("SELECT name FROM hub_viewers WHERE token_hash = %s AND revoked_at IS NULL",
                       (hash_token(token),)).fetchone()
    return row[0] if row else None


def is_office_token(conn: psycopg.Connection, token: str) -> bool:
    """Whether a token is an office's (it sends batches; it does not read the province's dashboard)."""
    row = conn.execute("SELECT 1 FROM hub_offices WHERE token_hash = %s", (hash_token(token),)).fetchone()
    return row is not None


def open_session(conn: psycopg.Connection, viewer: str, now: datetime) -> str:
    """A new session for a reader; returns the cookie's id (only its hash is kept). Expired ones are dropped."""
    sid = secrets.token_urlsafe(32)
    with conn.transaction():
        conn.execute("DELETE FROM hub_sessions WHERE expires_at < %s", (now,))
        conn.execute("INSERT INTO hub_sessions (id_hash, viewer, csrf, created_at, expires_at) "
                     "VALUES (%s, %s, %s, %s, %s)",
                     (hash_token(sid), viewer, secrets.token_urlsafe(32), now, now + timedelta(hours=SESSION_HOURS)))
    return sid


def session_of(conn: psycopg.Connection, sid: str, now: datetime) -> ViewerSession | None:
    """The live session of a cookie id: not expired, its reader not revoked."""
    row = conn.execute("SELECT s.viewer, s.csrf, s.expires_at FROM hub_sessions AS s "
                       "JOIN hub_viewers AS v ON v.name = s.viewer AND v.revoked_at IS NULL "
                       "WHERE s.id_hash = %s AND s.expires_at > %s", (hash_token(sid), now)).fetchone()
    return ViewerSession(*row) if row else None


def close_session(conn: psycopg.Connection, sid: str) -> None:
    """Sign-out: the id stops working at once."""
    conn.execute("DELETE FROM hub_sessions WHERE id_hash = %s", (hash_token(sid),))


def new_form_token() -> str:
    """The sign-in form's double-submit value."""
    return secrets.token_urlsafe(24)


def same_token(sent: str | None, expected: str | None) -> bool:
    """Both present and equal, compared in constant time."""
    return bool(sent) and bool(expected) and constant_time_equal(sent or "", expected or "")
