"""``print_ticket``: one ticket to one printer, with a hard deadline and no exceptions.

The job runs on a worker thread so that even a transport that ignores its
time-outs (a hung USB stack, a blocked device file) cannot hold the kiosk:
the caller always gets a PrintResult within ``timeout_s`` plus a small margin.
Jobs to one printer run one at a time.

A printer that never answers its status request within ``STATUS_PROBE_S`` still
gets the ticket, reported as ``unconfirmed``, and is remembered as mute so its
next jobs are sent without asking (it is asked again after ``REPROBE_AFTER_S``).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from . import faults
from .encode import encode_raster, encode_text
from .faults import PrintFault, PrintResult, result
from .layout import render_ticket
from .settings import PrinterSettings
from .ticket import TicketPrint
from .transports import (
    STATUS_CONFIRM,
    STATUS_QUERY,
    PrinterURI,
    check_status,
    close,
    drain,
    limit_send_buffer,
    open_link,
    parse_printer_uri,
    read_exactly,
    send,
)

log = logging.getLogger("printers")

JOIN_MARGIN_S = 0.1
"""How much longer than its deadline the caller waits for a job thread before answering "timeout"."""

STATUS_PROBE_S = 0.3
"""How long a job waits for the printer's status answer. Printers that answer do so within a few
milliseconds; one-way printers and print servers never do, and then the ticket goes out anyway, unconfirmed."""

REPROBE_AFTER_S = 600.0
"""A printer found mute is not asked for its status for this long (its jobs wait for nothing), then
asked once more: the printer may have been replaced, or its bridge may pass answers again."""


class MutePrinters:
    """Printers (by URI) that did not answer a status request, remembered for this process."""

    def __init__(self, reprobe_after_s: float = REPROBE_AFTER_S) -> None:
        self.reprobe_after_s = reprobe_after_s
        self._since: dict[str, float] = {}

    def is_mute(self, uri: str, now: float) -> bool:
        """Whether the printer was found mute less than ``reprobe_after_s`` before ``now``."""
        since = self._since.get(uri)
        return since is not None and now - since < self.reprobe_after_s

    def mark_mute(self, uri: str, now: float) -> None:
        """The printer did not answer at ``now`` (a monotonic time)."""
        self._since[uri] = now

    def mark_answering(self, uri: str) -> None:
        """The printer answered: ask it again on every job."""
        self._since.pop(uri, None)

    def clear(self) -> None:
        """Forget every printer (tests; a kiosk whose printers were swapped)."""
        self._since.clear()


mute_printers = MutePrinters()
"""This process's memory of mute printers (jobs to one URI run one at a time, under its lock)."""

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def print_ticket(ticket: TicketPrint, uri: str | None = None, *, timeout_s: float | None = None,
                 settings: PrinterSettings | None = None) -> PrintResult:
    """Print one ticket; never raises for printer faults; returns within ``timeout_s`` + 0.1 s.

    ``uri`` overrides ``settings.uri``; ``settings`` brings paper, logo, mode…
    (defaults: 80 mm raster). ``timeout_s`` defaults to ``settings.timeout_s`` (2 s).
    """
    settings = settings or PrinterSettings()
    if uri is not None:
        settings = replace(settings, uri=uri)
    if timeout_s is not None:
        settings = replace(settings, timeout_s=timeout_s)
    start = time.monotonic()
    deadline = start + settings.timeout_s
    outcome: list[PrintResult] = []
    worker = threading.Thread(target=lambda: outcome.append(_run_job(ticket, settings, start, deadline)),
                              name=f"print {ticket.number}", daemon=True)
    worker.start()
    worker.join(settings.timeout_s + JOIN_MARGIN_S)
    if outcome:
        printed = outcome[0]
    else:  # the transport ignored its deadline; the thread ends on its own later
        printed = result(faults.TIMEOUT, time.monotonic() - start, "job still running at its deadline")
    _log(ticket, settings.uri, printed)
    return printed


def warm_up(paper: int = 80) -> None:
    """Import python-escpos, load the fonts and draw one ticket, so the first real print is fast.

    A cold first print spends ~0.5 s on imports and font loading, a quarter of its
    deadline; a kiosk calls this once at start, off its UI thread.
    """
    from .ticket import sample_ticket

    encode_raster(render_ticket(sample_ticket(datetime.now().astimezone()), paper))


def _run_job(ticket: TicketPrint, settings: PrinterSettings, start: float, deadline: float) -> PrintResult:
    """The whole job, every failure turned into a PrintResult."""
    try:
        uri = parse_printer_uri(settings.uri)
    except ValueError as exc:
        return result(faults.BAD_URI, time.monotonic() - start, str(exc))
    lock = _printer_lock(settings.uri)
    if not lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
        return result(faults.BUSY, time.monotonic() - start, "an earlier job still holds the printer")
    try:
        code, detail = _print(ticket, settings, uri, deadline)
        return result(code, time.monotonic() - start, detail)
    except PrintFault as fault:
        return result(fault.code, time.monotonic() - start, fault.detail)
    except Exception as exc:  # a bug or an unforeseen transport error must not cost the citizen a ticket
        log.exception("unexpected error printing ticket %s", ticket.number)
        return result(faults.ERROR, time.monotonic() - start, f"{exc.__class__.__name__}: {exc}")
    finally:
        lock.release()


def _print(ticket: TicketPrint, settings: PrinterSettings, uri: PrinterURI, deadline: float) -> tuple[str, str]:
    """Render, encode, then check status, send and confirm; returns the result code and a detail."""
    if uri.scheme == "png":
        return faults.PREVIEW, str(write_preview(ticket, settings, Path(uri.target)))
    data = encode_job(ticket, settings)
    asks_status = settings.status and uri.bidirectional
    probing = asks_status and not mute_printers.is_mute(settings.uri, time.monotonic())
    link = open_link(uri, deadline, confirmed=probing)
    try:
        answer = _probe_status(link, deadline) if probing else None
        if answer is not None:
            mute_printers.mark_answering(settings.uri)
            return _send_confirmed(link, data, answer, deadline)
        if probing:  # no answer in time: remember that, and print anyway
            log.warning("printer %s did not answer its status request within %.0f ms: printing without "
                        "confirmation (paper out or an open cover go unnoticed)", settings.uri, STATUS_PROBE_S * 1000)
            mute_printers.mark_mute(settings.uri, time.monotonic())
            limit_send_buffer(link)  # without an answer, "sent" must at least mean "taken in"
        send(link, data, deadline)
        if not asks_status:  # status off, or a write-only link: as good as this link can tell
            return faults.OK, f"{len(data)} bytes"
        why = f"no status answer within {STATUS_PROBE_S * 1000:.0f} ms" if probing else "printer known to be mute"
        return faults.UNCONFIRMED, f"{len(data)} bytes sent, not confirmed: {why}"
    finally:
        close(link)


def _send_confirmed(link: object, data: bytes, answer: bytes, deadline: float) -> tuple[str, str]:
    """Send the job to a printer that answered ``answer``, and wait for it to confirm having taken it in."""
    code = check_status(answer)
    if code not in (faults.OK, faults.PAPER_LOW):
        return code, "printer status before the job"
    send(link, data, deadline)
    # The answer comes only once the printer has taken in the whole job.
    drain(link)
    after = _ask(link, STATUS_CONFIRM, 1, deadline)
    if after[0] & 0x93 == 0x12 and after[0] & 0x60:
        return faults.PAPER_OUT, "paper ran out during the job"
    return code, f"{len(data)} bytes"


def _probe_status(link: object, deadline: float) -> bytes | None:
    """The answer to the status request before a job, or None when none came within ``STATUS_PROBE_S``."""
    try:
        return _ask(link, STATUS_QUERY, 3, min(deadline, time.monotonic() + STATUS_PROBE_S))
    except PrintFault as fault:
        if fault.code != faults.TIMEOUT:  # a refused write or a hang-up is a real fault
            raise
        return None


def encode_job(ticket: TicketPrint, settings: PrinterSettings) -> bytes:
    """The job's ESC/POS bytes: the rendered ticket as raster, or text in the printer's code page."""
    try:
        if settings.mode == "text":
            return encode_text(ticket, codepage=settings.codepage, profile=settings.profile,
                               columns=48 if settings.paper == 80 else 32)
        image = render_ticket(ticket, settings.paper, settings.logo)
        return encode_raster(image, profile=settings.profile)
    except Exception as exc:  # a missing font, a broken logo, an unknown code page
        raise PrintFault(faults.LAYOUT_ERROR, f"{exc.__class__.__name__}: {exc}") from exc


def write_preview(ticket: TicketPrint, settings: PrinterSettings, folder: Path) -> Path:
    """The png:// printer: save the ticket image in a folder, named by number and time."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        image = render_ticket(ticket, settings.paper, settings.logo)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        path = folder / f"ticket-{ticket.number}-{stamp}.png"
        image.save(path, format="PNG", dpi=(203, 203))
        return path
    except OSError as exc:
        raise PrintFault(faults.UNREACHABLE, f"cannot write to {folder}: {exc}") from exc
    except Exception as exc:
        raise PrintFault(faults.LAYOUT_ERROR, f"{exc.__class__.__name__}: {exc}") from exc


def _ask(link: object, query: bytes, answer_bytes: int, deadline: float) -> bytes:
    """Send a real-time status request and wait for its answer."""
    send(link, query, deadline)
    return read_exactly(link, answer_bytes, deadline)


def _printer_lock(uri: str) -> threading.Lock:
    """One lock per printer URI: two tickets never interleave their bytes."""
    with _locks_guard:
        return _locks.setdefault(uri, threading.Lock())


def _log(ticket: TicketPrint, uri: str, printed: PrintResult) -> None:
    """Faults are logged as warnings so the office sees them; successes at info."""
    if printed.ok:
        verb = "sent (not confirmed) to" if printed.unconfirmed else "printed on"
        log.info("ticket %s %s %s (%s, %.0f ms)", ticket.number, verb, uri, printed.code, printed.duration_s * 1000)
    else:
        log.warning("ticket %s NOT printed on %s: %s (%s) after %.0f ms", ticket.number, uri, printed.code,
                    printed.detail or printed.message_vi, printed.duration_s * 1000)

