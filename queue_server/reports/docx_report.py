"""The quarterly report as a Word document (.docx): the queue figures and the survey paragraphs.

Communes send their report upward as a Word file, so the office head gets
one to edit rather than figures to retype: a heading with the office and
the period (dd/mm/yyyy), the tickets per field against their target wait,
then the survey section as ``narrative`` writes it (issue 15.2).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from docx import Document
from docx.shared import Pt

from wording import date_text

FIELD_COLUMNS = ("Lĩnh vực", "Số phiếu cấp", "Đã phục vụ", "Vắng mặt", "Chờ trung bình (phút)",
                 "90% chờ dưới (phút)", "Mục tiêu (phút)", "Đánh giá")


def minutes_text(seconds: float | None) -> str:
    """Seconds as minutes with one decimal and a decimal comma ("2,6"); "–" when nobody was served."""
    return "–" if seconds is None else f"{seconds / 60:.1f}".replace(".", ",")


def _verdict(group: dict[str, Any]) -> str:
    """"Đạt" when nine in ten were called within the field's target wait."""
    p90, target = group["wait_s"].get("p90"), group.get("target_wait_minutes")
    if p90 is None or target is None:
        return "–"
    return "Đạt" if p90 <= target * 60 else "Chưa đạt"


def field_rows(report: dict[str, Any]) -> list[tuple[str, ...]]:
    """One row per field: the table of section I."""
    return [(g["name"], str(g["tickets"]["issued"]), str(g["tickets"]["served"]), str(g["tickets"]["no_show"]),
             minutes_text(g["wait_s"].get("mean")), minutes_text(g["wait_s"].get("p90")),
             str(g.get("target_wait_minutes") or "–"), _verdict(g)) for g in report["by_service"]]


def to_docx(report: dict[str, Any], paragraphs: Sequence[str]) -> bytes:
    """The report's .docx bytes."""
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"  # the font of Vietnamese administrative documents (Nghị định 30/2020)
    style.font.size = Pt(13)
    period = report["period"]
    first, last = date.fromisoformat(period["from"]), date.fromisoformat(period["to"])
    document.add_heading("BÁO CÁO KẾT QUẢ TIẾP NHẬN VÀ KHẢO SÁT SỰ HÀI LÒNG", level=1)
    document.add_paragraph(f"{report['office']}. Từ ngày {date_text(first)} đến ngày {date_text(last)}.")
    _queue_section(document, report)
    document.add_heading("II. Kết quả khảo sát sự hài lòng", level=2)
    for text in paragraphs:
        document.add_paragraph(text)
    if report.get("dossiers"):
        document.add_heading("III. Kết quả giải quyết hồ sơ", level=2)
        document.add_paragraph(dossier_sentence(report["dossiers"]))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def dossier_sentence(dossiers: dict[str, Any]) -> str:
    """The dossiers of the period in one sentence, saying where the figures come from."""
    received = dossiers["received"]
    return (f"Theo dữ liệu xuất từ Hệ thống thông tin giải quyết thủ tục hành chính của tỉnh: tiếp nhận "
            f"{received} hồ sơ, trong đó {dossiers['online']} hồ sơ trực tuyến; đã giải quyết đúng hạn "
            f"{dossiers['on_time']} hồ sơ, quá hạn {dossiers['late']} hồ sơ, đang giải quyết trong hạn "
            f"{dossiers['pending']} hồ sơ.")


def _queue_section(document: Any, report: dict[str, Any]) -> None:
    """Section I: the totals in a sentence, then the fields' table."""
    tickets, wait = report["tickets"], report["wait_s"]
    document.add_heading("I. Tình hình tiếp đón công dân tại Bộ phận Một cửa", level=2)
    document.add_paragraph(
        f"Tổng số phiếu cấp {tickets['issued']} phiếu; đã phục vụ {tickets['served']}, vắng mặt {tickets['no_show']}, "
        f"chuyển quầy {tickets['transferred']}. Thời gian chờ trung bình {minutes_text(wait.get('mean'))} phút; "
        f"90% công dân chờ dưới {minutes_text(wait.get('p90'))} phút.")
    rows = field_rows(report)
    table = document.add_table(rows=1 + len(rows), cols=len(FIELD_COLUMNS))
    table.style = "Table Grid"
    for cells, values in zip(table.rows, [FIELD_COLUMNS, *rows], strict=True):
        for cell, value in zip(cells.cells, values, strict=True):
            cell.text = value
