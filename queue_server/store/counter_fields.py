"""The counters' fields as the admin set them (table ``counter_fields``), laid over the office file's.

Read when the engine starts and after a failed batch, so a restart keeps
today's assignment; written by the admin's command in the same transaction as
its ``counter.changed`` event.
"""

from __future__ import annotations

import json
import logging
import sqlite3

from ..core.errors import QueueError
from ..core.office import Office, with_counter_services

log = logging.getLogger(__name__)


def saved(conn: sqlite3.Connection) -> dict[int, tuple[str, ...]]:
    """Counter number → its fields, for the counters the admin changed."""
    return {n: tuple(json.loads(s)) for n, s in conn.execute("SELECT counter, services FROM counter_fields")}


def save(conn: sqlite3.Connection, number: int, services: tuple[str, ...], by: str, at: str) -> None:
    conn.execute("INSERT OR REPLACE INTO counter_fields (counter, services, updated_at, updated_by) "
                 "VALUES (?, ?, ?, ?)", (number, json.dumps(list(services)), at, by))


def forget(conn: sqlite3.Connection, number: int) -> bool:
    """Back to the office file's fields for this counter; False when it had none of its own."""
    return conn.execute("DELETE FROM counter_fields WHERE counter = ?", (number,)).rowcount > 0


def applied(office: Office, conn: sqlite3.Connection) -> Office:
    """The office with the admin's counter fields; one the office file no longer allows is skipped, and logged."""
    for number, services in sorted(saved(conn).items()):
        try:
            office = with_counter_services(office, number, services)
        except QueueError as refused:
            log.warning("counter %s keeps the office file's fields: the saved ones no longer fit (%s)",
                        number, refused.message)
    return office
