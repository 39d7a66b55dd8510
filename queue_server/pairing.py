"""Pairing a counter's rating tablet once: a short code on the tablet, confirmed by the admin.

The flow a clerk finds easiest: the tablet (a cheap Android tablet in kiosk
mode, often without a usable keyboard) opens ``/danh-gia/<counter>`` and
shows a 6-digit code and its QR; the admin types the code into
``motcua device pair CODE --name … --counter N`` (or scans the QR with a
signed-in phone). Nobody types a token on the tablet and no token ever
appears in a URL.

Secrets are stored hashed: the code (random, valid ``CODE_MINUTES``), the
claim id the tablet's browser holds in a cookie while it waits, and the
device session id it gets once confirmed (a ``tokens`` row of kind
``device`` under ``auth.cookie_hash``, so ``motcua device revoke`` ends it).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import auth

CODE_DIGITS = 6  # short enough to read across a desk and type without mistakes
CODE_MINUTES = 10  # a code nobody confirmed in this long is dead: guessing one is a race against the clock
WAITING, PAIRED, EXPIRED = "waiting", "paired", "expired"


class PairingError(ValueError):
    """A code that cannot be confirmed; the message says why and what to do."""


@dataclass(frozen=True)
class Tablet:
    """A paired rating tablet: the device it signs in as and the counter it faces."""

    principal: auth.Principal
    counter: int


# -- what every pairing by code shares (rating tablets here, kiosks and boards in device_pairing) --------

def code_hash(conn: sqlite3.Connection, code: str) -> str:
    """Keyed with the server's secret: a leaked table of 6-digit hashes is not a table of codes."""
    key = auth.server_secret(conn).encode("ascii")
    return hmac.new(key, b"motcua-pairing\0" + code.encode("ascii"), hashlib.sha256).hexdigest()


def claim_hash(claim: str) -> str:
    """What is stored for a claim id (a 256-bit secret: unkeyed SHA-256 is enough)."""
    return hashlib.sha256(b"motcua-pairing-claim\0" + claim.encode("utf-8")).hexdigest()


def new_claim() -> str:
    """The secret the waiting device keeps and shows nobody: it alone collects the device's credential."""
    return "pc_" + secrets.token_urlsafe(32)


def clean_code(code: str) -> str | None:
    """The code as typed ("042 917" too) when it is ``CODE_DIGITS`` ASCII digits, else None."""
    code = "".join(code.split())
    return code if code.isascii() and code.isdigit() and len(code) == CODE_DIGITS else None


def insert_with_new_code(insert: Callable[[str], None]) -> str:
    """Draw random codes until ``insert(code)`` stores one (it raises IntegrityError on a live code alike)."""
    while True:  # two live codes alike are one in 10^6 per pair: retry rather than mix two devices up
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        try:
            insert(code)
            return code
        except sqlite3.IntegrityError:
            continue


# -- rating tablets -------------------------------------------------------------------------------

def start_pairing(conn: sqlite3.Connection, counter: int, now: datetime) -> tuple[str, str]:
    """A new code for a tablet at ``counter`` and the claim id its browser keeps: ``(code, claim)``."""
    conn.execute("DELETE FROM tablet_pairings WHERE expires_at <= ?", (now.isoformat(),))
    claim = new_claim()
    expires = (now + timedelta(minutes=CODE_MINUTES)).isoformat()

    def insert(code: str) -> None:
        conn.execute(
            "INSERT INTO tablet_pairings (code_hash, claim_hash, counter, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (code_hash(conn, code), claim_hash(claim), counter, now.isoformat(), expires))

    return insert_with_new_code(insert), claim


def confirm_pairing(conn: sqlite3.Connection, code: str, name: str, counter: int, now: datetime) -> str:
    """The admin's yes: the tablet showing ``code`` becomes rating device ``name`` at ``counter``.

    A name already given to a rating device pairs the new tablet in its place
    (a broken tablet replaced): the old tablet's sessions end.
    """
    digits = clean_code(code)
    if digits is None:
        raise PairingError(f"The code has {CODE_DIGITS} digits, as the tablet shows it (e.g. 042917).")
    row = conn.execute("SELECT id, counter, expires_at, device_id FROM tablet_pairings WHERE code_hash = ?",
                       (code_hash(conn, digits),)).fetchone()
    if row is None or datetime.fromisoformat(row[2]) <= now:
        raise PairingError("No tablet shows this code now (codes last "
                           f"{CODE_MINUTES} minutes): reload the tablet's page and use its new code.")
    if row[3] is not None:
        raise PairingError("This code was confirmed already; the tablet pairs itself within seconds.")
    if row[1] != counter:
        raise PairingError(f"The tablet with this code was opened for counter {row[1]}, not {counter}: "
                           f"pass --counter {row[1]} or open /danh-gia/{counter} on it.")
    device_id = _rating_device(conn, name, now)
    conn.execute("INSERT INTO rating_tablets (device_id, counter) VALUES (?, ?) "
                 "ON CONFLICT (device_id) DO UPDATE SET counter = excluded.counter", (device_id, counter))
    conn.execute("UPDATE tablet_pairings SET device_id = ? WHERE id = ?", (device_id, row[0]))
    return unicodedata.normalize("NFC", name).strip()


def _rating_device(conn: sqlite3.Connection, name: str, now: datetime) -> int:
    """The rating device of this name, made if new; an existing one loses its old tablet's sessions."""
    name = unicodedata.normalize("NFC", name).strip()
    if not name or len(name) > 64:
        raise PairingError("Device name must be 1–64 characters.")
    row = conn.execute("SELECT id, role FROM devices WHERE name = ?", (name,)).fetchone()
    if row is None:
        cursor = conn.execute("INSERT INTO devices (name, role, created_at) VALUES (?, 'rating', ?)",
                              (name, now.isoformat()))
        return int(cursor.lastrowid or 0)
    if row[1] != "rating":
        raise PairingError(f"Device '{name}' is a {row[1]}, not a rating tablet: choose another --name.")
    auth.revoke_device(conn, name)  # the tablet it replaces stops rating now (and the token cache forgets it)
    return int(row[0])


def collect_session(conn: sqlite3.Connection, claim: str, now: datetime) -> tuple[str, str | None]:
    """What the waiting tablet gets: ``(PAIRED, session id)`` once confirmed, else ``(WAITING|EXPIRED, None)``."""
    row = conn.execute("SELECT id, expires_at, device_id FROM tablet_pairings WHERE claim_hash = ?",
                       (claim_hash(claim),)).fetchone()
    if row is None or (row[2] is None and datetime.fromisoformat(row[1]) <= now):
        return EXPIRED, None
    if row[2] is None:
        return WAITING, None
    session_id = "tb_" + secrets.token_urlsafe(32)
    conn.execute("INSERT INTO tokens (token_hash, kind, subject_id, created_at) VALUES (?, 'device', ?, ?)",
                 (auth.cookie_hash(session_id), row[2], now.isoformat()))
    conn.execute("DELETE FROM tablet_pairings WHERE id = ?", (row[0],))
    return PAIRED, session_id


def tablet_of(conn: sqlite3.Connection, session_id: str) -> Tablet | None:
    """The paired tablet a cookie's session id belongs to, while its device is not revoked."""
    principal = auth.resolve_token(conn, session_id, channel=auth.COOKIE)
    if principal is None or principal.kind != "device" or principal.role != "rating":
        return None
    row = conn.execute("SELECT counter FROM rating_tablets WHERE device_id = ?", (principal.id,)).fetchone()
    return Tablet(principal, int(row[0])) if row else None


def csrf_for(conn: sqlite3.Connection, session_id: str) -> str:
    """The tablet's CSRF token: derived from its session id, so nothing more is stored."""
    key = auth.server_secret(conn).encode("ascii")
    return hmac.new(key, b"motcua-tablet-csrf\0" + session_id.encode("utf-8"), hashlib.sha256).hexdigest()
