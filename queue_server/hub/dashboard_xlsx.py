"""The ranking as an Excel workbook: Vietnamese headers, real dates, numbers a spreadsheet can sum.

Shares are stored as fractions with a percent format (0.873 shows 87,3 %),
waits as minutes with one decimal, the period's bounds as dates (dd/mm/yyyy)
rather than text, so a province officer can sort, filter and chart them.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

from ..reports.export import inert
from .dashboard_queries import RankRow

HEADERS = ("Hạng", "Mã đơn vị", "Trung tâm", "Phiếu đánh giá", "Tỷ lệ hài lòng", "Số phiếu (lượt)",
           "Chờ trung bình (phút)", "Chờ P90 (phút)", "Tỷ lệ trong thời gian chờ mục tiêu", "Tỷ lệ vắng mặt")
WIDTHS = (7, 14, 48, 15, 15, 15, 20, 15, 22, 15)
PERCENT = "0.0%"


def ranking_xlsx(rows: list[RankRow], first: date, last: date, made_at: datetime) -> bytes:
    """One sheet "Xếp hạng": the period on top, then one row per office in the page's order."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Xếp hạng"
    sheet.append(["Xếp hạng các trung tâm phục vụ hành chính công theo mức độ hài lòng"])
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    sheet.append(["Từ ngày", first, "Đến ngày", last, "Lập lúc", made_at.replace(tzinfo=None)])
    for column in (2, 4):
        sheet.cell(row=2, column=column).number_format = "dd/mm/yyyy"
    sheet.cell(row=2, column=6).number_format = "dd/mm/yyyy hh:mm"
    sheet.append([])
    sheet.append(list(HEADERS))
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(_cells(row))
        for column, number_format in ((5, PERCENT), (7, "0.0"), (8, "0"), (9, PERCENT), (10, PERCENT)):
            sheet.cell(row=sheet.max_row, column=column).number_format = number_format
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A5"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cells(row: RankRow) -> list[Any]:
    return [row.rank or None, inert(row.code), inert(row.name), row.ballots, _fraction(row.satisfied_share),
            row.tickets, row.mean_wait_minutes, row.p90_wait_minutes, _fraction(row.within_target_share),
            _fraction(row.no_show_share)]


def _fraction(percent: float | None) -> float | None:
    """87.3 (%) → 0.873, for a cell formatted as a percentage."""
    return None if percent is None else round(percent / 100, 4)
