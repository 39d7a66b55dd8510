"""The kiosk's one seam to the ticket printer.

``make_printer(uri)`` picks an implementation: none configured → ``NoPrinter``
(the screen tells the citizen to note the number); otherwise the printers
package's ``print_ticket`` (which never raises and has its own time-out).
Tests pass any object with ``print_ticket(ticket, settings) -> PrintOutcome``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Protocol

from .settings import KioskSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PrintOutcome:
    """How printing went, with a Vietnamese message for the screen when it failed."""

    ok: bool
    code: str = "ok"
    message_vi: str = ""
    duration_s: float = 0.0
    confirmed: bool = True  # False: sent to a printer that never says whether it printed


def unconfirmed_screen_seconds(normal: int, failed: int) -> int:
    """How long a ticket sent to a printer that never confirms stays on screen.

    Twice the normal time, within the no-paper time: the citizen first looks at
    the slot, and if nothing came out still has time to note the number.
    """
    return max(normal, min(2 * normal, failed))


class TicketPrinter(Protocol):
    """Anything that prints a ticket (called off the UI thread)."""

    def print_ticket(self, ticket: dict[str, Any], settings: KioskSettings) -> PrintOutcome:
        """Print one ticket; never raise."""


class NoPrinter:
    """A kiosk without a printer."""

    uri = ""

    def print_ticket(self, ticket: dict[str, Any], settings: KioskSettings) -> PrintOutcome:
        """Nothing printed: the screen keeps the ticket up longer."""
        return PrintOutcome(False, "no_printer", "Ki-ốt không có máy in")


class PackagePrinter:
    """Prints through ``printers.print_ticket`` (the printers part of motcua): tcp://, usb://, png:// …"""

    def __init__(self, uri: str, timeout_s: float | None = None, printer_settings: Any = None) -> None:
        self.uri = uri
        self.timeout_s = timeout_s
        self.printer_settings = printer_settings  # printers.PrinterSettings from [printer] (paper, footer…)

    def print_ticket(self, ticket: dict[str, Any], settings: KioskSettings) -> PrintOutcome:
        """Build the printers package's ticket and print it; any failure becomes an outcome."""
        started = time.monotonic()
        try:
            import printers

            footer = str(getattr(self.printer_settings, "footer", "") or "")
            result = printers.print_ticket(ticket_print(ticket, settings, footer), self.uri, timeout_s=self.timeout_s,
                                           settings=self.printer_settings)
            # The screen has its own advice; keep only what went wrong ("Máy in hết giấy.").
            reason = printers.MESSAGES_VI.get(result.code, result.message_vi)
        except Exception as exc:  # a printer bug must not take the kiosk down
            log.exception("printing failed")
            return PrintOutcome(False, "print_error", f"Lỗi phần mềm in: {exc.__class__.__name__}",
                                time.monotonic() - started)
        return PrintOutcome(bool(result.ok), str(result.code), str(reason), float(result.duration_s),
                            confirmed=not getattr(result, "unconfirmed", False))

    def warm_up(self) -> None:
        """Load the printing code and fonts now (off the UI thread), so the first ticket prints as fast as the rest."""
        import printers

        paper = getattr(self.printer_settings, "paper", None) or 80
        printers.warm_up(paper)


def ticket_print(ticket: dict[str, Any], settings: KioskSettings, footer: str = "") -> Any:
    """The printers package's ticket, built from the API ticket, its counters, the office and [printer] footer."""
    import printers

    service = {"code": ticket.get("service"), "name": ticket.get("service_name") or ticket.get("service"),
               "counters": list(ticket.get("counters") or [])}
    return printers.ticket_print_from_api(ticket, office_name=settings.office_name, services=[service],
                                          hotline=settings.hotline, footer=footer, timezone=settings.timezone)


def make_printer(uri: str, printer_settings: Any = None) -> TicketPrinter:
    """The printer for a URI (command line, ``[kiosk] printer`` or ``[printer] uri``); none → NoPrinter."""
    return PackagePrinter(uri, printer_settings=printer_settings) if uri else NoPrinter()


def office_printer(config: Any) -> tuple[str, Any]:
    """``[printer]``'s URI and settings, when the printers part is installed and configured."""
    try:
        import printers
    except ImportError:
        return "", None
    printer_settings = printers.load_printer_settings(config)
    return str(printer_settings.uri or ""), printer_settings
