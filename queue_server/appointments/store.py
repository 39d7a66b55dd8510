"""The appointments part's tables, in their own migration set beside the queue's.

``appointments``: one booking per row; ``slot_start`` is the office's local
wall-clock time (``2026-03-02T08:00``), ``code`` the unique booking code.
``result_dossiers``: the dossier code (mã hồ sơ) a citizen gave for a
result-return ticket, keyed by ticket id, never on a public view.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

migrations = Migrations("motcua.appointments")

BOOKED = "booked"
CHECKED_IN = "checked_in"
CANCELLED = "cancelled"
LIVE_STATUSES = (BOOKED, CHECKED_IN)
"""Bookings that hold a seat of their slot."""

COLUMNS = ("id, code, service, day, slot_start, status, phone, created_at, cancelled_at, checked_in_at, ticket_id, "
           "late, procedure, cancel_reason")


@migrations()
def m001_appointments(db: sqlite_utils.Database) -> None:
    """Bookings and result-return dossier codes."""
    db.execute(
        """
        CREATE TABLE appointments (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,
            service TEXT NOT NULL,
            day TEXT NOT NULL,
            slot_start TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('booked', 'checked_in', 'cancelled')),
            phone TEXT,
            created_at TEXT NOT NULL,
            cancelled_at TEXT,
            checked_in_at TEXT,
            ticket_id INTEGER,
            late INTEGER NOT NULL DEFAULT 0
        )
        """
    )
    db.execute("CREATE INDEX appointments_slot ON appointments (service, slot_start, status)")
    db.execute("CREATE INDEX appointments_day ON appointments (day)")
    db.execute("CREATE INDEX appointments_ticket ON appointments (ticket_id)")
    db.execute(
        """
        CREATE TABLE result_dossiers (
            ticket_id INTEGER PRIMARY KEY,
            dossier_code TEXT NOT NULL,
            created_at TEXT NOT NULL
        )
        """
    )


@migrations()
def m002_booked_procedure(db: sqlite_utils.Database) -> None:
    """The procedure (TTHC code) a citizen booked for, when they chose one."""
    db.execute("ALTER TABLE appointments ADD COLUMN procedure TEXT")


@migrations()
def m003_admin_blocks_and_cancel_reasons(db: sqlite_utils.Database) -> None:
    """Slots or days the office closes for booking (a meeting, a power cut), and why a booking was cancelled."""
    db.execute(
        "CREATE TABLE booking_blocks (id INTEGER PRIMARY KEY, service TEXT, day TEXT NOT NULL, slot_start TEXT, "
        "reason TEXT NOT NULL, created_at TEXT NOT NULL, created_by TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX booking_blocks_day ON booking_blocks (day)")
    db.execute("ALTER TABLE appointments ADD COLUMN cancel_reason TEXT")


@migrations()
def m004_form_nonces(db: sqlite_utils.Database) -> None:
    """The booking page's one-time form id: Back then "Đặt lịch" again shows the same booking, not a second seat."""
    db.execute("ALTER TABLE appointments ADD COLUMN form_nonce TEXT")
    db.execute("CREATE UNIQUE INDEX appointments_form_nonce ON appointments (form_nonce) WHERE form_nonce IS NOT NULL")


@migrations()
def m005_office_days(db: sqlite_utils.Database) -> None:
    """Days the admin closes (a local closure, a bridge day announced late) or opens (a swapped working Saturday)."""
    db.execute(
        "CREATE TABLE office_days (day TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('closed', 'working')), "
        "name TEXT NOT NULL, created_at TEXT NOT NULL, created_by TEXT NOT NULL) WITHOUT ROWID"
    )


def code_of_form(conn: sqlite3.Connection, nonce: str) -> str | None:
    """The booking a booking form already made, if that form was sent before."""
    row = conn.execute("SELECT code FROM appointments WHERE form_nonce = ?", (nonce,)).fetchone()
    return row[0] if row else None


def apply_migrations(db: sqlite_utils.Database) -> None:
    """Create or upgrade this part's tables."""
    migrations.apply(db)


BLOCK_COLUMNS = ("id", "service", "day", "slot_start", "reason", "created_at", "created_by")


def blocks_of_day(conn: sqlite3.Connection, day: str, service: str | None = None) -> list[dict[str, Any]]:
    """The day's blocks that concern ``service`` (those of every field included); all of them without one."""
    rows = conn.execute(
        f"SELECT {', '.join(BLOCK_COLUMNS)} FROM booking_blocks WHERE day = ? AND (? IS NULL OR service IS NULL "
        "OR service = ?) ORDER BY slot_start IS NOT NULL, slot_start, id", (day, service, service)).fetchall()
    return [dict(zip(BLOCK_COLUMNS, row, strict=True)) for row in rows]


def block_for(blocks: list[dict[str, Any]], slot_start: str) -> dict[str, Any] | None:
    """The block closing this slot: the whole day's, or the slot's own."""
    return next((b for b in blocks if b["slot_start"] in (None, slot_start)), None)


def bookings_of_day(conn: sqlite3.Connection, day: str, service: str | None = None) -> list[dict[str, Any]]:
    """A day's bookings in slot order, for the admin (phone included: staff only)."""
    rows = conn.execute(
        f"SELECT {COLUMNS} FROM appointments WHERE day = ? AND (? IS NULL OR service = ?) "
        "ORDER BY slot_start, id", (day, service, service)).fetchall()
    return [dict(zip(COLUMNS.split(", "), row, strict=True)) for row in rows]


def booking_row(conn: sqlite3.Connection, code: str) -> dict[str, Any] | None:
    """One booking by its code, as a dict, or None."""
    row = conn.execute(f"SELECT {COLUMNS} FROM appointments WHERE code = ?", (code,)).fetchone()
    return dict(zip(COLUMNS.split(", "), row, strict=True)) if row else None


def taken_seats(conn: sqlite3.Connection, service: str, day: str) -> dict[str, int]:
    """Seats held per slot start on one day for one service."""
    rows = conn.execute(
        "SELECT slot_start, COUNT(*) FROM appointments WHERE service = ? AND day = ? AND status IN (?, ?) "
        "GROUP BY slot_start",
        (service, day, *LIVE_STATUSES),
    ).fetchall()
    return {slot: count for slot, count in rows}


def seats_in_slot(conn: sqlite3.Connection, service: str, slot_start: str) -> int:
    """Seats held in one slot (the capacity check of a booking)."""
    return conn.execute(
        "SELECT COUNT(*) FROM appointments WHERE service = ? AND slot_start = ? AND status IN (?, ?)",
        (service, slot_start, *LIVE_STATUSES),
    ).fetchone()[0]


def appointment_of_ticket(conn: sqlite3.Connection, ticket_id: int) -> dict[str, Any] | None:
    """The booking a ticket came from, if any."""
    row = conn.execute(f"SELECT {COLUMNS} FROM appointments WHERE ticket_id = ?", (ticket_id,)).fetchone()
    return dict(zip(COLUMNS.split(", "), row, strict=True)) if row else None


def dossier_of_ticket(conn: sqlite3.Connection, ticket_id: int) -> str | None:
    """The dossier code given with a result-return ticket, if any."""
    row = conn.execute("SELECT dossier_code FROM result_dossiers WHERE ticket_id = ?", (ticket_id,)).fetchone()
    return row[0] if row else None
