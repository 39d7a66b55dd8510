"""Tell the queue server how the printer is doing (``POST /api/devices/status``)."""

from __future__ import annotations

import logging

from queue_server.client import ApiError, QueueClient

from .faults import PrintResult

log = logging.getLogger("printers")

REPORT_TIMEOUT_S = 2.0
"""A status report is a courtesy: it must never hold the kiosk longer than a print."""


def report_printer_status(server_url: str, token: str | None, result: PrintResult,
                          timeout_s: float = REPORT_TIMEOUT_S) -> bool:
    """Report a print result as the device's ``printer`` status; never raises, logs a failure.

    Returns whether the server recorded it.
    """
    try:
        client = QueueClient(server_url, token, timeout=timeout_s)
        client.report_status("printer", result.ok, result.code, result.message_vi[:300])
        return True
    except ApiError as exc:
        log.warning("printer status not reported to %s: %s", server_url, exc)
    except Exception as exc:  # a malformed URL, an unexpected library error: still never the kiosk's problem
        log.warning("printer status not reported to %s: %s: %s", server_url, exc.__class__.__name__, exc)
    return False
