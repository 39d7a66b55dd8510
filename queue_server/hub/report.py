"""An office's report rebuilt at the hub with the office's own report code, from the rows it shipped.

The hub does not re-implement the report: it loads the period's ticket and
rating rows into a private in-memory SQLite database with the office's own
schema and asks ``queue_server.reports.service.Reports`` for the summary,
exactly as the office's ``GET /api/reports/summary`` does; the office's
configuration (services, counters, rating levels) is the copy it sent with
its batches. So both answer the same JSON for the same period.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from typing import Any

import psycopg
import sqlite_utils

from ..config import parse_config
from ..reports.dossiers import figures as dossier_figures
from ..reports.service import Reports
from ..reports.store import load_dossiers as load_period_dossiers
from ..store.schema import apply_migrations
from . import records_store, store


def office_summary(conn: psycopg.Connection, code: str, settings: dict[str, Any], first: date,
                   last: date, *, today: date | None = None) -> dict[str, Any]:
    """The office's summary of [first, last] as its own server computes it (dossiers late as of ``today``)."""
    config = parse_config(settings, f"<hub>/{code}.toml")
    local = sqlite_utils.Database(memory=True)
    apply_migrations(local)
    load_rows(local.conn, store.period_tickets(conn, code, first, last), store.period_ratings(conn, code, first, last))
    load_dossiers(local.conn, records_store.record(conn, code, "dossiers"), first, last)
    load_people(local.conn, records_store.record(conn, code, "people"))
    try:
        summary = Reports(config).summary(local.conn, first, last, today=None, fresh=True)
        if summary["dossiers"] is not None and today is not None:  # late or pending as the office sees it today
            summary["dossiers"] = dossier_figures(load_period_dossiers(local.conn, first, last), first, last, today)
        return summary
    finally:
        local.close()


def load_rows(conn: sqlite3.Connection, tickets: list[dict[str, Any]], ratings: list[dict[str, Any]]) -> None:
    """Insert shipped rows into an office-shaped database, in one transaction."""
    conn.execute("BEGIN")
    insert_rows(conn, tickets, ratings)
    conn.execute("COMMIT")


def insert_rows(conn: sqlite3.Connection, tickets: list[dict[str, Any]], ratings: list[dict[str, Any]]) -> None:
    """Insert shipped rows (columns as the office sent them) inside the caller's transaction."""
    insert_table(conn, "tickets", tickets)
    insert_table(conn, "ratings", [_without_answers(r) for r in ratings])
    conn.executemany("INSERT INTO rating_answers (rating_id, day, kind, code, value) VALUES (?, ?, ?, ?, ?)",
                     [(r["id"], r["day"], *answer) for r in ratings for answer in r["answers"]])


def insert_table(conn: sqlite3.Connection, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert shipped rows of one table, keeping only this schema's columns (a newer office may have more)."""
    known = {name for _, name, *_ in conn.execute(f"PRAGMA table_info({table})")}
    for row in rows:
        values = {name: value for name, value in row.items() if name in known}
        columns = ", ".join(f'"{name}"' for name in values)
        conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(values))})", list(values.values()))


def load_dossiers(conn: sqlite3.Connection, snapshot: Any, first: date, last: date) -> None:
    """The imported dossiers the period's report reads (the office's ``dossiers`` table, as it last shipped it).

    Only those received in the period, and one other when none is: the
    report says "no import" (``null``) only when the office never imported.
    """
    table = (snapshot or {}).get("dossiers") or {"columns": [], "rows": []}
    columns, rows = table["columns"], table["rows"]
    if not rows:
        return
    received = columns.index("received_on")
    wanted = [row for row in rows if first.isoformat() <= row[received] <= last.isoformat()] or rows[:1]
    conn.execute("BEGIN")
    insert_table(conn, "dossiers", [dict(zip(columns, row, strict=True)) for row in wanted])
    conn.execute("COMMIT")


def load_people(conn: sqlite3.Connection, people: Any) -> None:
    """The officers' logins and full names, so the report names each clerk as the office does ("Nguyễn Văn A")."""
    rows = [(p["username"], p.get("full_name", ""), p["role"], json.dumps(p.get("counters", [])), int(p["active"]))
            for p in people or []]
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO users (username, password_hash, role, counters, active, created_at, full_name) "
                     "VALUES (?, '', ?, ?, ?, '', ?)", [(u, r, c, a, f) for u, f, r, c, a in rows])
    conn.execute("COMMIT")


def _without_answers(rating: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in rating.items() if key != "answers"}
