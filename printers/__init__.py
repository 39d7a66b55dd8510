"""Queue tickets on ESC/POS thermal printers (58 and 80 mm), Vietnamese included.

    ticket = ticket_print_from_api(api_ticket, office_name=..., services=...)
    result = print_ticket(ticket, "tcp://192.0.2.10:9100")   # never raises, ≤ 2 s
    if not result.ok:
        show_on_screen(ticket, result.message_vi)
    report_printer_status(server_url, device_token, result)

The ticket is drawn with Pillow and a Vietnamese TrueType font and sent as a
raster image, so it prints correctly on printers without a Vietnamese code
page. See docs/printing.md for the printer URIs.
"""

from __future__ import annotations

from .faults import MESSAGES_VI, PrintResult
from .job import print_ticket, warm_up
from .layout import render_ticket, render_ticket_png
from .report import report_printer_status
from .settings import PrinterSettings, load_printer_settings, parse_printer_settings
from .ticket import PRIORITY_LABELS, TicketPrint, sample_ticket, ticket_print_from_api

__all__ = [
    "MESSAGES_VI",
    "PRIORITY_LABELS",
    "PrintResult",
    "PrinterSettings",
    "TicketPrint",
    "load_printer_settings",
    "parse_printer_settings",
    "print_ticket",
    "render_ticket",
    "render_ticket_png",
    "report_printer_status",
    "sample_ticket",
    "ticket_print_from_api",
    "warm_up",
]
