"""Dossier figures from the provincial one-stop system's export (issue 15.2): read, map once, count.

The queue knows tickets, not dossiers (hồ sơ): how many were received, how
many were settled on time or late, how many came online are kept by the
province's one-stop system (Hệ thống thông tin giải quyết TTHC). The office
exports them (CSV or XLSX) and imports the file here, so the quarterly
report holds both. Every system names its columns its own way, so the admin
maps them once (``ColumnMap``). Pure: bytes and a map in, records out.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

FIELDS = {
    "dossier": "Mã hồ sơ",
    "field": "Lĩnh vực",
    "received_on": "Ngày tiếp nhận",
    "due_on": "Ngày hẹn trả (hạn xử lý)",
    "finished_on": "Ngày có kết quả",
    "channel": "Hình thức nộp",
}
"""Our names for the export's columns, and what a person calls them (the mapping form's labels)."""
REQUIRED = ("dossier", "received_on")

DEFAULT_GUESSES = {
    "dossier": ("mã hồ sơ", "ma ho so", "số hồ sơ"),
    "field": ("lĩnh vực", "linh vuc"),
    "received_on": ("ngày tiếp nhận", "ngày nhận", "ngay tiep nhan"),
    "due_on": ("ngày hẹn trả", "hạn xử lý", "hạn giải quyết", "ngày hẹn"),
    "finished_on": ("ngày có kết quả", "ngày hoàn thành", "ngày trả kết quả", "ngày kết thúc"),
    "channel": ("hình thức nộp", "kênh nộp", "hình thức tiếp nhận"),
}
"""Headers commonly seen in provincial exports: the mapping form starts from these guesses."""

ONLINE_WORDS = ("trực tuyến", "truc tuyen", "online", "dvc", "dịch vụ công")
MAX_ROWS = 200_000
MAX_BYTES = 20 * 1024 * 1024


class DossierImportError(ValueError):
    """A file that cannot be imported: the message says which row or column and what to fix."""


@dataclass(frozen=True)
class Dossier:
    """One dossier of the export, as the report counts it."""

    code: str
    received_on: date
    field: str = ""
    due_on: date | None = None
    finished_on: date | None = None
    online: bool = False


@dataclass(frozen=True)
class ColumnMap:
    """Our field → the export's column header, as the admin mapped it once."""

    columns: Mapping[str, str] = field(default_factory=dict)

    def missing(self) -> list[str]:
        """Required fields the map does not name."""
        return [name for name in REQUIRED if not self.columns.get(name)]


def _folded(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text)).casefold().split())


def guess_map(headers: Sequence[str]) -> ColumnMap:
    """A first map from the export's headers (the admin corrects it once)."""
    found: dict[str, str] = {}
    for name, guesses in DEFAULT_GUESSES.items():
        for header in headers:
            if any(_folded(header).startswith(g) for g in guesses):
                found[name] = header
                break
    return ColumnMap(found)


def read_table(content: bytes, filename: str) -> tuple[list[str], list[list[Any]]]:
    """The header row and the data rows of a CSV (UTF-8, with or without BOM; "," or ";") or an XLSX file."""
    if len(content) > MAX_BYTES:
        raise DossierImportError(f"Tệp lớn quá {MAX_BYTES // (1024 * 1024)} MB; xin xuất từng quý.")
    rows = _xlsx_rows(content) if filename.lower().endswith(".xlsx") else _csv_rows(content)
    rows = [row for row in rows if any(str(cell or "").strip() for cell in row)]
    if not rows:
        raise DossierImportError("Tệp không có dòng nào.")
    if len(rows) - 1 > MAX_ROWS:
        raise DossierImportError(f"Tệp có hơn {MAX_ROWS} hồ sơ; xin xuất từng quý.")
    headers = [unicodedata.normalize("NFC", str(cell or "")).strip() for cell in rows[0]]
    return headers, rows[1:]


def _csv_rows(content: bytes) -> list[list[Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DossierImportError("Tệp CSV không phải UTF-8; xin lưu lại dạng \"CSV UTF-8\" rồi nhập.") from None
    dialect = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=dialect))


def _xlsx_rows(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise DossierImportError("Không đọc được tệp Excel; xin kiểm tra tệp là .xlsx.") from None
    sheet = book.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def parse_date(value: Any) -> date | None:
    """dd/mm/yyyy (with a time or not), yyyy-mm-dd, or an Excel date; None when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float):  # an Excel serial date that lost its format
        return date(1899, 12, 30) + timedelta(days=int(value))
    text = str(value).strip().split(" ")[0]
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def dossiers_from(headers: Sequence[str], rows: Iterable[Sequence[Any]], mapping: ColumnMap) -> list[Dossier]:
    """Every row as a Dossier; a bad row stops the import with its row number (nothing half-imported)."""
    missing = mapping.missing()
    if missing:
        raise DossierImportError("Chưa chọn cột cho: " + ", ".join(FIELDS[m] for m in missing) + ".")
    # Matched as a person reads them: another export of the same system may differ in case, spaces or
    # Unicode form ("SỐ HỒ SƠ", "Hạn  trả", NFD from a Mac) and is still the column the admin mapped.
    folded = [_folded(header) for header in headers]
    index = {}
    for name, header in mapping.columns.items():
        if not header:
            continue
        if _folded(header) not in folded:
            raise DossierImportError(f"Tệp không có cột \"{header}\" (cho {FIELDS[name]}); "
                                     "xin chọn lại cột cho đúng tệp.")
        index[name] = folded.index(_folded(header))
    return list(_records(rows, index))


def _records(rows: Iterable[Sequence[Any]], index: Mapping[str, int]) -> Iterator[Dossier]:
    def cell(row: Sequence[Any], name: str) -> Any:
        position = index.get(name)
        return row[position] if position is not None and position < len(row) else None

    for number, row in enumerate(rows, start=2):  # row 1 is the header, as the spreadsheet numbers it
        code = unicodedata.normalize("NFC", str(cell(row, "dossier") or "")).strip()
        if not code:
            raise DossierImportError(f"Dòng {number}: thiếu mã hồ sơ.")
        try:
            received = parse_date(cell(row, "received_on"))
            due, finished = parse_date(cell(row, "due_on")), parse_date(cell(row, "finished_on"))
        except ValueError as bad:
            raise DossierImportError(f"Dòng {number} (hồ sơ {code}): ngày \"{bad}\" không đọc được; "
                                     "xin dùng dạng 25/09/2026.") from None
        if received is None:
            raise DossierImportError(f"Dòng {number} (hồ sơ {code}): thiếu ngày tiếp nhận.")
        channel = _folded(str(cell(row, "channel") or ""))
        yield Dossier(code=code, received_on=received, due_on=due, finished_on=finished,
                      field=unicodedata.normalize("NFC", str(cell(row, "field") or "")).strip(),
                      online=any(word in channel for word in ONLINE_WORDS))


def figures(dossiers: Iterable[Dossier], first: date, last: date, today: date) -> dict[str, Any]:
    """The report's dossier figures for the days ``first``..``last``, overall and per field.

    On time: settled by the due date. Late: settled after it, or not settled
    and past it on ``today``. Pending: neither settled nor late yet.
    """
    groups: dict[str, dict[str, int]] = {}
    total = _blank()
    for dossier in dossiers:
        if not first <= dossier.received_on <= last:
            continue
        for counts in (total, groups.setdefault(dossier.field or "(không ghi lĩnh vực)", _blank())):
            _count(counts, dossier, today)
    return {"source": "provincial_export", **total,
            "by_field": [{"field": name, **counts} for name, counts in sorted(groups.items())]}


def _blank() -> dict[str, int]:
    return {"received": 0, "online": 0, "on_time": 0, "late": 0, "pending": 0}


def _count(counts: dict[str, int], dossier: Dossier, today: date) -> None:
    counts["received"] += 1
    counts["online"] += dossier.online
    if dossier.finished_on is not None:
        late = dossier.due_on is not None and dossier.finished_on > dossier.due_on
    else:
        late = dossier.due_on is not None and today > dossier.due_on
        if not late:
            counts["pending"] += 1
            return
    counts["late" if late else "on_time"] += 1
