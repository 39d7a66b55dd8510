"""The counters the admin closed for a day (table ``counter_closures``), laid over the loaded queue.

Written by the admin's command in the same transaction as its
``counter.changed`` event; read when the engine starts and after a failed
batch, so a restart keeps today's closures. A row names its service day: one
from an earlier day no longer applies (the next day opens every counter).
"""

from __future__ import annotations

import sqlite3
from datetime import date

from ..core.model import QueueState


def closed_on(conn: sqlite3.Connection, day: date) -> set[int]:
    """The counters closed for ``day``."""
    return {n for (n,) in conn.execute("SELECT counter FROM counter_closures WHERE day = ?", (day.isoformat(),))}


def save(conn: sqlite3.Connection, number: int, day: date, by: str, at: str) -> None:
    """Remember that ``number`` is closed for ``day``."""
    conn.execute("INSERT OR REPLACE INTO counter_closures (counter, day, closed_at, closed_by) VALUES (?, ?, ?, ?)",
                 (number, day.isoformat(), at, by))


def forget(conn: sqlite3.Connection, number: int) -> None:
    """The counter is open again."""
    conn.execute("DELETE FROM counter_closures WHERE counter = ?", (number,))


def applied(state: QueueState, conn: sqlite3.Connection) -> QueueState:
    """The loaded queue with its day's closures marked on the counters (the office may have dropped one)."""
    if state.day is not None:
        for number in closed_on(conn, state.day):
            if number in state.counters:
                state.counters[number].closed_today = True
    return state
