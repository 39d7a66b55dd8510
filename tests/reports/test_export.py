"""CSV and XLSX exports carry the same figures as the JSON report; XLSX opens back in openpyxl."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from .test_report_figures import morning  # noqa: F401  (module fixture: the played morning)


def test_xlsx_opens_back_with_the_report_figures(morning):  # noqa: F811
    answer = morning.get("/api/reports/summary?from=2026-11-23&to=2026-11-23&format=xlsx", "admin")
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"] == 'attachment; filename="bao-cao-2026-11-23-2026-11-23.xlsx"'
    book = load_workbook(io.BytesIO(answer.data))
    assert book.sheetnames == ["Tổng hợp", "Lĩnh vực", "Quầy", "Cán bộ", "Hài lòng", "Giờ cao điểm", "Biểu đồ"]
    summary = {row[0]: row[1] for row in book["Tổng hợp"].iter_rows(min_row=4, values_only=True) if row[0]}
    assert summary["Số phiếu cấp"] == 5 and summary["Đã phục vụ"] == 3 and summary["Vắng mặt"] == 1
    assert summary["Thời gian chờ (phút), trung bình"] == 14.0  # 840 s
    assert summary["Tỷ lệ hài lòng (%)"] == 66.7
    services = list(book["Lĩnh vực"].iter_rows(values_only=True))
    assert services[1][:3] == ("HT – Tư pháp – Hộ tịch", 4, 3)
    heat = list(book["Giờ cao điểm"].iter_rows(values_only=True))
    assert heat[1][0] == "T2" and heat[1][1 + 8] == 5
    assert len(book["Biểu đồ"]._images) == 4


def test_csv_is_one_tidy_table_with_a_bom_for_excel(morning):  # noqa: F811
    answer = morning.get("/api/reports/summary?from=2026-11-23&to=2026-11-23&format=csv", "admin")
    text = answer.data.decode("utf-8")
    assert text.startswith("\ufeffsection,group,metric,value")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    figures = {(r[0], r[2]): r[3] for r in rows[1:] if r[0] == "office"}
    assert figures[("office", "tickets.issued")] == "5"
    assert figures[("office", "wait_s.p90")] == "1308.0"
    assert ("heatmap", "T2", "08h", "5") in {tuple(r) for r in rows}


def test_an_unknown_format_is_422(morning):  # noqa: F811
    assert morning.get("/api/reports/summary?format=pdf", "admin").status_code == 422


HOSTILE_NAME = '=HYPERLINK("http://example.invalid/x","b")'


def _hostile_report(morning) -> dict:  # noqa: F811
    """The played morning's report with a person's name that a spreadsheet would run as a formula."""
    report = morning.get("/api/reports/summary?from=2026-11-23&to=2026-11-23", "admin").get_json()
    report["office"] = HOSTILE_NAME
    for clerk in report.get("clerks", []):
        clerk["name"] = "@" + str(clerk.get("name"))
    return report


def test_csv_cells_that_look_like_formulas_are_made_inert(morning):  # noqa: F811
    from queue_server.reports.export import to_csv

    rows = list(csv.reader(io.StringIO(to_csv(_hostile_report(morning)))))
    cells = [cell for row in rows for cell in row]
    assert "'" + HOSTILE_NAME in cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "@", "\t", "\r"))]
    assert any(cell == "5" for cell in cells)  # numbers stay numbers


def test_xlsx_keeps_a_formula_looking_name_as_text(morning):  # noqa: F811
    from queue_server.reports.export import to_xlsx

    book = load_workbook(io.BytesIO(to_xlsx(_hostile_report(morning), charts=False)))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert book["Tổng hợp"]["B1"].value == HOSTILE_NAME and book["Tổng hợp"]["B1"].data_type == "s"
