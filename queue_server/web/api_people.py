"""Sign-in for people and status reports from devices."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, current_app, request

from .. import auth
from ..store.db import immediate_transaction
from .context import engine, read_conn
from .disk_guard import require_disk_reserve
from .errors import ApiError
from .request_input import field, json_body
from .sessions import current_principal, require
from .sign_in import SignInRefused, check_sign_in, configure_sign_in

bp = Blueprint("people_api", __name__, url_prefix="/api")


@bp.record_once
def _sign_in_settings(state: Any) -> None:
    """Cookie flags and the sign-in guard, for the console, the admin page and POST /api/login alike."""
    configure_sign_in(state.app)


@bp.post("/login")
def login() -> Any:
    """Exchange a username and password for a bearer token."""
    body = json_body()
    username = field(body, "username", str, max_length=64)
    password = field(body, "password", str, max_length=256)
    try:
        person = check_sign_in(username, password)
    except SignInRefused as refused:
        raise ApiError(refused.status, refused.code, refused.message) from None
    session_hours = current_app.extensions["motcua.config"].limits.session_hours
    token, expires = auth.open_session(read_conn(), person, session_hours)
    return {"token": token, "expires_at": expires.isoformat(timespec="seconds"), "user": _person_view(person)}


@bp.post("/logout")
def logout() -> Any:
    """Revoke the bearer token used for this request."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        raise ApiError(401, "unauthorized", "Xin gửi mã cần thu hồi: Authorization: Bearer <token>.")
    token = header[7:].strip()
    auth.close_session(read_conn(), token)
    current_app.extensions["motcua.token_cache"].forget(token)
    return {"status": "signed_out"}


@bp.get("/me")
def me() -> Any:
    """Who the caller is (the console uses it to pick a counter)."""
    principal = current_principal()
    if principal is None:
        raise ApiError(401, "unauthorized", "Chưa đăng nhập.")
    return {"user": _person_view(principal)}


def _person_view(principal: auth.Principal) -> dict[str, Any]:
    return {"name": principal.name, "role": principal.role, "kind": principal.kind,
            "counters": list(principal.counters), "must_change_password": principal.must_change_password}


# A kiosk has a printer, a screen, a network…: a device inventing names keeps only its latest 16.
MAX_COMPONENTS_PER_DEVICE = 16
HISTORY_PER_DEVICE = 50  # changes of state kept per device: a day of a flaky printer, never a growing table


@bp.post("/devices/status")
def device_status() -> Any:
    """A device reports how one of its parts is (printer out of paper, screen up…)."""
    device = require("kiosk", "display", "rating")
    if device.kind != "device":
        raise ApiError(403, "forbidden", "Chỉ thiết bị mới báo trạng thái của mình.")
    require_disk_reserve()
    body = json_body()
    component = field(body, "component", str, max_length=32)
    ok = body.get("ok")
    if not isinstance(ok, bool):
        raise ApiError(422, "invalid_field", '"ok" phải là true hoặc false.')
    report = {
        "ok": ok,
        "code": field(body, "code", str, required=False, max_length=32) or ("ok" if ok else "fault"),
        "message": field(body, "message", str, required=False, max_length=300) or "",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    with immediate_transaction(read_conn()) as conn:  # two reports of one device at once: neither is lost
        _record_report(conn, device.id, component, report)
    return {"status": "recorded"}


def _record_report(conn, device_id: int, component: str, report: dict[str, Any]) -> None:
    """The latest report per part (the most recent parts only) and a bounded history of changes of state."""
    row = conn.execute("SELECT status FROM devices WHERE id = ?", (device_id,)).fetchone()
    status = json.loads(row[0]) if row else {}
    previous = status.pop(component, None)
    status[component] = report
    for stale in list(status)[:-MAX_COMPONENTS_PER_DEVICE]:  # oldest first: the part just reported went last
        del status[stale]
    conn.execute("UPDATE devices SET status = ?, last_seen_at = ? WHERE id = ?",
                 (json.dumps(status, ensure_ascii=False), report["at"], device_id))
    if previous is not None and (previous.get("ok"), previous.get("code")) == (report["ok"], report["code"]):
        return  # the same state again (a heartbeat): nothing new for the history
    conn.execute("INSERT INTO device_reports (device_id, component, ok, code, message, at) VALUES (?, ?, ?, ?, ?, ?)",
                 (device_id, component, int(report["ok"]), report["code"], report["message"], report["at"]))
    conn.execute("DELETE FROM device_reports WHERE device_id = ? AND id <= (SELECT id FROM device_reports "
                 "WHERE device_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)", (device_id, device_id, HISTORY_PER_DEVICE))


@bp.get("/devices")
def list_devices() -> Any:
    """Every device with its last report per part (admin); ``?history=1`` adds its recent changes of state."""
    require("admin")
    conn = read_conn()
    # pairing: confirmed on /admin, its token not yet collected by the device (neither active nor revoked)
    rows = conn.execute("SELECT id, name, role, last_seen_at, status, EXISTS (SELECT 1 FROM tokens t "
                        "WHERE t.kind = 'device' AND t.subject_id = d.id AND t.revoked = 0), "
                        "EXISTS (SELECT 1 FROM device_pairings p WHERE p.device_id = d.id AND p.expires_at > ?) "
                        "FROM devices d ORDER BY name", (engine().clock().isoformat(),)).fetchall()
    live = current_app.extensions["motcua.live_devices"]
    devices = [{"name": n, "role": r, "last_seen_at": seen, "status": json.loads(s), "connected": live.connected(i),
                "active": bool(active), "pairing": bool(pairing) and not active}
               for i, n, r, seen, s, active, pairing in rows]
    if request.args.get("history"):
        for (device_id, *_), device in zip(rows, devices, strict=True):  # one device made per row
            device["history"] = [
                {"component": c, "ok": bool(ok), "code": code, "message": message, "at": at}
                for c, ok, code, message, at in conn.execute(
                    "SELECT component, ok, code, message, at FROM device_reports WHERE device_id = ? ORDER BY id DESC",
                    (device_id,))]
    return {"devices": devices}
