"""Which devices hold the live feed open right now: a lobby board is alive while its stream is (issue 15.1).

A board or a tablet never posts a status report: it only listens. Without
this, /admin showed a board that had run for hours as "chưa liên lạc".
The stream's opening and closing stamp the device's last contact, and so
does the feed's heartbeat loop about once a minute while it stays open
(``still_open``), so "last contact" of a board that streams all day is
recent and the hub, which only sees ``last_seen_at``, does not call it silent.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

RESTAMP_EVERY = timedelta(minutes=1)
"""How often an open stream stamps its device again: a write a minute per board, not one per heartbeat."""


class LiveDevices:
    """Open feed streams per device id (a device may reconnect before its old stream is closed)."""

    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._open: dict[int, int] = {}
        self._stamped: dict[int, datetime] = {}
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
                self._stamped.pop(device_id, None)
        self._stamp(conn, device_id)

    def still_open(self, conn: sqlite3.Connection, device_id: int) -> None:
        """Called by the feed's loop (each heartbeat or delivery): stamp again once ``RESTAMP_EVERY`` has passed."""
        with self._lock:
            last = self._stamped.get(device_id)
            due = device_id in self._open and (last is None or self._clock() - last >= RESTAMP_EVERY)
        if due:
            self._stamp(conn, device_id)

    def connected(self, device_id: int) -> bool:
        with self._lock:
            return device_id in self._open

    def _stamp(self, conn: sqlite3.Connection, device_id: int) -> None:
        now = self._clock()
        with self._lock:
            if device_id in self._open:
                self._stamped[device_id] = now
        # A busy or full disk must not end a board's stream: the next stamp will do.
        with contextlib.suppress(sqlite3.OperationalError):
            conn.execute("UPDATE devices SET last_seen_at = ? WHERE id = ?",
                         (now.isoformat(timespec="seconds"), device_id))
