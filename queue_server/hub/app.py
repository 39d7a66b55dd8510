"""The province hub's web app: offices post batches of their history; province readers ask for reports.

The same error shape and codes as an office (``queue_server.web.errors``);
every route needs a bearer token: an office's (it sends its own batches,
reads its own acknowledgement and report) or a province reader's (every
office's reports). Tokens are kept hashed (``motcua hub office add``).
"""

from __future__ import annotations

import json
import threading
import zlib
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from flask import Flask, current_app, request

from ..reports.service import PeriodError, parse_period
from ..web.errors import ApiError, register_error_handlers
from . import dashboard, records_store, report, store

MAX_COMPRESSED_BYTES = 16 * 1024 * 1024
MAX_BATCH_BYTES = 64 * 1024 * 1024
"""A batch inflates to at most this: the office's worker sends about 5,000 events (~3 MB) at a time."""

_local = threading.local()


def create_app(dsn: str, clock: Callable[[], datetime] | None = None) -> Flask:
    """The hub on one PostgreSQL database (migrated already: ``motcua hub init``).

    ``clock`` gives "now" for each office's today and the dashboard (a test passes a fake one).
    """
    app = Flask(__name__)
    app.config.update(MOTCUA_HUB_DSN=dsn, MAX_CONTENT_LENGTH=MAX_COMPRESSED_BYTES)
    app.extensions["motcua.hub.db"] = db
    app.extensions["motcua.hub.clock"] = clock or (lambda: datetime.now(UTC))
    dashboard.register(app)
    register_error_handlers(app)
    app.add_url_rule("/api/health", view_func=health)
    app.add_url_rule("/api/hub/batches", view_func=post_batch, methods=["POST"])
    app.add_url_rule("/api/hub/ack", view_func=get_ack)
    app.add_url_rule("/api/hub/export/<part>", view_func=get_export)
    app.add_url_rule("/api/offices", view_func=get_offices)
    app.add_url_rule("/api/offices/<code>/reports/summary", view_func=office_summary)
    return app


def db() -> psycopg.Connection:
    """This thread's connection, made again after PostgreSQL restarted."""
    conn: psycopg.Connection | None = getattr(_local, "conn", None)
    if conn is None or conn.closed or conn.broken:
        conn = _local.conn = store.connect(current_app.config["MOTCUA_HUB_DSN"])
    return conn


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or not header[7:].strip():
        raise ApiError(401, "unauthorized", "Cần mã truy cập: gửi phần đầu Authorization: Bearer <mã>.")
    return header[7:].strip()


def _office_caller() -> store.Office:
    """The office whose token came with the request: unknown 401, revoked 403."""
    found = store.office_of_token(db(), _bearer())
    if found is None:
        raise ApiError(401, "invalid_token", "Mã truy cập không đúng; xin dùng mã in ra khi thêm đơn vị.")
    if found.revoked:
        raise ApiError(403, "office_revoked", "Mã truy cập của đơn vị đã bị thu hồi; xin cấp mã mới.")
    return found


def health() -> Any:
    """Liveness: the hub answers and reaches PostgreSQL."""
    db().execute("SELECT 1")
    return {"ok": True}


def post_batch() -> Any:
    """Store one office's batch (gzip JSON) in one transaction; answers the acknowledgements."""
    caller = _office_caller()
    batch = parse_batch(_json_body(), caller.code)
    events_ack, changes_ack = store.ingest(db(), batch, current_app.extensions["motcua.hub.clock"]())
    return {"office": caller.code, "events_ack": events_ack, "changes_ack": changes_ack,
            "records": batch.records_taken}


def get_ack() -> Any:
    """What the hub holds of the calling office: where its next batch starts."""
    caller = _office_caller()
    return {"office": caller.code, "events_ack": caller.events_ack, "changes_ack": caller.changes_ack}


EXPORT_PAGE = 5000
"""Rows per page of an export: a restore reads a province centre's year in a few hundred requests."""


def get_export(part: str) -> Any:
    """One page of what the hub holds of the calling office (``?after=`` an id): a restore reads it all back."""
    caller = _office_caller()
    if part == "records":  # a few small snapshots: one page, with the history the restored database continues
        return {"office": caller.code, "part": part, "rows": records_store.export(db(), caller.code), "more": False,
                "history": store.office_history(db(), caller.code), "events_ack": caller.events_ack,
                "changes_ack": caller.changes_ack}
    if part not in store.EXPORTS:
        raise ApiError(404, "not_found", "Chỉ có các phần events, tickets, ratings, appointments và records.")
    after = request.args.get("after", "0")
    if not after.isdigit():
        raise ApiError(422, "invalid_field", "\"after\" phải là một số nguyên không âm.")
    rows = store.export_page(db(), caller.code, part, int(after), EXPORT_PAGE)
    return {"office": caller.code, "part": part, "rows": rows, "more": len(rows) == EXPORT_PAGE,
            "events_ack": caller.events_ack, "changes_ack": caller.changes_ack}


def get_offices() -> Any:
    """Every office with its acknowledgements and last contact (province readers)."""
    _require_viewer()
    return {"offices": [{"code": o.code, "name": o.name, "revoked": o.revoked, "events_ack": o.events_ack,
                         "changes_ack": o.changes_ack,
                         "last_contact_at": o.last_contact_at.isoformat() if o.last_contact_at else None}
                        for o in store.list_offices(db())]}


def _require_viewer(office_code: str | None = None) -> None:
    """A province reader, or (for its own data) the office itself."""
    token = _bearer()
    if store.is_viewer(db(), token):
        return
    found = store.office_of_token(db(), token)
    if found is None:
        raise ApiError(401, "invalid_token", "Mã truy cập không đúng; xin dùng mã in ra khi thêm đơn vị.")
    if found.revoked or found.code != office_code:
        raise ApiError(403, "forbidden", "Mã này không được xem dữ liệu của đơn vị khác.")


def office_summary(code: str) -> Any:
    """The office's own report of a period (the same JSON as its GET /api/reports/summary), rebuilt here."""
    _require_viewer(code)
    settings = store.office_settings(db(), code)
    if store.office(db(), code) is None:
        raise ApiError(404, "unknown_office", f"Trung tâm tỉnh không biết đơn vị {code}.")
    if settings is None:
        raise ApiError(409, "office_not_synced", "Đơn vị chưa gửi dữ liệu lên trung tâm tỉnh.")
    today = _office_today(settings)
    try:
        first, last = parse_period(request.args, today)
    except PeriodError as exc:
        raise ApiError(422, "invalid_period", str(exc)) from None
    return report.office_summary(db(), code, settings, first, last, today=today)


def _office_today(settings: dict[str, Any]) -> date:
    zone = settings.get("office", {}).get("timezone") or "Asia/Ho_Chi_Minh"
    return current_app.extensions["motcua.hub.clock"]().astimezone(ZoneInfo(zone)).date()


# -- the batch ------------------------------------------------------------------------------------

def _json_body() -> Any:
    raw = request.get_data(cache=False)
    if request.headers.get("Content-Encoding", "").lower() == "gzip":
        raw = _gunzip(raw)
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "bad_json", "Gói dữ liệu không phải JSON (nén gzip) đọc được.") from None


def _gunzip(raw: bytes) -> bytes:
    """Inflate, refusing a batch that grows past MAX_BATCH_BYTES (a zip bomb)."""
    inflater = zlib.decompressobj(wbits=31)
    try:
        body = inflater.decompress(raw, MAX_BATCH_BYTES)
    except zlib.error:
        raise ApiError(400, "bad_json", "Gói dữ liệu không giải nén được (gzip hỏng).") from None
    if inflater.unconsumed_tail:
        raise ApiError(413, "body_too_large", "Gói dữ liệu quá lớn; xin gửi gói nhỏ hơn.")
    return body


def parse_batch(body: Any, office_code: str) -> store.Batch:
    """Check a batch's shape and that its ids lie after its ``after``; 422 with what is wrong."""
    if not isinstance(body, dict) or body.get("office") != office_code:
        raise ApiError(422, "invalid_body", "Gói dữ liệu phải là một đối tượng JSON có \"office\" là mã của đơn vị.")
    events, changes = body.get("events") or {}, body.get("changes") or {}
    batch = store.Batch(office=office_code, events_after=_count(events, "after"), events_last=_count(events, "last"),
                        changes_after=_count(changes, "after"), changes_last=_count(changes, "last"))
    rows = events.get("rows", [])
    if not isinstance(rows, list) or not all(_event_row(row, batch) for row in rows):
        raise ApiError(422, "invalid_body", "Mỗi sự kiện là `[id, at, type, ticket_id, counter, actor, data]`, "
                       "id nằm sau \"after\" và không quá \"last\".")
    batch.events = [tuple(row) for row in rows]
    batch.tickets = _changed_rows(changes, "tickets")
    batch.ratings = _changed_rows(changes, "ratings")
    batch.appointments = _changed_rows(changes, "appointments")
    settings = body.get("settings")
    batch.settings = settings if isinstance(settings, dict) else None
    _add_records_and_history(batch, body, events)
    return batch


def _add_records_and_history(batch: store.Batch, body: dict[str, Any], events: dict[str, Any]) -> None:
    """The office's small tables (``records``), its history identity and event head: all optional (older offices)."""
    records = records_store.parse_records(body.get("records"))
    if records is None:
        raise ApiError(422, "invalid_body", "\"records\" phải là {loại: {\"seq\": số, \"at\": thời điểm có múi giờ, "
                       "\"data\": ...}}.")
    batch.records = records
    history, head = body.get("history"), events.get("head")
    if history is not None and (not isinstance(history, str) or not 1 <= len(history) <= 64):
        raise ApiError(422, "invalid_body", "\"history\" phải là một chuỗi ngắn (mã lịch sử của cơ sở dữ liệu).")
    if head is not None and (not isinstance(head, int) or isinstance(head, bool) or head < batch.events_last):
        raise ApiError(422, "invalid_body", "\"head\" phải là số sự kiện lớn nhất của đơn vị, không nhỏ hơn \"last\".")
    batch.history, batch.events_head = history, head


def _count(part: Any, key: str) -> int:
    value = part.get(key, 0) if isinstance(part, dict) else None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ApiError(422, "invalid_body", f"\"{key}\" phải là một số nguyên không âm.")
    return value


def _event_row(row: Any, batch: store.Batch) -> bool:
    return (isinstance(row, list) and len(row) == 7 and isinstance(row[0], int)
            and batch.events_after < row[0] <= batch.events_last and isinstance(row[1], str)
            and isinstance(row[2], str) and isinstance(row[6], str) and _is_time(row[1]))


def _is_time(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _changed_rows(changes: dict[str, Any], key: str) -> list[dict[str, Any]]:
    rows = changes.get(key, [])
    if not isinstance(rows, list) or not all(_keyed_row(row) for row in rows):
        raise ApiError(422, "invalid_body", f"\"{key}\" phải là các đối tượng có \"id\" (số) và \"day\" (YYYY-MM-DD).")
    return rows


def _keyed_row(row: Any) -> bool:
    if not isinstance(row, dict) or not isinstance(row.get("id"), int) or not isinstance(row.get("day"), str):
        return False
    try:
        date.fromisoformat(row["day"])
    except ValueError:
        return False
    return True
