"""Catalogue files (CSV and JSON) to procedures and back, validated row by row.

Every mistake becomes a ``RowError`` naming the row and the column; a file
with any error yields nothing (``CatalogFileError`` lists them all). Rows
count like a spreadsheet: the CSV header is row 1, the first procedure row 2;
in JSON, row N is the N-th procedure of the list.

Formats (see docs/catalog.md):

* JSON: ``{"format": "motcua-catalog", "version": "...", "procedures": [{...}]}``
  with the fields of ``Procedure`` (a bare list of procedures is accepted too);
* CSV: one procedure per row, the same field names as columns; list columns
  hold a JSON array or items separated by ";" (as the national catalogue
  publishes documents).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from .lexicon import tsv_rows
from .model import (
    CHANNELS,
    DOCUMENT_KINDS,
    FIELD_NAMES,
    LIST_FIELDS,
    ONLINE_LEVELS,
    STRUCTURED_FIELDS,
    ChannelTerms,
    Document,
    DocumentKind,
    Procedure,
)
from .normalize import fold, nfc, phrase_key

FORMAT_NAME = "motcua-catalog"
REQUIRED_COLUMNS = ("code", "name", "field")
CODE_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$")
MAX_TEXT = 50_000  # characters in one cell: far above any published legal text
MAX_REPORTED_ERRORS = 20
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RowError:
    """One mistake in a catalogue file."""

    row: int  # 1 = CSV header; procedures from 2 (CSV) or 1 (JSON)
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.message}"


class CatalogFileError(ValueError):
    """A catalogue file that cannot be imported; nothing of it was used."""

    def __init__(self, source: str, errors: list[RowError]) -> None:
        shown = "\n".join(f"  {error}" for error in errors[:MAX_REPORTED_ERRORS])
        more = f"\n  … and {len(errors) - MAX_REPORTED_ERRORS} more" if len(errors) > MAX_REPORTED_ERRORS else ""
        super().__init__(f"{source}: {len(errors)} error(s), nothing imported:\n{shown}{more}")
        self.source, self.errors = source, errors


@dataclass(frozen=True)
class CatalogFile:
    """What a catalogue file holds: its declared version (if any) and its procedures."""

    version: str | None
    procedures: tuple[Procedure, ...]


@dataclass(frozen=True)
class RowRules:
    """What a row is checked against beyond its own shape."""

    services: Collection[str] | None = None  # the office's service codes, when known
    field_services: Mapping[str, str] | None = None  # phrase_key(field) → service, for rows without one


def detect_format(name: str) -> str:
    """``csv`` or ``json`` from a file name."""
    lowered = name.lower()
    if lowered.endswith(".json"):
        return "json"
    if lowered.endswith(".csv"):
        return "csv"
    raise ValueError(f"{name}: unknown catalogue format; use a .csv or .json file or pass --format")


def read_catalog(data: bytes, fmt: str, *, source: str = "catalogue", rules: RowRules = RowRules(),
                 progress: Progress | None = None) -> CatalogFile:
    """Parse and validate a whole file; raise CatalogFileError listing every mistake."""
    text = _decode(data, fmt, source)
    if fmt == "csv":
        version, rows = _csv_rows(text, source)
    elif fmt == "json":
        version, rows = _json_rows(text, source)
    else:
        raise ValueError(f"unknown catalogue format {fmt!r}; use csv or json")
    procedures, errors = _validate_rows(rows, rules, progress)
    if errors:
        raise CatalogFileError(source, errors)
    return CatalogFile(version=version or _row_version(procedures), procedures=tuple(procedures))


def write_catalog(version: str, procedures: Iterable[Procedure], fmt: str) -> bytes:
    """A catalogue file that ``read_catalog`` reads back to the same procedures."""
    if fmt == "json":
        body = {"format": FORMAT_NAME, "version": version, "procedures": [p.to_dict() for p in procedures]}
        return (json.dumps(body, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    if fmt != "csv":
        raise ValueError(f"unknown catalogue format {fmt!r}; use csv or json")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELD_NAMES)
    for procedure in procedures:
        record = procedure.to_dict()
        writer.writerow([_csv_cell(name, record[name]) for name in FIELD_NAMES])
    return out.getvalue().encode("utf-8")


def parse_field_services(text: str, source: str = "field services") -> dict[str, str]:
    """A ``field<TAB>service`` table (header, # comments) → field key (``phrase_key``) → service code."""
    return {phrase_key(cells[0]): cells[1].strip() for _, cells in tsv_rows(text, source, 2)}


# -- reading -----------------------------------------------------------------

def _decode(data: bytes, fmt: str, source: str) -> str:
    """UTF-8 text (a BOM is fine); invalid bytes are reported by row and column."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CatalogFileError(source, [RowError(1, "(file)", "the file is UTF-16; save it as UTF-8")])
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CatalogFileError(source, _locate_bad_bytes(data, exc, fmt)) from None


def _locate_bad_bytes(data: bytes, exc: UnicodeDecodeError, fmt: str) -> list[RowError]:
    """Where the invalid UTF-8 bytes are, as rows and columns."""
    hint = f"byte 0x{data[exc.start]:02x} is not UTF-8; save the file as UTF-8 (e.g. \"CSV UTF-8\" in a spreadsheet)"
    text = data.decode("utf-8", errors="replace")
    found: list[RowError] = []
    if fmt == "csv":
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, [])
        found += [RowError(1, cell or "(header)", hint) for cell in header if "\ufffd" in cell]
        for row_number, row in enumerate(reader, start=2):
            for index, cell in enumerate(row):
                if "\ufffd" in cell:
                    found.append(RowError(row_number, header[index] if index < len(header) else f"#{index + 1}", hint))
    if not found:  # JSON, or bytes outside any cell: name the line
        found.append(RowError(data[:exc.start].count(b"\n") + 1, "(file)", hint))
    return found


def _csv_rows(text: str, source: str) -> tuple[str | None, list[tuple[int, dict[str, Any]]]]:
    """CSV text → (declared version, numbered rows as column → text)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [nfc(cell.strip()) for cell in next(reader, [])]
    errors = [RowError(1, column, f"missing column; the header must include {', '.join(REQUIRED_COLUMNS)}")
              for column in REQUIRED_COLUMNS if column not in header]
    seen: set[str] = set()
    for column in header:
        if column not in FIELD_NAMES:
            errors.append(RowError(1, column or "(empty)", f"unknown column; known columns: {', '.join(FIELD_NAMES)}"))
        elif column in seen:
            errors.append(RowError(1, column, "column appears twice; keep one"))
        seen.add(column)
    if errors:
        raise CatalogFileError(source, errors)
    rows: list[tuple[int, dict[str, Any]]] = []
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank line
        if len(cells) > len(header):
            raise CatalogFileError(source, [RowError(number, f"#{len(header) + 1}",
                                                     f"{len(cells)} cells but {len(header)} columns; "
                                                     "quote cells that contain commas")])
        rows.append((number, dict(zip(header, cells, strict=False))))  # a short row leaves its last columns out
    return None, rows


def _json_rows(text: str, source: str) -> tuple[str | None, list[tuple[int, dict[str, Any]]]]:
    """JSON text → (declared version, numbered procedure objects)."""
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        error = RowError(exc.lineno, "(file)", f"not valid JSON: {exc.msg} ({where})")
        raise CatalogFileError(source, [error]) from None
    version = None
    if isinstance(body, dict):
        version = body.get("version")
        if version is not None and not isinstance(version, str):
            raise CatalogFileError(source, [RowError(0, "version", "must be text, e.g. \"2025-07\"")])
        body = body.get("procedures")
    if not isinstance(body, list):
        raise CatalogFileError(source, [RowError(0, "procedures", "expected a list of procedures")])
    rows: list[tuple[int, dict[str, Any]]] = []
    errors: list[RowError] = []
    for number, item in enumerate(body, start=1):
        if not isinstance(item, dict):
            errors.append(RowError(number, "(row)", "expected an object with code, name, field…"))
            continue
        errors += [RowError(number, key, f"unknown field; known fields: {', '.join(FIELD_NAMES)}")
                   for key in item if key not in FIELD_NAMES]
        rows.append((number, item))
    if errors:
        raise CatalogFileError(source, errors)
    return version, rows


def _row_version(procedures: list[Procedure]) -> str | None:
    """The version the rows themselves declare, when they all agree."""
    versions = {p.catalog_version for p in procedures if p.catalog_version}
    return versions.pop() if len(versions) == 1 else None


# -- validating ----------------------------------------------------------------

def _validate_rows(rows: list[tuple[int, dict[str, Any]]], rules: RowRules,
                   progress: Progress | None) -> tuple[list[Procedure], list[RowError]]:
    """Every row → a Procedure, or errors; duplicate codes are errors."""
    procedures: list[Procedure] = []
    errors: list[RowError] = []
    first_row: dict[str, int] = {}
    for done, (number, row) in enumerate(rows, start=1):
        row_errors: list[RowError] = []
        procedure = _procedure(number, row, rules, row_errors)
        if procedure is not None:
            if procedure.code in first_row:
                row_errors.append(RowError(number, "code", f"duplicate code {procedure.code!r} "
                                           f"(first at row {first_row[procedure.code]}); each procedure once"))
            first_row.setdefault(procedure.code, number)
        if row_errors:
            errors += row_errors
        elif procedure is not None:
            procedures.append(procedure)
        if progress is not None and (done % 100 == 0 or done == len(rows)):
            progress(done, len(rows))
    return procedures, errors


def _procedure(number: int, row: Mapping[str, Any], rules: RowRules, errors: list[RowError]) -> Procedure | None:
    """One row → a Procedure, or None with its mistakes appended to errors (a list for this row only)."""
    def text(column: str, required: bool = False) -> str:
        value = row.get(column, "")
        if value is None:
            return ""
        if not isinstance(value, str):
            errors.append(RowError(number, column, "must be text"))
            return ""
        value = nfc(value.strip())
        if required and not value:
            errors.append(RowError(number, column, "empty; every procedure needs one"))
        if len(value) > MAX_TEXT:
            errors.append(RowError(number, column, f"longer than {MAX_TEXT} characters; shorten it"))
        return value

    values: dict[str, Any] = {name: text(name, required=name in REQUIRED_COLUMNS) for name in FIELD_NAMES
                              if name not in LIST_FIELDS | STRUCTURED_FIELDS | {"online_level"}}
    code = values["code"]
    if code and not CODE_PATTERN.match(code):
        errors.append(RowError(number, "code",
                               f"{code!r} is not a procedure code (letters, digits, '.', '-', e.g. 1.001193)"))
    values["service"] = _service(number, values["service"], values["field"], rules, errors)
    values["online_level"], note = _online_level(number, text("online_level"), errors)
    values["online_note"] = values["online_note"] or note
    for name in LIST_FIELDS:
        values[name] = tuple(_text_list(number, name, row.get(name), errors))
    values["channels"] = tuple(_channel(number, "channels", item, errors) for item in values["channels"])
    values["documents"] = tuple(_documents(number, row.get("documents"), errors))
    values["channel_terms"] = tuple(_channel_terms(number, row.get("channel_terms"), errors))
    if values["portal_url"] and not values["portal_url"].startswith(("https://", "http://")):
        errors.append(RowError(number, "portal_url", "must be a web address starting with https://"))
    for name in ("sample_dossier", "guide_video"):
        values[name] = values[name] or None
    return None if errors else Procedure(**values)


def _service(number: int, service: str, field: str, rules: RowRules, errors: list[RowError]) -> str | None:
    """The queue service of a row: its own, else the office's mapping of its field."""
    if not service and rules.field_services:
        service = rules.field_services.get(phrase_key(field), "")
    if service and rules.services is not None and service not in rules.services:
        errors.append(RowError(number, "service",
                               f"unknown service {service!r}; use one of {', '.join(rules.services)}"))
    return service or None


def _online_level(number: int, value: str, errors: list[RowError]) -> tuple[str | None, str]:
    """``Toàn trình (*)`` / ``partial`` → (code, remaining note)."""
    if not value:
        return None, ""
    folded = fold(value)
    for code, label in ONLINE_LEVELS.items():
        for prefix in (code, fold(label)):
            if folded == prefix or folded.startswith(prefix + " ") or folded.startswith(prefix + "("):
                return code, value[len(prefix):].strip()
    errors.append(RowError(number, "online_level",
                           f"{value!r}: use Toàn trình, Một phần or Không (or full, partial, none)"))
    return None, ""


def _channel(number: int, column: str, value: str, errors: list[RowError]) -> str:
    """A way of filing, as a code: ``Trực tuyến`` → online."""
    for code, label in CHANNELS.items():
        if fold(value) in (code, fold(label)):
            return code
    errors.append(RowError(number, column,
                           f"{value!r}: use one of {', '.join(CHANNELS.values())} (or {', '.join(CHANNELS)})"))
    return value


def _text_list(number: int, column: str, value: Any, errors: list[RowError]) -> list[str]:
    """A list cell: a JSON array of text, or items separated by ';'."""
    items = _list_value(number, column, value, errors)
    result: list[str] = []
    for item in items:
        if not isinstance(item, str):
            errors.append(RowError(number, column, "items must be text"))
            continue
        if item.strip():
            result.append(nfc(item.strip()))
    return result


def _list_value(number: int, column: str, value: Any, errors: list[RowError]) -> list[Any]:
    """The items of a list cell, whatever way it is written."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    if not isinstance(value, str):
        errors.append(RowError(number, column, "expected a list"))
        return []
    stripped = value.strip()
    if stripped.startswith("["):
        try:
            parsed = json.loads(stripped)
        except json.JSONDecodeError as exc:
            errors.append(RowError(number, column, f"starts with '[' but is not a JSON list: {exc.msg}"))
            return []
        if isinstance(parsed, list):
            return parsed
    return stripped.split(";")


def _documents(number: int, value: Any, errors: list[RowError]) -> list[Document]:
    """The dossier's papers: names, or objects {name, kind, count, form}."""
    documents: list[Document] = []
    for item in _list_value(number, "documents", value, errors):
        if isinstance(item, str):
            if item.strip():
                documents.append(Document(nfc(item.strip())))
            continue
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"].strip():
            errors.append(RowError(number, "documents", "each document needs a name"))
            continue
        unknown = set(item) - {"name", "kind", "count", "form"}
        kind, count, form = item.get("kind") or "", item.get("count"), item.get("form") or ""
        if unknown:
            errors.append(RowError(number, "documents",
                                   f"unknown document key(s) {', '.join(sorted(unknown))}; "
                                   "use name, kind, count, form"))
        elif kind not in DOCUMENT_KINDS:
            errors.append(RowError(number, "documents",
                                   f"kind {kind!r}: use one of {', '.join(k for k in DOCUMENT_KINDS if k)}"))
        elif count is not None and (not isinstance(count, int) or isinstance(count, bool) or count < 0):
            errors.append(RowError(number, "documents", f"count {count!r}: use a whole number, 0 or more"))
        elif not isinstance(form, str):
            errors.append(RowError(number, "documents", "form must be a file name or address"))
        else:
            # kind is one of DOCUMENT_KINDS, checked above
            documents.append(Document(nfc(item["name"].strip()), cast(DocumentKind, kind), count, nfc(form)))
    return documents


def _channel_terms(number: int, value: Any, errors: list[RowError]) -> list[ChannelTerms]:
    """Time limit and fee per channel: objects {channel, time_limit, fee}."""
    terms: list[ChannelTerms] = []
    for item in _list_value(number, "channel_terms", value, errors):
        if not isinstance(item, dict) or set(item) - {"channel", "time_limit", "fee"} or \
                not all(isinstance(v, str) for v in item.values()):
            errors.append(RowError(number, "channel_terms",
                                   'each item is {"channel": "online", "time_limit": "…", "fee": "…"}'))
            continue
        channel = _channel(number, "channel_terms", item.get("channel", ""), errors)
        terms.append(ChannelTerms(channel, nfc(item.get("time_limit", "")), nfc(item.get("fee", ""))))
    return terms


# -- writing -------------------------------------------------------------------

def _csv_cell(name: str, value: Any) -> str:
    """One CSV cell: plain text; a list as ';'-joined items where that reads back exactly, else JSON."""
    if value is None:
        return ""
    if not isinstance(value, (list, tuple)):
        return str(value)
    if name == "documents" and all(not (d["kind"] or d["form"]) and d["count"] is None for d in value):
        value = [d["name"] for d in value]
    plain = all(isinstance(v, str) and v and ";" not in v and v == v.strip() for v in value)
    if plain and not (value and value[0].startswith("[")):
        return ";".join(value)
    return json.dumps(list(value), ensure_ascii=False)
