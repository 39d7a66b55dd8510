"""Idempotency keys of ticket requests: the one home of their table and its SQL.

A device sends the same ``Idempotency-Key`` on every retry of one request;
the key, a hash of the request and the ticket it got are kept in the same
transaction as the ticket, so a retry after a lost answer gets that ticket
back instead of a second one.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from .repository import to_db_time

KEEP = timedelta(days=2)
"""Retries come within seconds; keys older than two days only take space."""

TABLE_SQL = """
        CREATE TABLE idempotency_keys (
            principal TEXT NOT NULL,
            key TEXT NOT NULL,
            request_hash TEXT NOT NULL,
            ticket_id INTEGER NOT NULL REFERENCES tickets(id),
            created_at TEXT NOT NULL,
            PRIMARY KEY (principal, key)
        )
        """
"""The table as migration m001 created it (a change needs a new migration, never an edit here)."""


@dataclass(frozen=True)
class RememberedKey:
    """What an earlier request with this key asked for (its hash) and the ticket it got."""

    request_hash: str
    ticket_id: int


def is_used(conn: sqlite3.Connection, principal: str, key: str) -> bool:
    """True when this principal already used this key (the request is a retry)."""
    row = conn.execute("SELECT 1 FROM idempotency_keys WHERE principal = ? AND key = ?", (principal, key)).fetchone()
    return row is not None


def look_up(conn: sqlite3.Connection, principal: str, key: str) -> RememberedKey | None:
    """The earlier request with this principal's key, or None."""
    row = conn.execute(
        "SELECT request_hash, ticket_id FROM idempotency_keys WHERE principal = ? AND key = ?", (principal, key)
    ).fetchone()
    return RememberedKey(row[0], row[1]) if row is not None else None


def remember(conn: sqlite3.Connection, principal: str, key: str, request_hash: str, ticket_id: int,
             now: datetime) -> None:
    """Keep the key with its ticket (call inside the ticket's transaction, so a retry finds both or neither)."""
    conn.execute(
        "INSERT INTO idempotency_keys (principal, key, request_hash, ticket_id, created_at) VALUES (?, ?, ?, ?, ?)",
        (principal, key, request_hash, ticket_id, to_db_time(now)),
    )


def forget_expired(conn: sqlite3.Connection, now: datetime) -> None:
    """Drop keys older than ``KEEP``."""
    conn.execute("DELETE FROM idempotency_keys WHERE created_at < ?", (to_db_time(now - KEEP),))
