"""Which devices hold the live feed open right now: a lobby board is alive while its stream is (issue 15.1).

A board or a tablet never posts a status report: it only listens. Without
this, /admin showed a board that had run for hours as "chưa liên lạc".
The stream's opening and closing also stamp the device's last contact.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime


class LiveDevices:
    """Open feed streams per device id (a device may reconnect before its old stream is closed)."""

    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._open: dict[int, int] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def opened(self, conn: sqlite3.Connection, device_id: int) -> None:
        """A device's stream began: it is connected, and this is its latest contact."""
        with self._lock:
            self._open[device_id] = self._open.get(device_id, 0) + 1
        self._stamp(conn, device_id)

    def closed(self, conn: sqlite3.Connection, device_id: int) -> None:
        """A device's stream ended (its last contact is now)."""
        with self._lock:
            left = self._open.get(device_id, 0) - 1
            if left > 0:
                self._open[device_id] = left
            else:
                self._open.pop(device_id, None)
        self._stamp(conn, device_id)

    def connected(self, device_id: int) -> bool:
        with self._lock:
            return device_id in self._open

    def _stamp(self, conn: sqlite3.Connection, device_id: int) -> None:
        # A busy or full disk must not end a board's stream: the next stamp will do.
        with contextlib.suppress(sqlite3.OperationalError):
            conn.execute("UPDATE devices SET last_seen_at = ? WHERE id = ?",
                         (self._clock().isoformat(timespec="seconds"), device_id))
