"""The SQL behind the reports: a period read as cells of (service, counter, clerk), hours, ratings.

A closed day (before today, nothing open) never changes, so its cells are
summarised once into ``report_day_cells`` / ``report_day_hours`` and later
reports read those few rows instead of the day's tickets. Today (and any day
still open) is always read live. Ratings are always read live: a past
ticket may still be rated.

Durations are computed by SQLite (``julianday`` differences rounded to the
millisecond, exact at that precision) and kept as packed float arrays.
"""

from __future__ import annotations

import json
import sqlite3
from array import array
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

SUMMARY_VERSION = 1
"""Bump when the definitions of a day's cells change: older summaries are then recomputed."""


@dataclass
class Cell:
    """Tickets of one (service, counter, clerk): counts by (status, transferred) and durations in seconds."""

    counts: Counter = field(default_factory=Counter)
    waits: array = field(default_factory=lambda: array("d"))
    services: array = field(default_factory=lambda: array("d"))


@dataclass
class PeriodRows:
    """Everything a report of one period is computed from."""

    cells: dict[tuple, Cell] = field(default_factory=dict)
    """(service, counter or None, clerk or None) → Cell."""
    issued_hours: Counter = field(default_factory=Counter)
    """"YYYY-MM-DDTHH" in UTC → tickets issued in that hour."""
    ratings: list[tuple] = field(default_factory=list)
    """(service, counter, clerk, overall, count)."""
    answers: list[tuple] = field(default_factory=list)
    """(kind, code, value, count) over the period's ratings."""

    def cell(self, key: tuple) -> Cell:
        found = self.cells.get(key)
        if found is None:
            found = self.cells[key] = Cell()
        return found


COUNTS_SQL = """
SELECT day, service, counter, clerk, status, transfers > 0, COUNT(*) FROM tickets
WHERE day BETWEEN ? AND ? GROUP BY 1, 2, 3, 4, 5, 6
"""

DURATIONS_SQL = """
SELECT day, service, counter, clerk,
       ROUND((julianday(called_at) - julianday(issued_at)) * 86400.0, 3),
       CASE WHEN status = 'done' AND finished_at IS NOT NULL
            THEN ROUND((julianday(finished_at) - julianday(COALESCE(served_at, called_at))) * 86400.0, 3) END
FROM tickets WHERE day BETWEEN ? AND ? AND status IN ('called', 'serving', 'done') AND called_at IS NOT NULL
"""

HOURS_SQL = "SELECT day, substr(issued_at, 1, 13), COUNT(*) FROM tickets WHERE day BETWEEN ? AND ? GROUP BY 1, 2"

RATINGS_SQL = """
SELECT service, counter, clerk, overall, COUNT(*) FROM ratings WHERE day BETWEEN ? AND ?
GROUP BY service, counter, clerk, overall
"""

ANSWERS_SQL = "SELECT kind, code, value, COUNT(*) FROM rating_answers WHERE day BETWEEN ? AND ? GROUP BY 1, 2, 3"

RATINGS_BY_DAY_SQL = """
SELECT day, COALESCE(service, ''), COALESCE(counter, 0), COALESCE(clerk, ''), overall, COUNT(*) FROM ratings
WHERE day BETWEEN ? AND ? GROUP BY 1, 2, 3, 4, 5
"""

ANSWERS_BY_DAY_SQL = """
SELECT day, kind, code, value, COUNT(*) FROM rating_answers WHERE day BETWEEN ? AND ? GROUP BY 1, 2, 3, 4
"""

DAY_TABLES = ("report_day_cells", "report_day_hours", "report_day_ratings", "report_day_answers")

OPEN_DAYS_SQL = """
SELECT DISTINCT day FROM tickets WHERE day BETWEEN ? AND ? AND status IN ('waiting', 'called', 'serving')
"""


def _live_days(conn: sqlite3.Connection, first: str, last: str) -> dict[str, dict[str, Any]]:
    """Cells and hours per day ({"cells": {key: Cell}, "hours": Counter}), read from the tickets themselves."""
    days: dict[str, dict[str, Any]] = {}
    for day, service, counter, clerk, status, transferred, tickets in conn.execute(COUNTS_SQL, (first, last)):
        cells = days.setdefault(day, {"cells": {}, "hours": Counter()})["cells"]
        cell = cells.get((service, counter, clerk)) or cells.setdefault((service, counter, clerk), Cell())
        cell.counts[status, transferred] += tickets
    for day, service, counter, clerk, wait_s, service_s in conn.execute(DURATIONS_SQL, (first, last)):
        cell = days[day]["cells"][service, counter, clerk]
        cell.waits.append(wait_s)
        if service_s is not None:
            cell.services.append(service_s)
    for day, hour, tickets in conn.execute(HOURS_SQL, (first, last)):
        days[day]["hours"][hour] += tickets
    return days


def _add_day(rows: PeriodRows, day: dict) -> None:
    for key, cell in day["cells"].items():
        target = rows.cell(key)
        target.counts.update(cell.counts)
        target.waits.extend(cell.waits)
        target.services.extend(cell.services)
    rows.issued_hours.update(day["hours"])


def summarise_days(conn: sqlite3.Connection, first: date, last: date) -> int:
    """Store the cells of every closed day in [first, last] not yet summarised; returns how many.

    Call inside a write transaction, or let this open a short one.
    """
    span = (first.isoformat(), last.isoformat())
    done = {d for (d,) in conn.execute("SELECT day FROM report_days WHERE day BETWEEN ? AND ? AND version = ?",
                                       (*span, SUMMARY_VERSION))}
    open_days = {d for (d,) in conn.execute(OPEN_DAYS_SQL, span)}
    missing = [d for d in (_day(first, i) for i in range((last - first).days + 1)) if d not in done | open_days]
    if not missing:
        return 0
    missing_set = set(missing)
    days = {d: v for d, v in _live_days(conn, missing[0], missing[-1]).items() if d in missing_set}
    began = not conn.in_transaction
    if began:
        conn.execute("BEGIN IMMEDIATE")
    try:
        for table in DAY_TABLES:
            conn.executemany(f"DELETE FROM {table} WHERE day = ?", [(day,) for day in missing])
        bounds = (missing[0], missing[-1])
        conn.executemany("INSERT INTO report_day_ratings VALUES (?, ?, ?, ?, ?, ?)",
                         [row for row in conn.execute(RATINGS_BY_DAY_SQL, bounds).fetchall() if row[0] in missing_set])
        conn.executemany("INSERT INTO report_day_answers VALUES (?, ?, ?, ?, ?)",
                         [row for row in conn.execute(ANSWERS_BY_DAY_SQL, bounds).fetchall() if row[0] in missing_set])
        conn.executemany(
            "INSERT INTO report_day_cells (day, service, counter, clerk, counts, waits, services) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(day, service, counter if counter is not None else 0, clerk or "",
              json.dumps([[s, t, n] for (s, t), n in cell.counts.items()]), cell.waits.tobytes(),
              cell.services.tobytes())
             for day, values in days.items() for (service, counter, clerk), cell in values["cells"].items()])
        conn.executemany("INSERT INTO report_day_hours (day, hour, tickets) VALUES (?, ?, ?)",
                         [(day, hour, n) for day, values in days.items() for hour, n in values["hours"].items()])
        conn.executemany("INSERT OR REPLACE INTO report_days (day, version) VALUES (?, ?)",
                         [(day, SUMMARY_VERSION) for day in missing])
        if began:
            conn.execute("COMMIT")
    except BaseException:
        if began and conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return len(missing)


def _day(first: date, offset: int) -> str:
    return (first + timedelta(days=offset)).isoformat()


def period_rows(conn: sqlite3.Connection, first: date, last: date, today: date | None = None) -> PeriodRows:
    """Read one period (office-local dates, inclusive).

    With ``today``, days before it are summarised once and read from their
    summaries; today, later days and days still open are read live. Without
    ``today`` every day is read live.
    """
    closed_last = min(last, today - timedelta(days=1)) if today is not None else first - timedelta(days=1)
    if first <= closed_last:
        summarise_days(conn, first, closed_last)
    rows = PeriodRows()
    began = not conn.in_transaction
    if began:
        conn.execute("BEGIN")  # one consistent snapshot while the queue keeps writing (WAL)
    try:
        live_spans = []
        if first > closed_last:
            live_spans.append((first.isoformat(), last.isoformat()))
        else:
            closed = (first.isoformat(), closed_last.isoformat())
            summarised = {d for (d,) in conn.execute(
                "SELECT day FROM report_days WHERE day BETWEEN ? AND ? AND version = ?", (*closed, SUMMARY_VERSION))}
            _read_summaries(conn, rows, *closed)
            live_spans += [(d, d) for d in (_day(first, i) for i in range((closed_last - first).days + 1))
                           if d not in summarised]
            if closed_last < last:
                live_spans.append(((closed_last + timedelta(days=1)).isoformat(), last.isoformat()))
        for span in live_spans:
            for values in _live_days(conn, *span).values():
                _add_day(rows, values)
            rows.ratings += conn.execute(RATINGS_SQL, span).fetchall()
            rows.answers += conn.execute(ANSWERS_SQL, span).fetchall()
    finally:
        if began:
            conn.execute("COMMIT")
    return rows


_SUMMARISED = "day IN (SELECT day FROM report_days WHERE version = ?)"
"""Only rows of days whose summary is complete and current count."""


def _read_summaries(conn: sqlite3.Connection, rows: PeriodRows, first: str, last: str) -> None:
    for service, counter, clerk, counts, waits, services in conn.execute(
        "SELECT service, counter, clerk, counts, waits, services FROM report_day_cells "
        f"WHERE day BETWEEN ? AND ? AND {_SUMMARISED}", (first, last, SUMMARY_VERSION),
    ):
        cell = rows.cell((service, counter or None, clerk or None))
        for status, transferred, n in json.loads(counts):
            cell.counts[status, transferred] += n
        cell.waits.frombytes(waits)
        cell.services.frombytes(services)
    for hour, tickets in conn.execute(
            f"SELECT hour, tickets FROM report_day_hours WHERE day BETWEEN ? AND ? AND {_SUMMARISED}",
            (first, last, SUMMARY_VERSION)):
        rows.issued_hours[hour] += tickets
    rows.ratings += [(service or None, counter or None, clerk or None, overall, n)
                     for service, counter, clerk, overall, n in
                     conn.execute("SELECT service, counter, clerk, overall, SUM(ratings) FROM report_day_ratings "
                                  f"WHERE day BETWEEN ? AND ? AND {_SUMMARISED} GROUP BY 1, 2, 3, 4",
                                  (first, last, SUMMARY_VERSION))]
    rows.answers += conn.execute("SELECT kind, code, value, SUM(answers) FROM report_day_answers "
                                 f"WHERE day BETWEEN ? AND ? AND {_SUMMARISED} GROUP BY 1, 2, 3",
                                 (first, last, SUMMARY_VERSION)).fetchall()


def clerk_logins(conn: sqlite3.Connection) -> list[tuple[str, list[int]]]:
    """Active clerks and the counters each may work at (for staffing advice)."""
    rows = conn.execute("SELECT username, counters FROM users WHERE role = 'clerk' AND active = 1 ORDER BY username")
    return [(name, json.loads(counters)) for name, counters in rows]
