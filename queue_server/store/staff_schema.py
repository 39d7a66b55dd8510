"""The tables of the web administration (issue 15.1): officers' full names and first-sign-in flag, the audit log,
the counters' fields of today, the kiosks and boards waiting to be paired.

Its own migration set (like the parts'), applied after the queue's, since it
alters the queue's ``users`` table.
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.migrations import Migrations

migrations = Migrations("motcua.staff")


@migrations()
def m001_full_names_and_audit(db: sqlite_utils.Database) -> None:
    """Full names for reports ("Nguyễn Văn A", not "quay1"); who must replace a password others saw; the log."""
    db.execute("ALTER TABLE users ADD COLUMN full_name TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0")
    db.execute(
        "CREATE TABLE audit_log (id INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, "
        "action TEXT NOT NULL, target TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '{}')"
    )


@migrations()
def m002_counter_fields(db: sqlite_utils.Database) -> None:
    """The fields a counter takes as the admin set them on /admin, over the office file's (kept until changed)."""
    db.execute(
        "CREATE TABLE counter_fields (counter INTEGER PRIMARY KEY, services TEXT NOT NULL, updated_at TEXT NOT NULL, "
        "updated_by TEXT NOT NULL)"
    )


@migrations()
def m003_device_pairings(db: sqlite_utils.Database) -> None:
    """Kiosks and boards paired by a code (issue 15.1): code and claim hashed, the device once the admin confirmed.

    Beside ``tablet_pairings`` (a tablet pairs for a counter, a kiosk or a board for a role); both share
    ``queue_server.pairing``'s hashing and codes.
    """
    db.execute(
        "CREATE TABLE device_pairings (id INTEGER PRIMARY KEY, code_hash TEXT NOT NULL UNIQUE, "
        "claim_hash TEXT NOT NULL UNIQUE, role TEXT NOT NULL CHECK (role IN ('kiosk', 'display')), "
        "label TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, expires_at TEXT NOT NULL, "
        "device_id INTEGER REFERENCES devices (id) ON DELETE CASCADE)"
    )


@migrations()
def m004_counter_closures(db: sqlite_utils.Database) -> None:
    """The counters the admin closed for a day on /admin ("Đóng quầy hôm nay"); a row of an earlier day is ignored."""
    db.execute(
        "CREATE TABLE counter_closures (counter INTEGER PRIMARY KEY, day TEXT NOT NULL, closed_at TEXT NOT NULL, "
        "closed_by TEXT NOT NULL)"
    )


def apply_migrations(db: sqlite_utils.Database) -> None:
    """Create or upgrade the administration's tables (the queue's ``users`` must exist)."""
    migrations.apply(db)
