"""Pairing a kiosk or a lobby board by the code it shows on its first start (issue 15.1).

Before this a kiosk needed ``motcua device add`` and a 43-character token typed
on the command line. Now the new device asks the server for a code
(``start``), shows it with its QR and polls with its claim (``collect``); the
admin types the code and a name on /admin, or ``motcua device pair CODE
--name …`` (``confirm``); the device's next poll gets its bearer token, once.

The same secrets as the rating tablet's pairing (``queue_server.pairing``):
the code stored under a keyed hash and valid ``pairing.CODE_MINUTES``, the
claim (256 bits) hashed, the token a normal device token in ``tokens``.
Guessing a code needs the admin's session; the claim, the one thing the
public side takes, cannot be guessed. Messages are Vietnamese, for the admin
at the page.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from . import auth, pairing, staff

PAIRED_ROLES = ("kiosk", "display")
"""The devices that pair here; a rating tablet pairs for its counter at /danh-gia/<counter>."""
ROLE_NAMES = {"kiosk": "ki-ốt", "display": "màn hình sảnh", "rating": "máy đánh giá"}
MAX_LABEL = 64
MAX_NAME = 64
MAX_WAITING = 200
"""Codes waiting at once: far more than an office has devices; past it a flood is refused, not stored."""
WAITING, PAIRED = "waiting", "paired"


class PairingRefused(ValueError):
    """A pairing step that cannot be done: HTTP status, stable code, a Vietnamese message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Started:
    """What the new device shows (the code) and keeps (the claim) until the admin confirms."""

    code: str
    claim: str
    expires_at: datetime


def start(conn: sqlite3.Connection, role: str, label: str, now: datetime) -> Started:
    """A new code for a kiosk or a board; expired codes are cleaned first."""
    conn.execute("DELETE FROM device_pairings WHERE expires_at <= ?", (now.isoformat(),))
    waiting = conn.execute("SELECT COUNT(*) FROM device_pairings").fetchone()[0]
    if waiting >= MAX_WAITING:
        raise PairingRefused(429, "too_many_pairings",
                             "Đang có quá nhiều mã ghép chờ xác nhận; xin đợi vài phút rồi mở lại thiết bị.")
    claim, expires = pairing.new_claim(), now + timedelta(minutes=pairing.CODE_MINUTES)

    def insert(code: str) -> None:
        conn.execute("INSERT INTO device_pairings (code_hash, claim_hash, role, label, created_at, expires_at) "
                     "VALUES (?, ?, ?, ?, ?, ?)",
                     (pairing.code_hash(conn, code), pairing.claim_hash(claim), role, label, now.isoformat(),
                      expires.isoformat()))

    return Started(pairing.insert_with_new_code(insert), claim, expires)


def clean_name(value: Any) -> str:
    """A device name as the admin typed it: NFC, single spaces, 1–64 characters, no control characters."""
    name = unicodedata.normalize("NFC", " ".join(value.split())) if isinstance(value, str) else ""
    if not 1 <= len(name) <= MAX_NAME or any(unicodedata.category(c) == "Cc" for c in name):
        raise PairingRefused(422, "invalid_device_name",
                             f"Xin đặt tên thiết bị dài từ 1 đến {MAX_NAME} ký tự, ví dụ Ki-ốt sảnh 1.")
    return name


def confirm(conn: sqlite3.Connection, actor: str, code: Any, name: Any, now: datetime) -> dict[str, str]:
    """The admin's yes: the device showing ``code`` becomes device ``name`` (run in one transaction).

    A device of the same role and name is replaced (a broken kiosk swapped):
    its old tokens stop working. Confirming the same code for the same name
    again answers the same (a double click); for another name it is refused.
    """
    digits = pairing.clean_code(code) if isinstance(code, str) else None
    if digits is None:
        raise PairingRefused(422, "invalid_pairing_code",
                             f"Mã ghép có {pairing.CODE_DIGITS} chữ số, như trên màn hình thiết bị (ví dụ 042917).")
    name = clean_name(name)
    row = conn.execute("SELECT p.id, p.role, p.label, p.expires_at, d.name FROM device_pairings p "
                       "LEFT JOIN devices d ON d.id = p.device_id WHERE p.code_hash = ?",
                       (pairing.code_hash(conn, digits),)).fetchone()
    if row is None or (row[4] is None and datetime.fromisoformat(row[3]) <= now):
        raise PairingRefused(404, "pairing_not_found",
                             f"Không có thiết bị nào đang hiện mã {digits} (mã chỉ dùng được "
                             f"{pairing.CODE_MINUTES} phút): xem lại mã trên màn hình thiết bị.")
    pairing_id, role, label, _, confirmed_as = row
    if confirmed_as is not None:
        if confirmed_as == name:
            return {"name": name, "role": role}
        raise PairingRefused(409, "pairing_already_confirmed",
                             f"Mã này đã được ghép thành thiết bị “{confirmed_as}”; thiết bị sẽ tự vào việc.")
    device_id, replaced = _device_for(conn, name, role, now)
    conn.execute("DELETE FROM device_pairings WHERE device_id = ?", (device_id,))  # an older confirm not collected
    # The device has as long again to collect its token as the code had to be typed.
    conn.execute("UPDATE device_pairings SET device_id = ?, expires_at = ? WHERE id = ?",
                 (device_id, (now + timedelta(minutes=pairing.CODE_MINUTES)).isoformat(), pairing_id))
    staff.audit(conn, actor, "device.pair", name, {"role": role, "label": label, "replaced": replaced}, now=now)
    return {"name": name, "role": role}


def _device_for(conn: sqlite3.Connection, name: str, role: str, now: datetime) -> tuple[int, bool]:
    """The device of this name, made if new; ``(id, True)`` when an old one of the role is replaced."""
    row = conn.execute("SELECT id, role FROM devices WHERE name = ?", (name,)).fetchone()
    if row is None:
        cursor = conn.execute("INSERT INTO devices (name, role, created_at) VALUES (?, ?, ?)",
                              (name, role, now.isoformat()))
        return int(cursor.lastrowid or 0), False
    if row[1] != role:
        raise PairingRefused(409, "device_name_taken",
                             f"Tên “{name}” đã là của một {ROLE_NAMES.get(row[1], row[1])}: xin đặt tên khác.")
    auth.revoke_device(conn, name)  # the device it replaces stops at its next request
    conn.execute("UPDATE devices SET status = '{}', last_seen_at = NULL WHERE id = ?", (row[0],))
    return int(row[0]), True


def collect(conn: sqlite3.Connection, claim: str, now: datetime) -> dict[str, str]:
    """What the waiting device gets: waiting, or once confirmed its token (only this once; the row goes)."""
    row = conn.execute("SELECT p.id, p.expires_at, p.device_id, d.name, d.role FROM device_pairings p "
                       "LEFT JOIN devices d ON d.id = p.device_id WHERE p.claim_hash = ?",
                       (pairing.claim_hash(claim),)).fetchone()
    if row is None or datetime.fromisoformat(row[1]) <= now:
        raise PairingRefused(410, "pairing_expired",
                             "Mã ghép này đã hết hạn hoặc đã được dùng: thiết bị sẽ lấy mã mới.")
    pairing_id, _, device_id, name, role = row
    if device_id is None:
        return {"state": WAITING}
    token = auth.new_device_token(conn, device_id, now)
    conn.execute("DELETE FROM device_pairings WHERE id = ?", (pairing_id,))
    return {"state": PAIRED, "token": token, "name": name, "role": role}


def revoke(conn: sqlite3.Connection, actor: str, name: str, now: datetime) -> dict[str, Any]:
    """End a device's tokens (and a confirmed pairing it has not collected yet); audit-logged."""
    name = unicodedata.normalize("NFC", name).strip()
    row = conn.execute("SELECT id FROM devices WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise PairingRefused(404, "unknown_device", f"Không có thiết bị “{name}”: xin tải lại trang.")
    auth.revoke_device(conn, name)
    conn.execute("DELETE FROM device_pairings WHERE device_id = ?", (row[0],))
    staff.audit(conn, actor, "device.revoke", name, now=now)
    return {"name": name, "active": False}
