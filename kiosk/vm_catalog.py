"""View-models of the procedure search and the procedure detail (pure).

The catalogue's record shape is tolerated generously: lists of strings or of
tables, several spellings of the link fields, missing values shown as
"Chưa có thông tin" rather than hidden.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from .texts import tr
from .vm_queue import service_accepting


def nfc(text: str) -> str:
    """NFC, as every text the kiosk sends or compares."""
    return unicodedata.normalize("NFC", text)


class SearchState:
    """Results as you type: the newest query wins, late answers to old queries are dropped.

    At most one request is in flight; keystrokes during it only replace the
    query to send next, so a slow server is never flooded.
    """

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        """Nothing typed, nothing shown, nothing asked."""
        self.query = ""
        self.field: str | None = None
        self.results: list[dict[str, Any]] = []
        self.shown_for: tuple[str, str | None] | None = None
        self.in_flight: tuple[str, str | None] | None = None
        self.error = ""

    def wanted(self) -> tuple[str, str | None]:
        """What the screen should be showing results for."""
        return (nfc(self.query).strip(), self.field)

    def next_request(self) -> tuple[str, str | None] | None:
        """The request to send now, or None (already shown, or one is in flight)."""
        wanted = self.wanted()
        if self.in_flight is not None or wanted == self.shown_for:
            return None
        if not wanted[0] and wanted[1] is None:
            self.results, self.shown_for, self.error = [], wanted, ""
            return None
        self.in_flight = wanted
        return wanted

    def received(self, request: tuple[str, str | None], results: list[dict[str, Any]]) -> bool:
        """An answer arrived; True when it is shown (it matches what is wanted now)."""
        self.in_flight = None
        self.error = ""
        if request != self.wanted():
            return False
        self.results, self.shown_for = results, request
        return True

    def failed(self, message: str) -> None:
        """The request failed; keep old results, say why."""
        self.in_flight = None
        self.error = message

    def clear(self) -> None:
        """Forget everything (idle reset, Home)."""
        self._reset()


@dataclass(frozen=True)
class ResultRow:
    """One result line."""

    code: str
    name: str
    detail: str


def result_rows(results: list[dict[str, Any]], lang: str) -> list[ResultRow]:
    """Search results as the list shows them."""
    rows = []
    for item in results:
        parts = [str(item.get("field") or "")]
        online = online_kind(item)
        if online == "full":
            parts.append(tr("search.online_full", lang))
        elif online == "part":
            parts.append(tr("search.online_part", lang))
        rows.append(ResultRow(code=str(item["code"]), name=nfc(str(item.get("name", ""))),
                              detail=" · ".join(p for p in parts if p)))
    return rows


def online_kind(record: dict[str, Any]) -> str:
    """``full`` (toàn trình), ``part`` (một phần) or ``none``."""
    raw = record.get("online_level")
    text = nfc(str(raw or "")).lower()
    if raw is True or "toàn trình" in text or "full" in text or text in ("4", "3"):
        return "full"
    if "một phần" in text or "part" in text or text in ("2",):
        return "part"
    return "none"


def field_names(raw: Any) -> list[tuple[str, str]]:
    """``GET /api/fields`` as (value to filter by, label), whatever its exact shape."""
    items = raw.get("fields", raw) if isinstance(raw, dict) else raw
    names: list[tuple[str, str]] = []
    for item in items or []:
        if isinstance(item, str):
            names.append((item, item))
        elif isinstance(item, dict):
            value = item.get("name") or item.get("field") or item.get("code")
            if value:
                names.append((str(value), str(value)))
    return names


def _first(record: dict[str, Any], *keys: str) -> Any:
    """The first present, non-empty value among several spellings."""
    for key in keys:
        value = record.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def _as_lines(value: Any) -> list[str]:
    """A list of strings or of tables (name, copies…) as readable lines."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.replace("\n", ";").split(";") if part.strip()]
    lines = []
    for item in value:
        if isinstance(item, dict):
            name = _first(item, "name", "title", "text", "description", "channel") or ""
            extras = [str(item[k]) for k in ("form", "kind", "copy", "count", "quantity", "fee", "amount", "time")
                      if item.get(k) not in (None, "") and not isinstance(item.get(k), (dict, list))]
            lines.append(f"{name} ({', '.join(extras)})" if extras and name else str(name or ", ".join(extras)))
        else:
            lines.append(str(item))
    return [nfc(line) for line in lines if line]


def _as_text(value: Any) -> str:
    """A scalar or a list as one text."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(_as_lines(value))
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return nfc(str(value))


@dataclass(frozen=True)
class ProcedureDetail:
    """Everything the detail screen shows about one procedure."""

    code: str
    name: str
    field: str
    service: str | None
    documents: list[str]
    time: str
    fee: str
    steps: list[str]
    where: str
    online: str
    portal_url: str
    sample_url: str
    video_url: str

    def spoken(self, lang: str) -> str:
        """The key facts read aloud."""
        unknown = tr("detail.unknown", lang)
        return tr("detail.spoken", lang, name=self.name, time=self.time or unknown, fee=self.fee or unknown,
                  documents="; ".join(self.documents) or unknown)

    def online_text(self, lang: str) -> str:
        """Whether and how it can be done online."""
        key = {"full": "detail.online.full", "part": "detail.online.part"}.get(self.online, "detail.online.none")
        return tr(key, lang)


NATIONAL_PORTAL = "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc={code}"
"""The procedure's page on the National Public Service Portal, when the catalogue names no link."""


def procedure_detail(record: dict[str, Any], portal_template: str = NATIONAL_PORTAL) -> ProcedureDetail:
    """``GET /api/procedures/<code>`` (or ``{"procedure": …}``) as the detail screen's facts."""
    record = record.get("procedure", record) if isinstance(record.get("procedure"), dict) else record
    online = online_kind(record)
    return ProcedureDetail(
        code=str(record.get("code", "")),
        name=nfc(str(record.get("name", ""))),
        field=nfc(str(record.get("field") or "")),
        service=record.get("service"),
        documents=_as_lines(_first(record, "documents", "dossier", "papers")),
        time=_as_text(_first(record, "processing_time", "time_limit", "duration")),
        fee=_as_text(_first(record, "fee", "fees", "charges")),
        steps=_as_lines(_first(record, "steps", "procedure_steps", "sequence")),
        where=_as_text(_first(record, "where", "where_to_file", "filing_place", "agency", "competent_agency",
                              "channels", "filing_channels")),
        online=online,
        portal_url=_link(_first(record, "portal_url", "portal_link", "online_url", "dvc_url"))
        or (portal_template.format(code=record.get("code", "")) if online != "none" and portal_template else ""),
        sample_url=_link(_first(record, "sample_dossier_url", "sample_url", "sample_dossier", "sample")),
        video_url=_link(_first(record, "guide_video_url", "video_url", "guide_video", "video")),
    )


def _link(value: Any) -> str:
    """A link given as a URL or as a table with ``url`` (or ``href``/``link``)."""
    if isinstance(value, dict):
        value = _first(value, "url", "href", "link", "file")
    return str(value or "")


def where_text(detail: ProcedureDetail, services: list[dict[str, Any]], office_name: str, lang: str) -> str:
    """Where to file: the catalogue's words, else this office's counters for the procedure's field."""
    from .texts import join_numbers

    if detail.where:
        return detail.where
    for service in services:
        if service.get("code") == detail.service and service.get("counters"):
            return tr("detail.where.counters", lang, office=office_name, service=service.get("name", ""),
                      counters=join_numbers(service["counters"], lang))
    return ""


def closed_today_note(detail: ProcedureDetail, services: list[dict[str, Any]], lang: str) -> str:
    """What the detail says instead of offering a number when its field takes no ticket today, else ""."""
    if not detail.service or service_accepting(detail.service, services):
        return ""
    return tr("error.service_closed_today", lang)
