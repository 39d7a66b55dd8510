"""The kiosk's paper carries the office's [printer] footer, as ``motcua printer test`` does (issue 14.7)."""

from __future__ import annotations

from kiosk.printing import PackagePrinter
from kiosk.settings import KioskSettings
from printers import PrinterSettings
from tests.support.fake_printer import FakePrinter

TICKET = {"id": 9, "number": "B002", "service": "VP", "service_name": "Văn phòng", "counters": [3],
          "ahead": 0, "estimated_wait_s": 30, "status_url": "", "issued_at": "2026-11-23T09:05:00+07:00"}


def test_the_kiosks_ticket_ends_with_the_configured_footer_in_text_mode() -> None:
    settings = PrinterSettings(mode="text", codepage="CP1258", footer="Xin cam on quy khach\n\nHen gap lai")
    with FakePrinter() as printer:
        outcome = PackagePrinter(printer.uri, printer_settings=settings).print_ticket(TICKET, KioskSettings())
        stream = printer.wait_job()
    assert outcome.ok
    assert stream.index(b"B002") < stream.index(b"Xin cam on quy khach") < stream.index(b"Hen gap lai")
