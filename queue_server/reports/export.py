"""A report as CSV (one tidy table for programs, one table for people) or XLSX (a sheet per view, charts).

All are built from the JSON report alone, so every format shows the same figures.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from typing import Any

from wording import date_text

TICKET_METRICS = (("issued", "Số phiếu cấp"), ("served", "Đã phục vụ"), ("no_show", "Vắng mặt"),
                  ("transferred", "Chuyển quầy/lĩnh vực"), ("cancelled", "Hủy cuối ngày"), ("open", "Đang mở"))
TIME_METRICS = (("mean", "trung bình"), ("median", "trung vị"), ("p90", "phân vị 90"))


def _group_rows(report: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(section, group name, group) for the office and each service, counter, clerk."""
    yield "office", report["office"], report
    for row in report["by_service"]:
        yield "service", f"{row['code']} – {row['name']}", row
    for row in report["by_counter"]:
        yield "counter", row["name"], row
    for row in report["by_clerk"]:
        yield "clerk", row.get("name") or row["clerk"], row


def _metrics(group: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    for key, _ in TICKET_METRICS:
        yield f"tickets.{key}", group["tickets"][key]
    for kind in ("wait_s", "service_s"):
        for key, _ in TIME_METRICS:
            yield f"{kind}.{key}", group[kind][key]
    satisfaction = group.get("satisfaction")
    if satisfaction:
        yield "ratings", satisfaction["ratings"]
        for level in satisfaction["levels"]:
            yield f"rating.{level['code']}.count", level["count"]
            yield f"rating.{level['code']}.share", level["share"]
        yield "rating.satisfied_share", satisfaction["satisfied_share"]


def tidy_rows(report: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    """Every figure as (section, group, metric, value), then criteria, questions, reasons, heatmap."""
    for section, name, group in _group_rows(report):
        for metric, value in _metrics(group):
            yield section, name, metric, value
    satisfaction = report["satisfaction"]
    for kind in ("criteria", "questions"):
        for item in satisfaction[kind]:
            yield kind, item["label"], "answered", item["answered"]
            for answer in item["answers"]:
                yield kind, item["label"], f"{answer['label']}.count", answer["count"]
                yield kind, item["label"], f"{answer['label']}.share", answer["share"]
    for reason in satisfaction["reasons"]["items"]:
        yield "reasons", reason["label"], "count", reason["count"]
        yield "reasons", reason["label"], "share", reason["share"]
    heat = report["heatmap"]
    for day, row in zip(heat["weekdays"], heat["counts"], strict=True):
        for hour, count in enumerate(row):
            if count:
                yield "heatmap", day, f"{hour:02d}h", count


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet reads as the start of a formula (OWASP's CSV injection list)."""


def inert(value: Any) -> Any:
    """A text cell a spreadsheet will not run: a name like ``=HYPERLINK(…)`` gets a leading quote."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def to_csv(report: dict[str, Any]) -> str:
    """The report as one CSV table (section, group, metric, value); times in seconds, shares in %."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    period = report["period"]
    writer.writerow(["section", "group", "metric", "value"])
    rows = [("period", report["office"], "from", period["from"]), ("period", report["office"], "to", period["to"]),
            *tidy_rows(report)]
    writer.writerows([inert(value) for value in row] for row in rows)  # names come from people: never formulas
    return buffer.getvalue()


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


PEOPLE_SECTIONS = {"office": "Toàn cơ quan", "service": "Lĩnh vực", "counter": "Quầy", "clerk": "Cán bộ"}
PEOPLE_COLUMNS = ("Nhóm", "Tên", *[label for _, label in TICKET_METRICS],
                  "Chờ trung bình (phút)", "Chờ trung vị (phút)", "90% chờ dưới (phút)",
                  "Phục vụ trung bình (phút)", "Lượt đánh giá", "Tỷ lệ hài lòng (%)")


def _decimal_comma(value: float | None) -> str:
    """1.5 → "1,5" (Vietnamese Excel reads the comma as the decimal sign); no figure → empty."""
    return "" if value is None else f"{value:g}".replace(".", ",")


def to_people_csv(report: dict[str, Any]) -> str:
    """The report as a table a person opens in Excel: Vietnamese headings, minutes, decimal comma, ";".

    With the comma taken by decimals, a Vietnamese Excel separates columns by
    ";"; the machine CSV (``to_csv``) stays comma-separated and in seconds.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    period = report["period"]
    writer.writerow([f"Báo cáo {report['office']}", f"từ {_dmy(period['from'])} đến {_dmy(period['to'])}"])
    writer.writerow(PEOPLE_COLUMNS)
    for section, name, group in _group_rows(report):
        satisfaction = group.get("satisfaction") or {}
        writer.writerow([inert(v) for v in (
            PEOPLE_SECTIONS[section], name, *[group["tickets"][key] for key, _ in TICKET_METRICS],
            *[_decimal_comma(_minutes(group["wait_s"][key])) for key, _ in TIME_METRICS],
            _decimal_comma(_minutes(group["service_s"]["mean"])), satisfaction.get("ratings", ""),
            _decimal_comma(satisfaction.get("satisfied_share")))])
    return buffer.getvalue()


def _dmy(iso: str) -> str:
    """"2026-09-30" → "30/09/2026"."""
    return date_text(date.fromisoformat(iso))


def to_xlsx(report: dict[str, Any], *, charts: bool = True) -> bytes:
    """The report as an Excel workbook: summary, per field/counter/clerk, satisfaction, peak hours, charts."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet, active
    sheet.title = "Tổng hợp"
    period = report["period"]
    sheet.append(["Báo cáo", report["office"]])
    sheet.append(["Từ ngày", date.fromisoformat(period["from"]), "Đến ngày", date.fromisoformat(period["to"]),
                  "Số ngày", period["days"]])
    for cell in (sheet["B2"], sheet["D2"]):  # real dates Excel can sort and compute with, shown dd/mm/yyyy
        cell.number_format = "DD/MM/YYYY"
    sheet.append([])
    sheet.append(["Chỉ tiêu", "Giá trị"])
    for key, label in TICKET_METRICS:
        sheet.append([label, report["tickets"][key]])
    for kind, label in (("wait_s", "Thời gian chờ (phút)"), ("service_s", "Thời gian phục vụ (phút)")):
        for key, name in TIME_METRICS:
            sheet.append([f"{label}, {name}", _minutes(report[kind][key])])
    overall = report["satisfaction"]
    sheet.append(["Số lượt đánh giá", overall["ratings"]])
    sheet.append(["Tỷ lệ hài lòng (%)", overall["satisfied_share"]])
    for title, rows, name_of in (("Lĩnh vực", report["by_service"], lambda r: f"{r['code']} – {r['name']}"),
                             ("Quầy", report["by_counter"], lambda r: r["name"]),
                             ("Cán bộ", report["by_clerk"], lambda r: r.get("name") or r["clerk"])):
        _group_sheet(book.create_sheet(title), title, rows, name_of, overall["levels"])
    _satisfaction_sheet(book.create_sheet("Hài lòng"), overall)
    heat = book.create_sheet("Giờ cao điểm")
    heat.append(["Thứ \\ Giờ", *[f"{h}h" for h in range(24)]])
    for day, row in zip(report["heatmap"]["weekdays"], report["heatmap"]["counts"], strict=True):
        heat.append([day, *row])
    if charts:
        _chart_sheet(book.create_sheet("Biểu đồ"), report)
    for ws in book.worksheets:
        ws["A1"].font = Font(bold=True)
        ws.column_dimensions["A"].width = 34
        _text_stays_text(ws)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text_stays_text(sheet) -> None:
    """The workbook has no formulas of its own: a cell openpyxl took for one is someone's text, stored as text."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def _group_sheet(sheet, title: str, rows: list[dict[str, Any]], name_of, levels: list[dict[str, Any]]) -> None:
    sheet.append([title, *[label for _, label in TICKET_METRICS],
                  "Chờ TB (phút)", "Chờ trung vị (phút)", "Chờ P90 (phút)",
                  "Phục vụ TB (phút)", "Phục vụ trung vị (phút)", "Phục vụ P90 (phút)",
                  "Lượt đánh giá", *[f"{lv['label']} (%)" for lv in levels], "Tỷ lệ hài lòng (%)"])
    for row in rows:
        satisfaction = row["satisfaction"]
        shares = {lv["code"]: lv["share"] for lv in satisfaction["levels"]}
        sheet.append([name_of(row), *[row["tickets"][k] for k, _ in TICKET_METRICS],
                      *[_minutes(row["wait_s"][k]) for k, _ in TIME_METRICS],
                      *[_minutes(row["service_s"][k]) for k, _ in TIME_METRICS],
                      satisfaction["ratings"], *[shares.get(lv["code"]) for lv in levels],
                      satisfaction["satisfied_share"]])


def _satisfaction_sheet(sheet, overall: dict[str, Any]) -> None:
    sheet.append(["Mức độ", "Số phiếu", "Tỷ lệ (%)"])
    for level in overall["levels"]:
        sheet.append([level["label"], level["count"], level["share"]])
    for kind, title in (("criteria", "Tiêu chí"), ("questions", "Câu hỏi")):
        for item in overall[kind]:
            sheet.append([])
            sheet.append([f"{title}: {item['label']}", f"{item['answered']} trả lời"])
            for answer in item["answers"]:
                sheet.append([answer["label"], answer["count"], answer["share"]])
    sheet.append([])
    sheet.append([f"Lý do chưa hài lòng ({overall['reasons']['low_ratings']} phiếu ở mức thấp)"])
    for reason in overall["reasons"]["items"]:
        sheet.append([reason["label"], reason["count"], reason["share"]])


def _chart_sheet(sheet, report: dict[str, Any]) -> None:
    """Excel's own charts over the figures of the other sheets (the office edits them: titles, colours),
    and the peak-hours heatmap as a picture, which Excel has no chart for."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.drawing.image import Image as SheetImage

    from . import charts

    book = sheet.parent
    fields, levels = book["Lĩnh vực"], book["Hài lòng"]
    count = len(report["by_service"])
    specs = [("Số phiếu theo lĩnh vực", fields, (2, 3, 4), count, "Số phiếu"),
             ("Thời gian chờ theo lĩnh vực (phút)", fields, (8, 9, 10), count, "Phút"),
             ("Mức độ hài lòng", levels, (2,), len(report["satisfaction"]["levels"]), "Số phiếu")]
    for index, (title, source, columns, rows, axis) in enumerate(specs):
        chart = BarChart()
        chart.title, chart.y_axis.title, chart.width, chart.height = title, axis, 24, 11
        for column in columns:
            chart.add_data(Reference(source, min_col=column, min_row=1, max_row=1 + rows), titles_from_data=True)
        chart.set_categories(Reference(source, min_col=1, min_row=2, max_row=1 + rows))
        sheet.add_chart(chart, f"A{1 + index * 24}")
    heatmap = SheetImage(io.BytesIO(charts.render("heatmap", report)))
    sheet.add_image(heatmap, f"A{1 + len(specs) * 24}")
