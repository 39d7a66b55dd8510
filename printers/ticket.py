"""What a printed ticket says: a frozen ``TicketPrint`` and its Vietnamese wording.

Built once from the API ticket, the office and the service's counters, so the
layout step is a pure function of this value (no clock, no server, no config).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from wording import PRIORITY_LABELS, date_text, join_alternatives, priority_label, time_text, wait_promise, wait_text

__all__ = ["PRIORITY_LABELS", "TicketPrint", "format_wait", "sample_ticket", "ticket_print_from_api"]

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


def nfc(text: str) -> str:
    """Vietnamese text in NFC, the form every font and code page expects."""
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True)
class TicketPrint:
    """Everything printed on one queue ticket, already in the office's time zone."""

    number: str
    office_name: str
    service_name: str
    counters: tuple[int, ...]
    ahead: int
    estimated_wait_s: int | None
    issued_at: datetime
    status_url: str = ""
    priority: str | None = None
    hotline: str = ""
    footer: str = ""
    ticket_id: int | str | None = None
    reprinted_at: datetime | None = None  # set on a reprint: the paper says "IN LẠI" and when
    wait_note: str | None = None  # the API's note: the wait crosses lunch or may not end today (issue 14.5)
    expected_call_at: datetime | None = None  # the likely call with an after_break/before_opening note

    def __post_init__(self) -> None:
        for name in ("number", "office_name", "service_name", "status_url", "hotline", "footer"):
            object.__setattr__(self, name, nfc(getattr(self, name) or ""))

    @property
    def priority_label(self) -> str:
        """The priority group in Vietnamese, or '' for a normal ticket."""
        return priority_label(self.priority)

    @property
    def reprint_text(self) -> str:
        """``IN LẠI lúc 10:42``: a clerk seeing two papers with one number knows which is the copy."""
        return f"IN LẠI lúc {time_text(self.reprinted_at)}" if self.reprinted_at else ""

    @property
    def counters_text(self) -> str:
        """``Quầy số 1`` or ``Quầy số 1 hoặc 2``; '' when no counter serves the field."""
        if not self.counters:
            return ""
        return "Quầy số " + join_alternatives(self.counters)

    @property
    def waiting_text(self) -> str:
        """``Số người đang chờ: N``."""
        return f"Số người đang chờ: {self.ahead}"

    @property
    def wait_text(self) -> str:
        """``Thời gian chờ: khoảng 15 phút`` or ``…: Sau giờ nghỉ trưa, khoảng 13:40``; '' without an estimate."""
        if self.estimated_wait_s is None:
            return ""
        return f"Thời gian chờ: {wait_promise(self.estimated_wait_s, self.wait_note, self.expected_call_at, nbsp=True)}"

    @property
    def issued_text(self) -> str:
        """``23/11/2026 09:05`` (dd/mm/yyyy, 24-hour clock)."""
        return f"{date_text(self.issued_at)} {time_text(self.issued_at)}"

    @property
    def footer_lines(self) -> tuple[str, ...]:
        """The hotline and the office's footer text, each paragraph a line."""
        lines = [f"Đường dây nóng: {self.hotline}"] if self.hotline else []
        lines += [line.strip() for line in self.footer.splitlines() if line.strip()]
        return tuple(lines)


def format_wait(seconds: int | float) -> str:
    """``15 phút``, ``1 giờ 20 phút`` (words joined by NBSP): ``wording``'s promise without "khoảng"."""
    return wait_text(max(60, seconds), about=False, nbsp=True)


def ticket_print_from_api(
    ticket: Mapping[str, Any],
    *,
    office_name: str,
    services: Iterable[Mapping[str, Any]] = (),
    hotline: str = "",
    footer: str = "",
    timezone: str = DEFAULT_TIMEZONE,
    reprinted_at: datetime | None = None,
) -> TicketPrint:
    """Build a TicketPrint from an API ticket and ``GET /api/services``' list.

    The counters are the ticket's own counter when it has one, else every
    counter that serves its field.
    """
    service = next((s for s in services if s.get("code") == ticket.get("service")), {})
    if ticket.get("counter") is not None:
        counters: tuple[int, ...] = (int(ticket["counter"]),)
    else:
        counters = tuple(int(n) for n in service.get("counters", ()))
    issued = datetime.fromisoformat(str(ticket["issued_at"])).astimezone(ZoneInfo(timezone))
    wait = ticket.get("estimated_wait_s")
    call_at = ticket.get("expected_call_at")
    return TicketPrint(
        number=str(ticket["number"]),
        office_name=office_name,
        service_name=str(ticket.get("service_name") or service.get("name") or ticket.get("service") or ""),
        counters=counters,
        ahead=int(ticket.get("ahead") or 0),
        estimated_wait_s=int(wait) if wait is not None else None,
        issued_at=issued,
        status_url=str(ticket.get("status_url") or ""),
        priority=ticket.get("priority") or None,
        hotline=hotline,
        footer=footer,
        ticket_id=ticket.get("id"),
        reprinted_at=reprinted_at.astimezone(ZoneInfo(timezone)) if reprinted_at else None,
        wait_note=ticket.get("wait_note") or None,
        expected_call_at=datetime.fromisoformat(str(call_at)).astimezone(ZoneInfo(timezone)) if call_at else None,
    )


def sample_ticket(now: datetime, *, office_name: str = "Trung tâm Phục vụ hành chính công xã Tân Phú",
                  hotline: str = "1900 1234", footer: str = "Cảm ơn quý khách!") -> TicketPrint:
    """A realistic ticket for ``motcua printer test`` and the docs."""
    return TicketPrint(
        number="C012",
        office_name=office_name,
        service_name="Địa chính – Xây dựng – Nông nghiệp – Môi trường",
        counters=(4,),
        ahead=7,
        estimated_wait_s=15 * 60,
        issued_at=now,
        status_url="http://127.0.0.1:8080/t/sample",
        priority="elderly",
        hotline=hotline,
        footer=footer,
        ticket_id="sample",
    )
