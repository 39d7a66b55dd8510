"""A published administrative procedure (thủ tục hành chính, TTHC), as plain data.

Standard library only. ``Procedure.from_dict`` / ``to_dict`` are the one JSON
shape used by the catalogue file, the database and the API's detail view.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

OnlineLevel = Literal["full", "partial", "none"]
ONLINE_LEVELS: dict[str, str] = {"full": "Toàn trình", "partial": "Một phần", "none": "Không"}
"""API codes of the online service level and their Vietnamese labels."""

CHANNELS: dict[str, str] = {"direct": "Trực tiếp", "online": "Trực tuyến", "postal": "Bưu chính"}
"""API codes of the ways of filing (cách thức thực hiện) and their Vietnamese labels."""

DocumentKind = Literal["original", "copy", "original_or_copy", ""]
DOCUMENT_KINDS: dict[str, str] = {"original": "Bản chính", "copy": "Bản sao",
                                  "original_or_copy": "Bản chính hoặc bản sao", "": ""}


@dataclass(frozen=True)
class Document:
    """One paper of the dossier (thành phần hồ sơ)."""

    name: str
    kind: DocumentKind = ""
    count: int | None = None
    form: str = ""  # file name or URL of the blank form (mẫu đơn, tờ khai)


@dataclass(frozen=True)
class ChannelTerms:
    """Time limit and fee when filing through one channel (they often differ)."""

    channel: str  # a key of CHANNELS
    time_limit: str = ""
    fee: str = ""


@dataclass(frozen=True)
class Procedure:
    """Everything a published procedure says, plus where the office takes it."""

    code: str
    name: str
    field: str
    level: str = ""
    service: str | None = None  # the queue service (field counters) that takes it, e.g. "HT"
    steps: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()  # ways of filing, keys of CHANNELS
    documents: tuple[Document, ...] = ()
    processing_time: str = ""  # summary shown in lists; per-channel detail in channel_terms
    fee: str = ""
    channel_terms: tuple[ChannelTerms, ...] = ()
    applicants: str = ""
    agency: str = ""
    result: str = ""
    conditions: str = ""
    legal_basis: tuple[str, ...] = ()
    online_level: OnlineLevel | None = None
    online_note: str = ""  # qualification of the online level, e.g. "hai bên phải có mặt"
    portal_url: str = ""
    catalog_version: str = ""
    sample_dossier: str | None = None  # image or PDF of a filled-in dossier (kiosk)
    guide_video: str | None = None  # short guide video path (kiosk)
    keywords: tuple[str, ...] = ()  # extra words citizens use for this procedure

    def summary(self) -> dict[str, Any]:
        """The short shape of a search result."""
        return {"code": self.code, "name": self.name, "field": self.field, "service": self.service,
                "level": self.level, "online_level": self.online_level,
                "processing_time": self.processing_time, "fee": self.fee}

    def to_dict(self) -> dict[str, Any]:
        """The whole record as JSON-ready data (by hand: ``dataclasses.asdict`` deep-copies, 30× slower)."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        for name in LIST_FIELDS:
            data[name] = list(data[name])
        data["documents"] = [{"name": d.name, "kind": d.kind, "count": d.count, "form": d.form} for d in self.documents]
        data["channel_terms"] = [{"channel": t.channel, "time_limit": t.time_limit, "fee": t.fee}
                                 for t in self.channel_terms]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Procedure:
        """Rebuild a record from ``to_dict`` output (already validated data)."""
        values = dict(data)
        values["documents"] = tuple(Document(**doc) for doc in values.get("documents", ()))
        values["channel_terms"] = tuple(ChannelTerms(**terms) for terms in values.get("channel_terms", ()))
        for name in LIST_FIELDS:
            values[name] = tuple(values.get(name, ()))
        return cls(**values)


FIELD_NAMES: tuple[str, ...] = tuple(Procedure.__dataclass_fields__)
"""Every attribute of a procedure, in declaration order (the export column order)."""

LIST_FIELDS = frozenset({"steps", "channels", "legal_basis", "keywords"})
STRUCTURED_FIELDS = frozenset({"documents", "channel_terms"})

