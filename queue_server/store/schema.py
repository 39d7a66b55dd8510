"""The queue's tables, created and upgraded by sqlite-utils migrations.

Add a new ``@migrations()`` function for every change; never edit an applied
one. Other parts (catalogue, ratings, appointments) keep their own migration
sets beside this one, in their own packages.
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.migrations import Migrations

from ..appointments import store as appointments_store
from ..catalog import store as catalog_store
from ..hub import office_schema as hub_office_schema
from ..reports import store as reports_store
from . import idempotency, staff_schema

migrations = Migrations("motcua.queue")

PART_MIGRATIONS = (staff_schema, catalog_store, reports_store, appointments_store, hub_office_schema)
"""Parts with their own migration sets (each module's ``apply_migrations``), applied after the queue's own."""


@migrations()
def m001_queue_tables(db: sqlite_utils.Database) -> None:
    """Tickets, counters, per-service policy state, the event log, idempotency keys."""
    db.execute(
        """
        CREATE TABLE tickets (
            id INTEGER PRIMARY KEY,
            day TEXT NOT NULL,
            issued_service TEXT NOT NULL,
            service TEXT NOT NULL,
            seq INTEGER NOT NULL,
            number TEXT NOT NULL,
            priority TEXT,
            status TEXT NOT NULL,
            procedure TEXT,
            device TEXT,
            issued_at TEXT NOT NULL,
            queued_at TEXT NOT NULL,
            called_at TEXT,
            served_at TEXT,
            finished_at TEXT,
            counter INTEGER,
            target_counter INTEGER,
            recalls INTEGER NOT NULL DEFAULT 0,
            transfers INTEGER NOT NULL DEFAULT 0,
            status_token TEXT NOT NULL UNIQUE,
            UNIQUE (issued_service, day, seq)
        )
        """
    )
    db.execute("CREATE INDEX tickets_day_status ON tickets (day, status)")
    db.execute(
        """
        CREATE TABLE counters (
            number INTEGER PRIMARY KEY,
            state TEXT NOT NULL,
            current INTEGER REFERENCES tickets(id),
            pause_reason TEXT,
            clerk TEXT
        )
        """
    )
    db.execute(
        """
        CREATE TABLE service_state (
            code TEXT PRIMARY KEY,
            normals_since_priority INTEGER NOT NULL,
            recent_service_s TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            type TEXT NOT NULL,
            ticket_id INTEGER,
            counter INTEGER,
            actor TEXT,
            data TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX events_ticket ON events (ticket_id)")
    db.execute(idempotency.TABLE_SQL)


@migrations()
def m002_people_and_devices(db: sqlite_utils.Database) -> None:
    """Who signs in, which devices call the API, hashed tokens, server settings."""
    db.execute(
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE,
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('clerk', 'admin')),
            counters TEXT NOT NULL DEFAULT '[]',
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE devices (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL CHECK (role IN ('kiosk', 'display', 'rating')),
            created_at TEXT NOT NULL,
            last_seen_at TEXT,
            status TEXT NOT NULL DEFAULT '{}'
        )
        """
    )
    db.execute(
        """
        CREATE TABLE tokens (
            token_hash TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('session', 'device')),
            subject_id INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT,
            revoked INTEGER NOT NULL DEFAULT 0
        )
        """
    )
    db.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


@migrations()
def m003_booking_origins(db: sqlite_utils.Database) -> None:
    """The address each online booking came from, so one address cannot book a day out."""
    db.execute(
        "CREATE TABLE booking_origins (code TEXT PRIMARY KEY, day TEXT NOT NULL, address TEXT NOT NULL, "
        "created_at TEXT NOT NULL) WITHOUT ROWID"
    )
    db.execute("CREATE INDEX booking_origins_day ON booking_origins (day, address)")


@migrations()
def m004_device_reports(db: sqlite_utils.Database) -> None:
    """A short history of each device's changes of state (the latest per part stays in devices.status)."""
    db.execute(
        "CREATE TABLE device_reports (id INTEGER PRIMARY KEY, "
        "device_id INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE, component TEXT NOT NULL, "
        "ok INTEGER NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL, at TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX device_reports_device ON device_reports (device_id, id)")


@migrations()
def m005_rating_tablets(db: sqlite_utils.Database) -> None:
    """Counter tablets paired by a short code (stored hashed, valid minutes), and the counter each one faces."""
    db.execute(
        "CREATE TABLE tablet_pairings (id INTEGER PRIMARY KEY, code_hash TEXT NOT NULL UNIQUE, "
        "claim_hash TEXT NOT NULL UNIQUE, counter INTEGER NOT NULL, created_at TEXT NOT NULL, "
        "expires_at TEXT NOT NULL, device_id INTEGER REFERENCES devices (id) ON DELETE CASCADE)"
    )
    db.execute(
        "CREATE TABLE rating_tablets (device_id INTEGER PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE, "
        "counter INTEGER NOT NULL)"
    )


@migrations()
def m006_transfer_context(db: sqlite_utils.Database) -> None:
    """Where a transferred ticket came from and the sending clerk's note (staff only), for the receiving clerk."""
    for column in ("transferred_from INTEGER", "transferred_from_service TEXT", "transfer_note TEXT"):
        db.execute(f"ALTER TABLE tickets ADD COLUMN {column}")


def apply_migrations(db: sqlite_utils.Database) -> None:
    """Bring the queue's tables and those of every part up to date."""
    migrations.apply(db)
    for module in PART_MIGRATIONS:
        module.apply_migrations(db)
