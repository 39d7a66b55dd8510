"""The reports part's tables: ratings, their answers, ticker notices; indexes and the clerk of a ticket.

A migration set of its own (``motcua.reports``), applied by
``queue_server.store.schema`` after the queue's. Never edit an applied
migration; add a new one.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from .dossiers import ColumnMap, Dossier

migrations = Migrations("motcua.reports")


@migrations()
def m001_ratings_notices_and_report_indexes(db: sqlite_utils.Database) -> None:
    """Ratings (one per ticket), their answers, notices, tickets.clerk and the indexes reports need."""
    db.execute(
        """
        CREATE TABLE ratings (
            id INTEGER PRIMARY KEY,
            ticket_id INTEGER UNIQUE REFERENCES tickets(id),
            day TEXT NOT NULL,
            rated_at TEXT NOT NULL,
            service TEXT,
            counter INTEGER,
            clerk TEXT,
            overall TEXT NOT NULL,
            comment TEXT,
            dossier TEXT,
            device TEXT
        )
        """
    )
    db.execute("CREATE INDEX ratings_report ON ratings (day, service, counter, clerk, overall)")
    db.execute(
        """
        CREATE TABLE rating_answers (
            rating_id INTEGER NOT NULL REFERENCES ratings(id) ON DELETE CASCADE,
            day TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('criterion', 'question', 'reason')),
            code TEXT NOT NULL,
            value TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (rating_id, kind, code)
        ) WITHOUT ROWID
        """
    )
    # The rating's day, repeated, so a period's answers are counted from this index alone.
    db.execute("CREATE INDEX rating_answers_report ON rating_answers (day, kind, code, value)")
    db.execute(
        """
        CREATE TABLE notices (
            id INTEGER PRIMARY KEY,
            text TEXT NOT NULL,
            position INTEGER NOT NULL DEFAULT 0,
            active INTEGER NOT NULL DEFAULT 1,
            starts_on TEXT,
            ends_on TEXT,
            updated_at TEXT NOT NULL,
            updated_by TEXT
        )
        """
    )
    # The clerk who served a ticket: the actor of its latest ticket.called
    # event. A trigger records it as the queue writes the event, so reports
    # need no join over the (large) event log.
    db.execute("ALTER TABLE tickets ADD COLUMN clerk TEXT")
    db.execute(
        """
        CREATE TRIGGER tickets_record_clerk AFTER INSERT ON events
        WHEN NEW.type = 'ticket.called' AND NEW.ticket_id IS NOT NULL
        BEGIN
            UPDATE tickets SET clerk = NEW.actor WHERE id = NEW.ticket_id;
        END
        """
    )
    db.execute(
        """
        UPDATE tickets SET clerk = (
            SELECT actor FROM events WHERE events.ticket_id = tickets.id AND events.type = 'ticket.called'
            ORDER BY events.id DESC LIMIT 1
        )
        """
    )
    # Covering index: a quarter's report reads ~80,000 tickets from the index
    # alone, in day order, instead of jumping around the table.
    db.execute(
        "CREATE INDEX tickets_report ON tickets (day, status, service, counter, clerk, transfers, "
        "issued_at, called_at, served_at, finished_at)"
    )


@migrations()
def m002_day_summaries(db: sqlite_utils.Database) -> None:
    """Summaries of closed days, so quarter and year reports read a few rows per day."""
    db.execute("CREATE TABLE report_days (day TEXT PRIMARY KEY, version INTEGER NOT NULL)")
    db.execute(
        """
        CREATE TABLE report_day_cells (
            day TEXT NOT NULL,
            service TEXT NOT NULL,
            counter INTEGER NOT NULL,
            clerk TEXT NOT NULL,
            counts TEXT NOT NULL,
            waits BLOB NOT NULL,
            services BLOB NOT NULL,
            PRIMARY KEY (day, service, counter, clerk)
        ) WITHOUT ROWID
        """
    )
    db.execute(
        "CREATE TABLE report_day_hours (day TEXT NOT NULL, hour TEXT NOT NULL, tickets INTEGER NOT NULL, "
        "PRIMARY KEY (day, hour)) WITHOUT ROWID"
    )
    # Ratings are filed under the day they are given, so a closed day's ratings no longer change.
    db.execute(
        "CREATE TABLE report_day_ratings (day TEXT NOT NULL, service TEXT NOT NULL, counter INTEGER NOT NULL, "
        "clerk TEXT NOT NULL, overall TEXT NOT NULL, ratings INTEGER NOT NULL, "
        "PRIMARY KEY (day, service, counter, clerk, overall)) WITHOUT ROWID"
    )
    db.execute(
        "CREATE TABLE report_day_answers (day TEXT NOT NULL, kind TEXT NOT NULL, code TEXT NOT NULL, "
        "value TEXT NOT NULL, answers INTEGER NOT NULL, PRIMARY KEY (day, kind, code, value)) WITHOUT ROWID"
    )


@migrations()
def m003_imported_dossiers(db: sqlite_utils.Database) -> None:
    """Dossiers imported from the provincial one-stop system's export (reports.dossiers), one row per code."""
    db.execute(
        "CREATE TABLE dossiers (code TEXT PRIMARY KEY, field TEXT NOT NULL, received_on TEXT NOT NULL, "
        "due_on TEXT, finished_on TEXT, online INTEGER NOT NULL, imported_at TEXT NOT NULL) WITHOUT ROWID"
    )
    db.execute("CREATE INDEX dossiers_received ON dossiers (received_on)")


def apply_migrations(db: sqlite_utils.Database) -> None:
    """Create or upgrade this part's tables."""
    migrations.apply(db)


DOSSIER_MAP_KEY = "dossier_columns"


def save_dossiers(conn: sqlite3.Connection, dossiers: Iterable[Dossier], imported_at: str) -> int:
    """Insert or replace by code: an export that overlaps the last one updates, never doubles. Returns the count."""
    rows = [(d.code, d.field, d.received_on.isoformat(), d.due_on.isoformat() if d.due_on else None,
             d.finished_on.isoformat() if d.finished_on else None, int(d.online), imported_at) for d in dossiers]
    conn.executemany("INSERT OR REPLACE INTO dossiers (code, field, received_on, due_on, finished_on, online, "
                     "imported_at) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    return len(rows)


def load_dossiers(conn: sqlite3.Connection, first: date, last: date) -> list[Dossier]:
    """The dossiers received in a period."""
    rows = conn.execute("SELECT code, field, received_on, due_on, finished_on, online FROM dossiers "
                        "WHERE received_on BETWEEN ? AND ?", (first.isoformat(), last.isoformat()))
    return [Dossier(code=c, field=f, received_on=date.fromisoformat(r), online=bool(o),
                    due_on=date.fromisoformat(d) if d else None, finished_on=date.fromisoformat(x) if x else None)
            for c, f, r, d, x, o in rows]


def has_dossiers(conn: sqlite3.Connection) -> bool:
    """Whether the office ever imported an export (a report without one says nothing of dossiers)."""
    return conn.execute("SELECT 1 FROM dossiers LIMIT 1").fetchone() is not None


def dossier_map(conn: sqlite3.Connection) -> ColumnMap | None:
    """The column map the admin saved, if any."""
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (DOSSIER_MAP_KEY,)).fetchone()
    return ColumnMap(json.loads(row[0])) if row else None


def save_dossier_map(conn: sqlite3.Connection, mapping: ColumnMap) -> None:
    """Remember the column map: the next quarter's export imports without asking."""
    conn.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
                 "excluded.value", (DOSSIER_MAP_KEY, json.dumps(dict(mapping.columns), ensure_ascii=False)))


@dataclass(frozen=True)
class RatingRecord:
    """One rating as stored: linked to a ticket (or only to a counter), never to a person."""

    ticket_id: int | None
    day: str
    rated_at: str
    service: str | None
    counter: int | None
    clerk: str | None
    overall: str
    criteria: dict[str, str]
    answers: dict[str, str]
    reasons: tuple[str, ...]
    comment: str | None = None
    dossier: str | None = None
    device: str | None = None


def rating_exists(conn: sqlite3.Connection, ticket_id: int) -> bool:
    """Whether this ticket was rated already."""
    return conn.execute("SELECT 1 FROM ratings WHERE ticket_id = ?", (ticket_id,)).fetchone() is not None


def rated_ticket_ids(conn: sqlite3.Connection, ticket_ids: Iterable[int]) -> set[int]:
    """Which of these tickets were rated."""
    ids = list(ticket_ids)
    if not ids:
        return set()
    placeholders = ", ".join("?" * len(ids))
    return {row[0] for row in conn.execute(f"SELECT ticket_id FROM ratings WHERE ticket_id IN ({placeholders})", ids)}


ANSWER_INSERT = "INSERT INTO rating_answers (rating_id, day, kind, code, value) VALUES (?, ?, ?, ?, ?)"


def answer_rows(rating_id: int, record: RatingRecord) -> list[tuple]:
    """A rating's criteria, answers and reasons as rows of rating_answers."""
    rows = [(rating_id, record.day, "criterion", k, v) for k, v in record.criteria.items()]
    rows += [(rating_id, record.day, "question", k, v) for k, v in record.answers.items()]
    rows += [(rating_id, record.day, "reason", r, "") for r in record.reasons]
    return rows


def insert_ratings(conn: sqlite3.Connection, records: list[RatingRecord]) -> list[int]:
    """Store ratings and their answers (inside the caller's transaction); returns their ids."""
    ids = []
    # A rating filed under an already summarised day (imports, simulations) makes that day summarised again.
    conn.executemany("DELETE FROM report_days WHERE day = ?", [(d,) for d in {r.day for r in records}])
    for record in records:
        cursor = conn.execute(
            "INSERT INTO ratings "
            "(ticket_id, day, rated_at, service, counter, clerk, overall, comment, dossier, device) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (record.ticket_id, record.day, record.rated_at, record.service, record.counter, record.clerk,
             record.overall, record.comment, record.dossier, record.device),
        )
        assert cursor.lastrowid is not None  # every INSERT sets it
        rating_id = cursor.lastrowid
        ids.append(rating_id)
        if answer_rows(rating_id, record):
            conn.executemany(ANSWER_INSERT, answer_rows(rating_id, record))
    return ids


def rating_view(conn: sqlite3.Connection, rating_id: int) -> dict[str, Any]:
    """A stored rating as the API shows it."""
    row = conn.execute(
        "SELECT id, ticket_id, day, rated_at, service, counter, clerk, overall, comment, dossier "
        "FROM ratings WHERE id = ?",
        (rating_id,),
    ).fetchone()
    view: dict[str, Any] = dict(zip(("id", "ticket", "day", "rated_at", "service", "counter", "clerk", "overall",
                                     "comment", "dossier"), row, strict=True))
    view.update(criteria={}, answers={}, reasons=[])
    for kind, code, value in conn.execute(
        "SELECT kind, code, value FROM rating_answers WHERE rating_id = ? ORDER BY kind, code", (rating_id,)
    ):
        if kind == "reason":
            view["reasons"].append(code)
        else:
            view["criteria" if kind == "criterion" else "answers"][code] = value
    return view


# -- notices for the lobby ticker ---------------------------------------------------

NOTICE_COLUMNS = ("id", "text", "position", "active", "starts_on", "ends_on", "updated_at", "updated_by")


def list_notices(conn: sqlite3.Connection, *, on_day: str | None = None) -> list[dict[str, Any]]:
    """Notices in ticker order; with ``on_day``, only the active ones showing that day."""
    sql = f"SELECT {', '.join(NOTICE_COLUMNS)} FROM notices"
    params: list[Any] = []
    if on_day is not None:
        sql += " WHERE active = 1 AND (starts_on IS NULL OR starts_on <= ?) AND (ends_on IS NULL OR ends_on >= ?)"
        params = [on_day, on_day]
    rows = conn.execute(sql + " ORDER BY position, id", params).fetchall()
    return [_notice(row) for row in rows]


def _notice(row: tuple) -> dict[str, Any]:
    notice = dict(zip(NOTICE_COLUMNS, row, strict=True))
    notice["active"] = bool(notice["active"])
    return notice


def get_notice(conn: sqlite3.Connection, notice_id: int) -> dict[str, Any] | None:
    """One notice, or None."""
    row = conn.execute(f"SELECT {', '.join(NOTICE_COLUMNS)} FROM notices WHERE id = ?", (notice_id,)).fetchone()
    return _notice(row) if row else None


def save_notice(conn: sqlite3.Connection, values: dict[str, Any], notice_id: int | None = None) -> int:
    """Insert a notice or update the given fields of one; returns its id."""
    if notice_id is None:
        cursor = conn.execute(
            "INSERT INTO notices (text, position, active, starts_on, ends_on, updated_at, updated_by) "
            "VALUES (:text, :position, :active, :starts_on, :ends_on, :updated_at, :updated_by)",
            {"position": 0, "active": 1, "starts_on": None, "ends_on": None, **values},
        )
        assert cursor.lastrowid is not None  # every INSERT sets it
        return cursor.lastrowid
    assignments = ", ".join(f"{name} = :{name}" for name in values)
    conn.execute(f"UPDATE notices SET {assignments} WHERE id = :id", {**values, "id": notice_id})
    return notice_id


def delete_notice(conn: sqlite3.Connection, notice_id: int) -> bool:
    """Remove a notice; False when there was none."""
    return conn.execute("DELETE FROM notices WHERE id = ?", (notice_id,)).rowcount > 0

