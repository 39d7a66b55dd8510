"""Dossier figures from the provincial one-stop system's export (issue 15.2): read, map once, count, re-import."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pytest

from queue_server.reports import store
from queue_server.reports.dossiers import (
    ColumnMap,
    DossierImportError,
    dossiers_from,
    figures,
    guess_map,
    read_table,
)
from queue_server.store.db import connect
from queue_server.store.schema import apply_migrations

EXPORT = (
    "\ufeffSTT;Mã hồ sơ;Tên thủ tục;Lĩnh vực;Ngày tiếp nhận;Ngày hẹn trả;Ngày có kết quả;Hình thức nộp\r\n"
    "1;H12.22-260702-0001;Đăng ký khai sinh;Hộ tịch;02/07/2026 08:15;02/07/2026;02/07/2026;Trực tiếp\r\n"
    "2;H12.22-260703-0002;Chứng thực bản sao;Chứng thực;03/07/2026;03/07/2026;06/07/2026;Trực tuyến\r\n"
    "3;H12.22-260930-0003;Đăng ký kết hôn;Hộ tịch;30/09/2026;05/10/2026;;Dịch vụ công trực tuyến\r\n"
    "4;H12.22-260915-0004;Đăng ký khai tử;Hộ tịch;15/09/2026;20/09/2026;;Trực tiếp\r\n"
    "5;H12.22-261001-0005;Đăng ký khai sinh;Hộ tịch;01/10/2026;01/10/2026;01/10/2026;Trực tiếp\r\n"
).encode()
MAP = ColumnMap({"dossier": "Mã hồ sơ", "field": "Lĩnh vực", "received_on": "Ngày tiếp nhận",
                 "due_on": "Ngày hẹn trả", "finished_on": "Ngày có kết quả", "channel": "Hình thức nộp"})
Q3 = (date(2026, 7, 1), date(2026, 9, 30))


def test_a_semicolon_csv_is_read_and_its_columns_guessed() -> None:
    headers, rows = read_table(EXPORT, "xuat-quy-3.csv")
    assert headers[1] == "Mã hồ sơ" and len(rows) == 5
    assert guess_map(headers) == MAP


def test_the_quarters_figures_count_on_time_late_pending_and_online() -> None:
    headers, rows = read_table(EXPORT, "x.csv")
    counted = figures(dossiers_from(headers, rows, MAP), *Q3, today=date(2026, 10, 2))
    assert {k: counted[k] for k in ("received", "online", "on_time", "late", "pending")} == {
        "received": 4, "online": 2, "on_time": 1, "late": 2, "pending": 1}  # 0004: unsettled past its due date
    assert [(g["field"], g["received"], g["late"]) for g in counted["by_field"]] == [
        ("Chứng thực", 1, 1), ("Hộ tịch", 3, 1)]


def test_an_xlsx_export_with_real_dates_reads_the_same() -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Mã hồ sơ", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày có kết quả"])
    sheet.append(["A-1", datetime(2026, 8, 3, 9, 30), date(2026, 8, 5), date(2026, 8, 4)])
    sheet.append(["A-2", "04/08/2026", 46239, None])  # 46239: an Excel serial date (5/8/2026)
    buffer = io.BytesIO()
    book.save(buffer)
    headers, rows = read_table(buffer.getvalue(), "export.xlsx")
    found = dossiers_from(headers, rows, guess_map(headers))
    assert [(d.code, d.received_on, d.due_on, d.finished_on) for d in found] == [
        ("A-1", date(2026, 8, 3), date(2026, 8, 5), date(2026, 8, 4)),
        ("A-2", date(2026, 8, 4), date(2026, 8, 5), None)]


@pytest.mark.parametrize("content, message", [
    (EXPORT.replace(b"02/07/2026 08:15", b"mai"), "Dòng 2 (hồ sơ H12.22-260702-0001): ngày \"mai\""),
    (EXPORT.replace(b"H12.22-260703-0002", b""), "Dòng 3: thiếu mã hồ sơ."),
    ("Mã hồ sơ,Ngày tiếp nhận\r\n".encode("utf-16"), "không phải UTF-8"),
])
def test_a_bad_row_stops_the_import_and_names_the_row(content: bytes, message: str) -> None:
    with pytest.raises(DossierImportError) as bad:
        headers, rows = read_table(content, "x.csv")
        dossiers_from(headers, rows, MAP)
    assert message in str(bad.value)


def test_a_map_naming_a_column_the_file_lacks_says_so() -> None:
    headers, rows = read_table(EXPORT, "x.csv")
    with pytest.raises(DossierImportError, match="Tệp không có cột \"Ngày nhận hồ sơ\""):
        dossiers_from(headers, rows, ColumnMap({**MAP.columns, "received_on": "Ngày nhận hồ sơ"}))
    with pytest.raises(DossierImportError, match="Chưa chọn cột cho: Mã hồ sơ"):
        dossiers_from(headers, rows, ColumnMap({"received_on": "Ngày tiếp nhận"}))


def test_reimporting_an_overlapping_export_replaces_by_code_and_the_map_is_kept(tmp_path: Path) -> None:
    with connect(tmp_path / "office.db") as db:
        apply_migrations(db)
        headers, rows = read_table(EXPORT, "x.csv")
        assert store.save_dossiers(db.conn, dossiers_from(headers, rows, MAP), "2026-10-02T01:00:00+00:00") == 5
        settled = EXPORT.replace(b"15/09/2026;20/09/2026;;", b"15/09/2026;20/09/2026;18/09/2026;")
        headers, rows = read_table(settled, "x.csv")
        store.save_dossiers(db.conn, dossiers_from(headers, rows, MAP), "2026-10-03T01:00:00+00:00")
        again = figures(store.load_dossiers(db.conn, *Q3), *Q3, today=date(2026, 10, 3))
        assert (again["received"], again["on_time"], again["late"]) == (4, 2, 1)
        store.save_dossier_map(db.conn, MAP)
        assert store.dossier_map(db.conn) == MAP and store.has_dossiers(db.conn)


def test_the_admin_maps_the_columns_once_then_imports_and_the_report_counts_them(make_app) -> None:
    api = make_app()
    headers = api.auth("admin")

    def send(path: str, content: bytes = EXPORT, name: str = "xuat-quy-3.csv"):
        return api.client.post(path, data={"file": (io.BytesIO(content), name)}, headers=headers,
                               content_type="multipart/form-data")

    assert send("/api/admin/dossiers/import").get_json()["error"]["code"] == "columns_not_mapped"
    preview = send("/api/admin/dossiers/preview").get_json()
    assert preview["rows"] == 5 and preview["columns"] is None and preview["proposal"] == dict(MAP.columns)
    saved = api.client.put("/api/admin/dossiers/columns", json={"columns": preview["proposal"]}, headers=headers)
    assert saved.status_code == 200
    bad = send("/api/admin/dossiers/import", EXPORT.replace(b"03/07/2026;03/07/2026", b"3 thg 7;03/07/2026"))
    assert bad.status_code == 422 and "Dòng 3" in bad.get_json()["error"]["message"]
    assert api.client.get("/api/reports/summary?period=quarter&date=2026-08-01", headers=headers
                          ).get_json()["dossiers"] is None  # the bad file imported nothing
    done = send("/api/admin/dossiers/import").get_json()
    assert done == {"imported": 5, "file": "xuat-quy-3.csv"}
    report = api.client.get("/api/reports/summary?from=2026-07-01&to=2026-09-30&format=json", headers=headers)
    assert (report.get_json()["dossiers"]["received"], report.get_json()["dossiers"]["online"]) == (4, 2)
    audit = api.client.get("/api/people", headers=headers).get_json()["audit"]
    assert [a["action"] for a in audit[:2]] == ["dossiers.import", "dossiers.columns"]
    assert send("/api/admin/dossiers/import").status_code == 200  # the same export again counts once
    again = api.client.get("/api/reports/summary?from=2026-07-01&to=2026-09-30", headers=headers).get_json()
    assert again["dossiers"]["received"] == 4
    assert api.client.post("/api/admin/dossiers/import", headers=api.auth("quay1")).status_code == 403
