"""Keep the event log a bounded time: ~600 bytes an event is ~500 MB a year for a provincial centre.

Only ``events`` rows are pruned, never tickets or ratings (the reports and
the office's history live there). Deletion runs in small batches, each its
own short transaction, so the queue's writer never waits more than a few
milliseconds for the database while a year of events goes.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from ..hub.office_schema import shipped_events_up_to

log = logging.getLogger(__name__)

BATCH = 2000
PRUNE_EVERY_S = 24 * 3600


def prune_events(conn: sqlite3.Connection, now: datetime, keep_days: int, *,
                 shipped_up_to: int | None = None, batch: int = BATCH) -> int:
    """Delete events older than ``keep_days`` before ``now``; returns how many went.

    ``shipped_up_to``: when a hub copy exists, only events it has acknowledged
    (id ≤ this) may go, so nothing is pruned before it is shipped.
    """
    cutoff = (now - timedelta(days=keep_days)).astimezone(UTC).isoformat()
    limit_id = "AND id <= ?" if shipped_up_to is not None else ""
    params: tuple = (cutoff, shipped_up_to) if shipped_up_to is not None else (cutoff,)
    removed = 0
    while True:
        with conn:  # one short transaction per batch
            cursor = conn.execute(
                "DELETE FROM events WHERE id IN "
                f"(SELECT id FROM events WHERE at < ? {limit_id} ORDER BY id LIMIT {batch})",
                params)
        removed += cursor.rowcount
        if cursor.rowcount < batch:
            return removed


class DailyPruner:
    """A daemon thread that prunes once at start and then every day, on its own connection."""

    def __init__(self, connect: Callable[[], sqlite3.Connection], keep_days: int,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._connect, self._keep_days, self._clock = connect, keep_days, clock
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="events-pruner", daemon=True)

    def start(self) -> DailyPruner:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            self._prune_once()
            if self._stop.wait(PRUNE_EVERY_S):
                return

    def _prune_once(self) -> None:
        try:
            conn = self._connect()
            try:
                removed = prune_events(conn, self._clock(), self._keep_days, shipped_up_to=shipped_events_up_to(conn))
            finally:
                conn.close()
            if removed:
                log.info("pruned %d events older than %d days", removed, self._keep_days)
        except sqlite3.Error as exc:  # a busy or full disk: try again tomorrow, the queue goes on
            log.warning("could not prune old events: %s", exc)
