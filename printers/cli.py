"""``motcua printer test URI`` and ``motcua ticket print ID``."""

from __future__ import annotations

import argparse
import logging
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from queue_server.cli_support import CommandError, add_client_options

if TYPE_CHECKING:  # annotations only: the commands go on importing these when they run
    from queue_server.config import OfficeConfig

    from .faults import PrintResult
    from .settings import PrinterSettings


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``printer test`` and ``ticket print`` to ``motcua``."""
    printer = subcommands.add_parser("printer", help="ticket printers").add_subparsers(
        dest="printer_command", metavar="ACTION")
    printer.required = True
    test = printer.add_parser("test", help="print a sample ticket")
    test.add_argument("uri", help="tcp://HOST:9100, usb://VID:PID, serial:///dev/ttyUSB0?baudrate=9600, "
                                  "file:///dev/usb/lp0 or png:///folder")
    _add_print_options(test)
    test.set_defaults(handler=cmd_printer_test)

    ticket = subcommands.add_parser("ticket", help="queue tickets").add_subparsers(
        dest="ticket_command", metavar="ACTION")
    ticket.required = True
    reprint = ticket.add_parser("print", help="print (again) a ticket fetched from the server")
    reprint.add_argument("ticket", metavar="NUMBER", help="the number printed on today's ticket (C003), or its id")
    reprint.add_argument("--printer", default=None, metavar="URI", help="printer URI (default: [printer] uri)")
    add_client_options(reprint)
    _add_print_options(reprint)
    reprint.set_defaults(handler=cmd_ticket_print)


def _add_print_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, default=None,
                        help="office TOML with the [printer] section (default: $MOTCUA_CONFIG, then the sample)")
    parser.add_argument("--paper", type=int, choices=(58, 80), default=None, help="paper width in mm")
    parser.add_argument("--mode", choices=("raster", "text"), default=None,
                        help="raster (any printer, default) or text (printers with a Vietnamese code page)")
    parser.add_argument("--timeout", type=float, default=None, help="seconds before giving up (default 2)")
    parser.add_argument("--no-status", action="store_true",
                        help="do not ask the printer for its status (for one-way links)")


def cmd_printer_test(args: argparse.Namespace) -> int:
    """Print a sample ticket with the office's name and settings."""
    from .job import print_ticket
    from .ticket import sample_ticket

    config, settings = _office(args)
    now = datetime.now(ZoneInfo(config.office.timezone))
    ticket = sample_ticket(now, office_name=config.office.name, hotline=config.office.hotline,
                           footer=settings.footer or "Cảm ơn quý khách!")
    return _report(print_ticket(ticket, args.uri, settings=settings), args.uri)


def cmd_ticket_print(args: argparse.Namespace) -> int:
    """Fetch a ticket by its printed number (or id) and reprint it: "IN LẠI", the people ahead as they are now."""
    from queue_server.client import ApiError, QueueClient

    from .job import print_ticket
    from .report import report_printer_status
    from .ticket import ticket_print_from_api

    config, settings = _office(args)
    client = QueueClient(args.server, args.token)
    wanted = str(args.ticket).strip()
    try:
        api_ticket = client.ticket(wanted) if wanted.isdigit() else client.ticket_by_number(wanted)
        services = client.services()
    except ApiError as exc:
        raise CommandError(f"cannot fetch ticket {wanted} from {args.server}: {exc.message}") from None
    ticket = ticket_print_from_api(api_ticket, office_name=config.office.name, services=services,
                                   hotline=config.office.hotline, footer=settings.footer,
                                   timezone=config.office.timezone, reprinted_at=datetime.now(UTC))
    uri = args.printer or settings.uri
    printed = print_ticket(ticket, uri, settings=settings)
    if args.token:
        report_printer_status(args.server, args.token, printed)
    return _report(printed, uri)


def _office(args: argparse.Namespace) -> tuple[OfficeConfig, PrinterSettings]:
    """The office config and its printer settings, with the command line's overrides."""
    from queue_server.config import load_config

    from .settings import load_printer_settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = load_config(args.config)
    settings = load_printer_settings(config)
    overrides = {"paper": args.paper, "mode": args.mode, "timeout_s": args.timeout}
    settings = replace(settings, **{k: v for k, v in overrides.items() if v is not None})
    if args.no_status:
        settings = replace(settings, status=False)
    return config, settings


def _report(printed: PrintResult, uri: str) -> int:
    """One line for the person at the terminal; exit status 1 when nothing printed."""
    if not printed.ok:
        raise CommandError(f"{uri}: {printed.code}: {printed.message_vi} ({printed.detail})")
    where = f" → {printed.detail}" if printed.code == "preview" else ""
    if printed.unconfirmed:  # still exit 0: the job went out, but a person has to look at the printer
        where = (" — Hãy xem phiếu có ra ở máy in không. Sent, not confirmed: the printer does not answer "
                 "status requests, so paper-out or an open cover cannot be noticed (see docs/printing.md).")
    print(f"{uri}: {printed.code}: {printed.message_vi} ({printed.duration_s * 1000:.0f} ms){where}")
    return 0
