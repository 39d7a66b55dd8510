"""The office side's bookkeeping of the province hub (issue 16): what changed, and what the hub acknowledged.

A migration set of its own (``motcua.sync``), applied after the queue's and
the reports' (it watches their ``tickets`` and ``ratings``). Events are
append-only and shipped by id; tickets and ratings change in place, so
triggers note every changed row in ``sync_outbox`` under a new sequence
number (one row per ticket or rating: a row changed again moves to the
end), and the worker ships the rows noted after the hub's last
acknowledgement. The triggers write in the queue's own transaction, so a
change and its note commit together; the worker only reads, and writes
``sync_acks`` alone.
"""

from __future__ import annotations

import sqlite3

import sqlite_utils
from sqlite_utils.migrations import Migrations

migrations = Migrations("motcua.sync")

WATCHED = (("tickets", "ticket", "NEW.id"), ("ratings", "rating", "NEW.id"),
           ("rating_answers", "rating", "NEW.rating_id"))
"""(table, kind noted, the row id noted): an answer notes its rating, which is shipped with its answers."""


@migrations()
def m001_outbox_and_acks(db: sqlite_utils.Database) -> None:
    """The change log of tickets and ratings, its triggers, and the hub's acknowledgements."""
    db.execute("CREATE TABLE sync_outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, "
               "row_id INTEGER NOT NULL, UNIQUE (kind, row_id))")
    db.execute("CREATE TABLE sync_acks (stream TEXT PRIMARY KEY, acked INTEGER NOT NULL, at TEXT NOT NULL)")
    for table, kind, row_id in WATCHED:
        for when in ("INSERT", "UPDATE"):
            # DELETE then INSERT rather than INSERT OR REPLACE: an outer INSERT OR IGNORE would turn a
            # trigger's REPLACE into IGNORE (SQLite lets the outer statement's conflict rule win).
            db.execute(f"""
                CREATE TRIGGER sync_note_{table}_{when.lower()} AFTER {when} ON {table}
                BEGIN
                    DELETE FROM sync_outbox WHERE kind = '{kind}' AND row_id = {row_id};
                    INSERT INTO sync_outbox (kind, row_id) VALUES ('{kind}', {row_id});
                END
            """)
    # What the database held before: noted once, in id order, so the first sync ships it all.
    db.execute("INSERT INTO sync_outbox (kind, row_id) SELECT 'ticket', id FROM tickets ORDER BY id")
    db.execute("INSERT INTO sync_outbox (kind, row_id) SELECT 'rating', id FROM ratings ORDER BY id")


@migrations()
def m002_appointments(db: sqlite_utils.Database) -> None:
    """Bookings shipped too (a restore from the hub gives them back): changed ones are noted like tickets."""
    for when in ("INSERT", "UPDATE"):
        db.execute(f"""
            CREATE TRIGGER sync_note_appointments_{when.lower()} AFTER {when} ON appointments
            BEGIN
                DELETE FROM sync_outbox WHERE kind = 'appointment' AND row_id = NEW.id;
                INSERT INTO sync_outbox (kind, row_id) VALUES ('appointment', NEW.id);
            END
        """)
    db.execute("INSERT INTO sync_outbox (kind, row_id) SELECT 'appointment', id FROM appointments ORDER BY id")


VERSIONED_KINDS = {"catalogue_revisions": ("catalog_versions", "catalog_procedures", "catalog_state"),
                   "booking_blocks": ("booking_blocks",), "office_days": ("office_days",), "dossiers": ("dossiers",)}
"""The kinds of ``office_records`` whose tables carry version triggers (m003: a new table needs a new migration)."""


@migrations()
def m003_office_records(db: sqlite_utils.Database) -> None:
    """The office's small tables shipped whole when they change (``office_records``), and this history's identity.

    ``sync_records`` keeps, per kind, the hash of the snapshot the hub last
    took (written with the acks). The triggers bump a kind's version on any
    change of its tables, so the worker builds the bigger snapshots (the
    catalogue, the dossiers) only after a change, never every batch.
    """
    db.execute("CREATE TABLE sync_records (kind TEXT PRIMARY KEY, hash TEXT NOT NULL, version INTEGER NOT NULL, "
               "sent_at TEXT NOT NULL)")
    db.execute("CREATE TABLE sync_record_versions (kind TEXT PRIMARY KEY, version INTEGER NOT NULL)")
    db.execute("CREATE TABLE sync_history (id INTEGER PRIMARY KEY CHECK (id = 1), history TEXT NOT NULL, "
               "created_at TEXT NOT NULL)")
    for kind, tables in VERSIONED_KINDS.items():
        db.execute("INSERT INTO sync_record_versions (kind, version) VALUES (?, 1)", [kind])
        for table in tables:
            for when in ("INSERT", "UPDATE", "DELETE"):
                db.execute(f"""
                    CREATE TRIGGER sync_version_{table}_{when.lower()} AFTER {when} ON {table}
                    BEGIN
                        UPDATE sync_record_versions SET version = version + 1 WHERE kind = '{kind}';
                    END
                """)


def apply_migrations(db: sqlite_utils.Database) -> None:
    """Create or upgrade the sync tables (the queue's and the reports' tables must exist)."""
    migrations.apply(db)


def shipped_events_up_to(conn: sqlite3.Connection) -> int | None:
    """The events the hub holds (id ≤ this) when the office syncs, else None: retention prunes no further.

    An office syncs from the first start of its worker, which stores an
    acknowledgement of 0 at once, so not even a hub never reached lets
    events go before they are shipped.
    """
    try:
        row = conn.execute("SELECT acked FROM sync_acks WHERE stream = 'events'").fetchone()
    except sqlite3.OperationalError:  # a database from before the sync tables: it does not sync
        return None
    return int(row[0]) if row else None
