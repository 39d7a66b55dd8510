"""The provincial system's dossier export, imported on /admin (issue 15.2): map its columns once, then upload.

Admin only. An import is one transaction: a file with one bad row imports
nothing and says which row; re-importing an overlapping export replaces by
dossier code, so nothing is counted twice.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, current_app, request

from .. import staff
from ..store.db import immediate_transaction
from ..web.context import read_conn
from ..web.errors import ApiError
from ..web.request_input import json_body
from ..web.sessions import require
from . import store
from .dossiers import FIELDS, ColumnMap, DossierImportError, dossiers_from, guess_map, read_table

bp = Blueprint("dossier_import", __name__)


@bp.get("/api/admin/dossiers/columns")
def column_map() -> Any:
    """The saved column map (null before the first import) and our fields with their Vietnamese names."""
    require("admin")
    saved = store.dossier_map(read_conn())
    return {"fields": FIELDS, "columns": dict(saved.columns) if saved else None}


@bp.put("/api/admin/dossiers/columns")
def save_column_map() -> Any:
    """``{"columns": {"dossier": "Mã hồ sơ", …}}``: which header of the export holds each field."""
    admin = require("admin")
    columns = json_body().get("columns")
    if not isinstance(columns, dict) or not all(k in FIELDS and isinstance(v, str) for k, v in columns.items()):
        raise ApiError(422, "invalid_columns", "Xin gửi \"columns\": tên cột của tệp cho mỗi mục, ví dụ "
                                               "{\"dossier\": \"Mã hồ sơ\", \"received_on\": \"Ngày tiếp nhận\"}.")
    mapping = ColumnMap({k: v.strip() for k, v in columns.items() if v.strip()})
    if mapping.missing():
        raise ApiError(422, "invalid_columns", "Cần chọn cột cho: "
                       + ", ".join(FIELDS[m] for m in mapping.missing()) + ".")
    conn = read_conn()
    store.save_dossier_map(conn, mapping)
    staff.audit(conn, admin.name, "dossiers.columns", "dossiers", dict(mapping.columns))
    return {"columns": dict(mapping.columns)}


def _uploaded_table() -> tuple[str, list[str], list[list[Any]]]:
    """The uploaded export's name, header row and rows."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ApiError(422, "missing_field", "Xin chọn tệp xuất từ hệ thống một cửa của tỉnh (.csv hoặc .xlsx).")
    try:
        headers, rows = read_table(upload.read(), upload.filename)
    except DossierImportError as bad:
        raise ApiError(422, "invalid_dossier_file", str(bad)) from None
    return upload.filename, headers, rows


@bp.post("/api/admin/dossiers/preview")
def preview_export() -> Any:
    """The export's headers, a guessed map and the saved one: the page's column form starts from these."""
    require("admin")
    _, headers, rows = _uploaded_table()
    saved = store.dossier_map(read_conn())
    return {"headers": headers, "rows": len(rows), "proposal": dict(guess_map(headers).columns),
            "columns": dict(saved.columns) if saved else None}


@bp.post("/api/admin/dossiers/import")
def import_dossiers() -> Any:
    """A CSV or XLSX export as the form field ``file``, read with the saved column map."""
    admin = require("admin")
    name, headers, rows = _uploaded_table()
    mapping = store.dossier_map(read_conn())
    if mapping is None:
        raise ApiError(409, "columns_not_mapped", "Lần đầu nhập: xin chọn cột của tệp cho từng mục, lưu, rồi nhập.")
    try:
        dossiers = dossiers_from(headers, rows, mapping)
    except DossierImportError as bad:
        raise ApiError(422, "invalid_dossier_file", str(bad)) from None
    with immediate_transaction(read_conn()) as conn:
        count = store.save_dossiers(conn, dossiers, datetime.now(UTC).isoformat(timespec="seconds"))
        staff.audit(conn, admin.name, "dossiers.import", name, {"dossiers": count})
    cached = current_app.extensions.get("motcua.reports")
    if cached is not None:
        cached.forget()  # the head's next report shows the imported dossiers
    return {"imported": count, "file": name}
