"""The SQL behind the reports: a few grouped scans of one period, returned as plain rows.

Durations are computed by SQLite (``julianday`` differences, rounded to the
millisecond, which is exact at that precision), so Python never parses the
quarter's timestamps one by one.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class PeriodRows:
    """Everything a report of one period is computed from."""

    counts: list[tuple]
    """(service, counter, clerk, status, transferred 0/1, tickets) groups."""
    durations: list[tuple]
    """(service, counter, clerk, wait_s, service_s or None) per ticket called and not absent."""
    issued_hours: list[tuple[str, int]]
    """("YYYY-MM-DDTHH" in UTC, tickets issued in that hour)."""
    ratings: list[tuple]
    """(service, counter, clerk, overall, count)."""
    answers: list[tuple]
    """(kind, code, value, count) over the period's ratings."""


COUNTS_SQL = """
SELECT service, counter, clerk, status, transfers > 0, COUNT(*) FROM tickets
WHERE day BETWEEN ? AND ? GROUP BY 1, 2, 3, 4, 5
"""

DURATIONS_SQL = """
SELECT service, counter, clerk,
       ROUND((julianday(called_at) - julianday(issued_at)) * 86400.0, 3),
       CASE WHEN status = 'done' AND finished_at IS NOT NULL
            THEN ROUND((julianday(finished_at) - julianday(COALESCE(served_at, called_at))) * 86400.0, 3) END
FROM tickets WHERE day BETWEEN ? AND ? AND status IN ('called', 'serving', 'done') AND called_at IS NOT NULL
"""

HOURS_SQL = "SELECT substr(issued_at, 1, 13), COUNT(*) FROM tickets WHERE day BETWEEN ? AND ? GROUP BY 1"

RATINGS_SQL = """
SELECT service, counter, clerk, overall, COUNT(*) FROM ratings WHERE day BETWEEN ? AND ?
GROUP BY service, counter, clerk, overall
"""

ANSWERS_SQL = "SELECT kind, code, value, COUNT(*) FROM rating_answers WHERE day BETWEEN ? AND ? GROUP BY 1, 2, 3"


def period_rows(conn: sqlite3.Connection, first: date, last: date) -> PeriodRows:
    """Read one period (office-local dates, inclusive) in one read transaction."""
    bounds = (first.isoformat(), last.isoformat())
    began = not conn.in_transaction
    if began:
        conn.execute("BEGIN")  # one consistent snapshot while the queue keeps writing (WAL)
    try:
        return PeriodRows(
            counts=conn.execute(COUNTS_SQL, bounds).fetchall(),
            durations=conn.execute(DURATIONS_SQL, bounds).fetchall(),
            issued_hours=conn.execute(HOURS_SQL, bounds).fetchall(),
            ratings=conn.execute(RATINGS_SQL, bounds).fetchall(),
            answers=conn.execute(ANSWERS_SQL, bounds).fetchall(),
        )
    finally:
        if began:
            conn.execute("COMMIT")


def clerk_logins(conn: sqlite3.Connection) -> list[tuple[str, list[int]]]:
    """Active clerks and the counters each may work at (for staffing advice)."""
    import json

    rows = conn.execute("SELECT username, counters FROM users WHERE role = 'clerk' AND active = 1 ORDER BY username")
    return [(name, json.loads(counters)) for name, counters in rows]
