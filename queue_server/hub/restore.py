"""``motcua restore --from-hub``: an office's database rebuilt on a new PC from what it shipped to the hub.

Into an empty database only (a new PC, a replaced disk): the hub's events
(with their ids and exact text), tickets, ratings with their answers,
bookings, the catalogue's revisions, booking blocks, office days and
imported dossiers are written in one transaction, and the sync bookkeeping
starts where the hub is (its acks and the database's history identity), so
the next ``motcua sync`` ships only what happens from now on. People come
back as logins, full names, roles and counters with no password (the hub
never had one): nobody signs in until an admin sets a password
(``motcua user password``). Devices are not restored: each pairs again with
a new token.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from ..store.db import connect
from ..store.schema import apply_migrations
from .office_schema import VERSIONED_KINDS
from .report import insert_rows, insert_table
from .sync import EVENT_COLUMNS, SyncFailed
from .sync_settings import SyncSettings


class RestoreRefused(Exception):
    """The target database is not empty, or the hub holds nothing of the office."""


@dataclass(frozen=True)
class Restored:
    """How much came back."""

    events: int
    tickets: int
    ratings: int
    appointments: int
    tables: dict[str, int] | None = None
    """Rows of each of the small tables brought back (catalogue, booking blocks, office days, dossiers)."""
    people: int = 0


def fetch_all(settings: SyncSettings, part: str, http: requests.Session) -> tuple[list[list[Any]], dict[str, Any]]:
    """Every row of one part, page after page; with the last page's answer (it carries the hub's acks)."""
    rows: list[list[Any]] = []
    after, answer = 0, {}
    while True:
        try:
            response = http.get(f"{settings.hub_url}/api/hub/export/{part}", params={"after": after}, timeout=(5, 120))
        except requests.RequestException as exc:
            raise SyncFailed(f"hub unreachable: {exc.__class__.__name__}") from None
        if response.status_code != 200:
            raise SyncFailed(f"hub answered {response.status_code}: {response.text[:300]}", status=response.status_code)
        answer = response.json()
        rows += answer["rows"]
        if not answer["more"] or not answer["rows"]:
            return rows, answer
        after = answer["rows"][-1][0]


def restore_from_hub(settings: SyncSettings, db_path: Path) -> Restored:
    """Fill an empty (or new) database with the office's history from the hub."""
    db = connect(db_path)
    try:
        apply_migrations(db)
        conn = db.conn
        if conn.execute("SELECT EXISTS (SELECT 1 FROM tickets) OR EXISTS (SELECT 1 FROM events)").fetchone()[0]:
            raise RestoreRefused(f"{db_path} already holds tickets or events")
        with requests.Session() as http:
            http.headers["Authorization"] = f"Bearer {settings.token}"
            events, _ = fetch_all(settings, "events", http)
            tickets, _ = fetch_all(settings, "tickets", http)
            ratings, _ = fetch_all(settings, "ratings", http)
            appointments, last = fetch_all(settings, "appointments", http)
            records, about = fetch_all(settings, "records", http)
        if not events and not tickets:
            raise RestoreRefused(f"the hub holds nothing of {settings.office_code}")
        kinds = {kind: data for kind, data, *_ in records}
        _write(conn, events, [row for _, row in tickets], [row for _, row in ratings],
               [row for _, row in appointments], (int(last["events_ack"]), int(last["changes_ack"])),
               kinds, Bookkeeping(about.get("history"), max((row[3] for row in records), default=0)))
    finally:
        db.close()
    counts = {table: len(part["rows"]) for kind in VERSIONED_KINDS for table, part in (kinds.get(kind) or {}).items()}
    return Restored(len(events), len(tickets), len(ratings), len(appointments), counts, len(kinds.get("people") or []))


@dataclass(frozen=True)
class Bookkeeping:
    """What the restored database continues: the hub's history identity and the records' sequence number."""

    history: str | None
    records_seq: int


def _write(conn: sqlite3.Connection, events: list[list[Any]], tickets: list[dict[str, Any]],
           ratings: list[dict[str, Any]], appointments: list[dict[str, Any]], acks: tuple[int, int],
           records: dict[str, Any], bookkeeping: Bookkeeping) -> None:
    """One transaction: events first (their trigger names a ticket's clerk, the ticket rows then say it as shipped)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.executemany(f"INSERT INTO events ({EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", events)
        insert_rows(conn, tickets, ratings)
        insert_table(conn, "appointments", appointments)
        for kind in VERSIONED_KINDS:
            if records.get(kind):
                _replace_tables(conn, records[kind], VERSIONED_KINDS[kind])
        _insert_people(conn, records.get("people") or [])
        if bookkeeping.history:
            conn.execute("INSERT OR REPLACE INTO sync_history (id, history, created_at) VALUES (1, ?, '')",
                         (bookkeeping.history,))
        conn.execute("INSERT OR REPLACE INTO sync_acks (stream, acked, at) VALUES ('records', ?, '')",
                     (bookkeeping.records_seq,))
        events_ack, changes_ack = acks
        # What the hub holds is not to be shipped again; new changes number on after its acknowledgement.
        conn.execute("DELETE FROM sync_outbox")
        conn.execute("DELETE FROM sqlite_sequence WHERE name = 'sync_outbox'")
        conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('sync_outbox', ?)", (changes_ack,))
        conn.executemany("INSERT OR REPLACE INTO sync_acks (stream, acked, at) VALUES (?, ?, '')",
                         [("events", events_ack), ("changes", changes_ack)])
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _replace_tables(conn: sqlite3.Connection, tables: dict[str, Any], order: tuple[str, ...]) -> None:
    """One kind's tables as shipped (``{table: {"columns", "rows"}}``), replacing what a new database holds.

    In the kind's own order (jsonb does not keep the keys'): catalog_state
    refers to catalog_versions, so it is emptied first and filled last.
    """
    for table in reversed(order):
        conn.execute(f"DELETE FROM {table}")
    for table in order:
        part = tables.get(table) or {"columns": [], "rows": []}
        insert_table(conn, table, [dict(zip(part["columns"], row, strict=True)) for row in part["rows"]])


def _insert_people(conn: sqlite3.Connection, people: list[dict[str, Any]]) -> None:
    """Logins, full names, roles and counters, with no password: an empty hash matches none (auth.check_password)."""
    conn.executemany(
        "INSERT INTO users (username, password_hash, role, counters, active, created_at, full_name, "
        "must_change_password) VALUES (?, '', ?, ?, ?, ?, ?, 1)",
        [(p["username"], p["role"], json.dumps(p.get("counters", [])), int(bool(p.get("active"))),
          datetime.now(UTC).isoformat(timespec="seconds"), p.get("full_name", "")) for p in people])
