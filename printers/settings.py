"""The office's ``[printer]`` section, validated into a frozen ``PrinterSettings``.

    [printer]
    uri = "tcp://192.0.2.10:9100"   # or usb://0416:5011, serial:///dev/ttyUSB0?baudrate=9600,
                                    #    file:///dev/usb/lp0, png://var/tickets (no printer)
    paper = 80                      # 58 or 80 (mm)
    logo = "logo.png"               # optional; relative to the config file
    footer = "Cảm ơn quý khách!"    # optional
    mode = "raster"                 # or "text" for printers with a Vietnamese code page
    codepage = "TCVN-3"             # text mode: "TCVN-3" or "CP1258"
    profile = "default"             # optional python-escpos printer profile (code page numbers)
    timeout_s = 2.0                 # a print gives up after this long; the ticket shows on screen
    status = true                   # ask the printer for paper/cover status (tcp, usb, serial)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from queue_server.config import ConfigError, optional

from .transports import parse_printer_uri

KEYS = {"uri", "paper", "logo", "footer", "mode", "codepage", "profile", "timeout_s", "status"}
DEFAULT_URI = "png://var/tickets"


@dataclass(frozen=True)
class PrinterSettings:
    """How and where this office prints tickets."""

    uri: str = DEFAULT_URI
    paper: int = 80
    logo: Path | None = None
    footer: str = ""
    mode: str = "raster"
    codepage: str = "TCVN-3"
    profile: str | None = None
    timeout_s: float = 2.0
    status: bool = True


def parse_printer_settings(table: Mapping[str, Any], path: Path | str = "<config>") -> PrinterSettings:
    """Validate a ``[printer]`` table; ConfigError names the file, the key and the fix."""
    path = Path(path)
    for name in table:
        if name not in KEYS:
            raise ConfigError(path, f"printer.{name}", f"unknown key; valid keys here: {', '.join(sorted(KEYS))}")
    uri = optional(path, "printer.uri", table, str, DEFAULT_URI)
    try:
        parse_printer_uri(uri)
    except ValueError as exc:
        raise ConfigError(path, "printer.uri", str(exc)) from None
    paper = optional(path, "printer.paper", table, int, 80)
    if paper not in (58, 80):
        raise ConfigError(path, "printer.paper", "use 58 or 80 (the paper width in mm)")
    mode = optional(path, "printer.mode", table, str, "raster")
    if mode not in ("raster", "text"):
        raise ConfigError(path, "printer.mode", 'use "raster" (any printer) or "text" (printers with TCVN-3/CP1258)')
    codepage = optional(path, "printer.codepage", table, str, "TCVN-3").upper()
    if codepage not in ("TCVN-3", "CP1258"):
        raise ConfigError(path, "printer.codepage", 'use "TCVN-3" or "CP1258"')
    profile = optional(path, "printer.profile", table, str, None)
    if profile is not None:
        _check_profile(path, profile)
    timeout_s = optional(path, "printer.timeout_s", table, float, 2.0)
    if not 0.2 <= timeout_s <= 30:
        raise ConfigError(path, "printer.timeout_s", "use a number of seconds between 0.2 and 30, e.g. 2")
    logo = optional(path, "printer.logo", table, str, None)
    logo_path = (path.parent / logo) if logo else None
    if logo_path is not None and not logo_path.is_file():
        raise ConfigError(path, "printer.logo", f"no file {logo_path}; give a PNG path relative to this file")
    return PrinterSettings(uri=uri, paper=paper, logo=logo_path,
                           footer=optional(path, "printer.footer", table, str, ""), mode=mode, codepage=codepage,
                           profile=profile, timeout_s=timeout_s,
                           status=optional(path, "printer.status", table, bool, True))


def load_printer_settings(config: Any) -> PrinterSettings:
    """The ``[printer]`` section of an ``OfficeConfig`` (defaults when it has none)."""
    return parse_printer_settings(config.section("printer"), config.path)


def _check_profile(path: Path, profile: str) -> None:
    """A python-escpos profile name that exists."""
    from .escpos_env import escpos_printer

    escpos_printer()
    from escpos.capabilities import CAPABILITIES

    if profile not in CAPABILITIES["profiles"]:
        raise ConfigError(path, "printer.profile",
                          f"unknown profile {profile!r}; e.g. \"default\", \"POS-5890\", \"TM-T20II\" (python-escpos)")
