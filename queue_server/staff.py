"""The office's officers as the web admin manages them: full names, roles, counters, passwords, an audit log.

A commune office has no one who types ``motcua user add`` in a terminal, so
the head adds an officer on /admin (issue 15.1). A new or reset password is
random, shown once to the admin and never stored in clear; the officer must
replace it at their first sign-in. Every change is written to ``audit_log``
with who made it and when. Messages are Vietnamese, for the person at the
page; the CLI keeps ``auth``'s own.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from . import auth

TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
"""No 0/o, 1/l/i: a password read off a screen and typed on another PC is typed right the first time."""
MAX_FULL_NAME = 80


class StaffError(ValueError):
    """A change the admin page cannot make: HTTP status, stable code, a Vietnamese message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def temporary_password() -> str:
    """Ten random characters in two groups ("k7m2q-x9pqa"): about 49 bits, easy to read and type once."""
    chars = "".join(secrets.choice(TEMPORARY_ALPHABET) for _ in range(10))
    return f"{chars[:5]}-{chars[5:]}"


def _now(now: datetime | None) -> str:
    return (now or datetime.now(UTC)).isoformat(timespec="seconds")


def audit(conn: sqlite3.Connection, actor: str, action: str, target: str, detail: Mapping[str, Any] | None = None,
          *, now: datetime | None = None) -> None:
    """One line of the audit log: who changed what, when. Never a password, never a token."""
    conn.execute("INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
                 (_now(now), actor, action, target, json.dumps(dict(detail or {}), ensure_ascii=False)))


def recent_audit(conn: sqlite3.Connection, limit: int = 50) -> list[dict[str, Any]]:
    """The latest changes, newest first."""
    rows = conn.execute("SELECT at, actor, action, target, detail FROM audit_log ORDER BY id DESC LIMIT ?", (limit,))
    return [{"at": at, "actor": actor, "action": action, "target": target, "detail": json.loads(detail)}
            for at, actor, action, target, detail in rows]


def list_staff(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every officer: login, full name, role, counters, active, whether a new password waits to be replaced."""
    rows = conn.execute("SELECT username, full_name, role, counters, active, must_change_password FROM users "
                        "ORDER BY active DESC, full_name, username")
    return [{"username": u, "full_name": f, "role": r, "counters": json.loads(c), "active": bool(a),
             "must_change_password": bool(m)} for u, f, r, c, a, m in rows]


def full_names(conn: sqlite3.Connection) -> dict[str, str]:
    """Login → full name, for reports and staffing advice (a login stands in where no name was given)."""
    return {u: f or u for u, f in conn.execute("SELECT username, full_name FROM users")}


def clean_full_name(value: Any) -> str:
    """NFC, single spaces, 2–80 characters: "Nguyễn Văn A"."""
    if not isinstance(value, str):
        raise StaffError(422, "invalid_person", "Xin nhập họ và tên cán bộ, ví dụ Nguyễn Văn A.")
    name = unicodedata.normalize("NFC", " ".join(value.split()))
    if not 2 <= len(name) <= MAX_FULL_NAME:
        raise StaffError(422, "invalid_person", f"Họ và tên dài từ 2 đến {MAX_FULL_NAME} ký tự.")
    return name


def clean_role_and_counters(role: Any, counters: Any, office_counters: Iterable[int]) -> tuple[str, list[int]]:
    """A role the office has and counters it has; a clerk needs at least one counter."""
    if role not in auth.PERSON_ROLES:
        raise StaffError(422, "invalid_person", "Vai trò phải là clerk (cán bộ một cửa) hoặc admin (quản trị).")
    known = set(office_counters)
    if not isinstance(counters, list) or not all(isinstance(n, int) and not isinstance(n, bool) for n in counters):
        raise StaffError(422, "invalid_person", "Quầy phải là danh sách số quầy, ví dụ [1, 2].")
    unknown = sorted(set(counters) - known)
    if unknown:
        raise StaffError(422, "invalid_person", f"Cơ quan không có quầy {', '.join(map(str, unknown))}; "
                                                f"các quầy: {', '.join(map(str, sorted(known)))}.")
    if role == "clerk" and not counters:
        raise StaffError(422, "invalid_person", "Cán bộ một cửa cần ít nhất một quầy.")
    return role, sorted(set(counters))


def add_officer(conn: sqlite3.Connection, actor: str, body: Mapping[str, Any], office_counters: Iterable[int],
                *, now: datetime | None = None) -> tuple[dict[str, Any], str]:
    """Add an officer with a temporary password; returns their view and that password (shown once)."""
    full_name = clean_full_name(body.get("full_name"))
    role, counters = clean_role_and_counters(body.get("role", "clerk"), body.get("counters", []), office_counters)
    username = body.get("username")
    if not isinstance(username, str) or not auth.normalize_username(username):
        raise StaffError(422, "invalid_person", "Xin nhập tên đăng nhập, ví dụ quay4 hoặc nguyenvana.")
    username = auth.normalize_username(username)
    if len(username) > 64 or any(c.isspace() for c in username):
        raise StaffError(422, "invalid_person", "Tên đăng nhập dài tối đa 64 ký tự và không có dấu cách.")
    if conn.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
        raise StaffError(409, "person_exists", f"Đã có cán bộ đăng nhập bằng tên {username}; xin chọn tên khác.")
    password = temporary_password()
    auth.add_user(conn, username, password, role, counters)
    conn.execute("UPDATE users SET full_name = ?, must_change_password = 1 WHERE username = ?", (full_name, username))
    audit(conn, actor, "person.add", username, {"full_name": full_name, "role": role, "counters": counters}, now=now)
    return _one(conn, username), password


def _one(conn: sqlite3.Connection, username: str) -> dict[str, Any]:
    found = next((p for p in list_staff(conn) if p["username"] == username), None)
    if found is None:
        raise StaffError(404, "unknown_person", f"Không có cán bộ đăng nhập bằng tên {username}.")
    return found


def update_officer(conn: sqlite3.Connection, actor: str, username: str, body: Mapping[str, Any],
                   office_counters: Iterable[int], *, now: datetime | None = None) -> dict[str, Any]:
    """Change a full name, role, counters, or disable/enable; an admin cannot disable or demote themselves."""
    current = _one(conn, auth.normalize_username(username))
    username = current["username"]
    changes: dict[str, Any] = {}
    if "full_name" in body:
        changes["full_name"] = clean_full_name(body["full_name"])
    if "role" in body or "counters" in body:
        role, counters = clean_role_and_counters(body.get("role", current["role"]),
                                                 body.get("counters", current["counters"]), office_counters)
        changes.update(role=role, counters=counters)
    if "active" in body:
        if not isinstance(body["active"], bool):
            raise StaffError(422, "invalid_person", '"active" phải là true hoặc false.')
        changes["active"] = body["active"]
    if not changes:
        raise StaffError(422, "invalid_person", 'Không có gì để thay đổi: gửi "full_name", "role", "counters" '
                                                'hoặc "active".')
    if username == actor and (changes.get("active") is False or changes.get("role", "admin") != "admin"):
        raise StaffError(409, "cannot_change_self", "Không thể tự khóa hay tự bỏ quyền quản trị của mình; "
                                                    "xin một quản trị khác làm việc này.")
    _apply(conn, username, changes)
    audit(conn, actor, "person.update", username, changes, now=now)
    return _one(conn, username)


def _apply(conn: sqlite3.Connection, username: str, changes: Mapping[str, Any]) -> None:
    """Write the checked changes; disabling or moving a person ends their sessions (auth revokes them)."""
    if "full_name" in changes:
        conn.execute("UPDATE users SET full_name = ? WHERE username = ?", (changes["full_name"], username))
    if "role" in changes:
        conn.execute("UPDATE users SET role = ?, counters = ? WHERE username = ?",
                     (changes["role"], json.dumps(changes["counters"]), username))
        auth.end_sessions(conn, username)  # sessions carry the old role and counters
    if "active" in changes:
        auth.set_user_active(conn, username, changes["active"])


def reset_password(conn: sqlite3.Connection, actor: str, username: str, *, now: datetime | None = None) -> str:
    """A new temporary password (shown once); the officer's sessions end and they must choose their own."""
    username = _one(conn, auth.normalize_username(username))["username"]
    password = temporary_password()
    auth.set_password(conn, username, password)
    conn.execute("UPDATE users SET must_change_password = 1 WHERE username = ?", (username,))
    audit(conn, actor, "person.reset_password", username, now=now)
    return password


def change_own_password(conn: sqlite3.Connection, person: auth.Principal, current: Any, new: Any,
                        *, now: datetime | None = None) -> None:
    """An officer replaces their password (the temporary one at first sign-in); every session ends."""
    if not isinstance(current, str) or not isinstance(new, str):
        raise StaffError(422, "invalid_password", "Xin nhập mật khẩu hiện tại và mật khẩu mới.")
    if auth.check_password(conn, person.name, current) is None:
        raise StaffError(403, "wrong_password", "Mật khẩu hiện tại không đúng.")
    new = unicodedata.normalize("NFC", new)
    if len(new) < auth.MIN_PASSWORD_LENGTH:
        raise StaffError(422, "invalid_password", f"Mật khẩu mới cần ít nhất {auth.MIN_PASSWORD_LENGTH} ký tự.")
    if new == unicodedata.normalize("NFC", current):
        raise StaffError(422, "invalid_password", "Mật khẩu mới phải khác mật khẩu đang dùng.")
    auth.set_password(conn, person.name, new)
    conn.execute("UPDATE users SET must_change_password = 0 WHERE id = ?", (person.id,))
    audit(conn, person.name, "person.change_own_password", person.name, now=now)


def must_change_password(conn: sqlite3.Connection, person_id: int) -> bool:
    """Whether this person still signs in with a password someone else saw."""
    row = conn.execute("SELECT must_change_password FROM users WHERE id = ?", (person_id,)).fetchone()
    return bool(row and row[0])
