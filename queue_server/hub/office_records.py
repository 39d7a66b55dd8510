"""The office's small tables at the hub (issue 16): each kind a full snapshot, shipped only when it changed.

Events, tickets, ratings and bookings are shipped row by row (``sync``);
the rest of what the hub needs is small and changes rarely, so it goes
whole: the devices (the dashboard's faults and silent kiosks), the people
(names, roles and counters; never a password hash or a token), today's
counters, the catalogue's revisions, the booking blocks, the office days
and the imported provincial dossiers. A kind is sent when the hash of its
JSON differs from the one the hub last took (kept in ``sync_records``,
written in the same short transaction as the acks), and ``devices`` at
least every ``DEVICES_EVERY`` so the hub can tell a silent kiosk by its
``last_seen_at``. The bigger kinds are only read after their tables
changed (``office_schema.m003_office_records``'s version triggers).

Each record carries a sequence number (the office's ``records`` stream in
``sync_acks`` plus one) and its snapshot time: the hub keeps a record only
if it is not older than the one it holds, so a replayed batch never brings
back an old snapshot (see ``records_store``).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .office_schema import VERSIONED_KINDS

KINDS = ("devices", "people", "counters_today", "catalogue_revisions", "booking_blocks", "office_days", "dossiers")
"""What the hub keeps in ``hub_office_records`` (the contract with the dashboard)."""

TABLE_ORDER = {"catalog_versions": "version", "catalog_procedures": "rowid", "catalog_state": "id",
               "booking_blocks": "id", "office_days": "day", "dossiers": "code"}
"""The versioned kinds' tables, each shipped as ``{"columns", "rows"}`` in this order (the catalogue in file order)."""

DEVICES_EVERY = timedelta(minutes=5)
"""``devices`` goes at least this often, changed or not: the hub judges silence by its ``last_seen_at``."""

Connected = Callable[[int], bool]
"""A device id → whether it holds the live feed open now (the server's LiveDevices), when the worker can ask."""


@dataclass(frozen=True)
class Outgoing:
    """One kind's snapshot to send, with what is stored once the hub took it.

    ``send`` False: its tables changed but its content did not (an import of
    the same file again): only the version is noted, so it is not read again.
    """

    kind: str
    data: Any
    hash: str
    version: int
    send: bool = True
    sent_at: str = ""


def snapshot_hash(data: Any) -> str:
    """SHA-256 of the canonical JSON (sorted keys): the same content always hashes the same."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def devices(conn: sqlite3.Connection, connected: Connected | None = None) -> list[dict[str, Any]]:
    """Each device as the office's ``GET /api/devices`` gives it (status: the printer's paper and cover report).

    ``connected`` is only known inside the server process; a worker of its
    own sends ``null`` there, and the hub judges a board by ``last_seen_at``.
    """
    rows = conn.execute("SELECT id, name, role, last_seen_at, status FROM devices ORDER BY name").fetchall()
    return [{"name": name, "role": role, "last_seen_at": seen, "status": json.loads(status),
             "connected": connected(device_id) if connected else None}
            for device_id, name, role, seen, status in rows]


def people(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Who works here: login, full name, role, counters, active. Never a password hash or a token."""
    rows = conn.execute("SELECT username, full_name, role, counters, active FROM users ORDER BY username")
    return [{"username": u, "full_name": f, "role": r, "counters": json.loads(c), "active": bool(a)}
            for u, f, r, c, a in rows]


def counters_today(conn: sqlite3.Connection, settings: dict[str, Any]) -> dict[str, Any]:
    """Each counter's fields today (the admin's choice over the office file's) and whether it is open now."""
    chosen = {n: json.loads(s) for n, s in conn.execute("SELECT counter, services FROM counter_fields")}
    states = {n: (state, clerk) for n, state, clerk in conn.execute("SELECT number, state, clerk FROM counters")}
    counters = []
    for counter in settings.get("counters", []):
        number = counter.get("number")
        state, clerk = states.get(number, ("closed", None))
        counters.append({"number": number, "name": counter.get("name", ""),
                         "services": chosen.get(number, counter.get("services", [])),
                         "state": state, "open": state != "closed", "clerk": clerk})
    return {"counters": counters}


def tables(conn: sqlite3.Connection, names: Iterable[str]) -> dict[str, Any]:
    """Whole tables as ``{table: {"columns", "rows"}}`` (compact: a province centre imports many dossiers)."""
    found: dict[str, Any] = {}
    for table in names:
        cursor = conn.execute(f"SELECT * FROM {table} ORDER BY {TABLE_ORDER[table]}")
        found[table] = {"columns": [column[0] for column in cursor.description], "rows": [list(r) for r in cursor]}
    return found


def snapshot(conn: sqlite3.Connection, kind: str, settings: dict[str, Any],
             connected: Connected | None = None) -> Any:
    """The current content of one kind."""
    if kind == "devices":
        return devices(conn, connected)
    if kind == "people":
        return people(conn)
    if kind == "counters_today":
        return counters_today(conn, settings)
    return tables(conn, VERSIONED_KINDS[kind])


def outgoing(conn: sqlite3.Connection, settings: dict[str, Any], now: datetime,
             connected: Connected | None = None) -> list[Outgoing]:
    """The kinds to send now: changed since the hub last took them, or ``devices`` due again. One read snapshot."""
    found: list[Outgoing] = []
    conn.execute("BEGIN")
    try:
        sent = {kind: (digest, version, at) for kind, digest, version, at in
                conn.execute("SELECT kind, hash, version, sent_at FROM sync_records")}
        versions = dict(conn.execute("SELECT kind, version FROM sync_record_versions").fetchall())
        for kind in KINDS:
            version = int(versions.get(kind, 0))
            previous = sent.get(kind)
            if kind in VERSIONED_KINDS and previous is not None and previous[1] == version:
                continue  # its tables did not change since the hub took it: not even read
            data = snapshot(conn, kind, settings, connected)
            digest = snapshot_hash(data)
            if previous is None or previous[0] != digest or (kind == "devices" and _due(previous[2], now)):
                found.append(Outgoing(kind, data, digest, version))
            elif previous[1] != version:
                found.append(Outgoing(kind, None, digest, version, send=False, sent_at=previous[2]))
    finally:
        conn.execute("COMMIT")
    return found


def _due(sent_at: str, now: datetime) -> bool:
    try:
        return now - datetime.fromisoformat(sent_at) >= DEVICES_EVERY
    except (ValueError, TypeError):  # naive or unreadable: send again
        return True


def records_seq(conn: sqlite3.Connection) -> int:
    """The sequence number of the records the hub last took (the ``records`` stream of ``sync_acks``)."""
    row = conn.execute("SELECT acked FROM sync_acks WHERE stream = 'records'").fetchone()
    return int(row[0]) if row else 0


def wire(records: list[Outgoing], seq: int, now: datetime) -> dict[str, Any]:
    """The batch's ``records``: ``{kind: {"seq", "at", "data"}}`` for the kinds to send."""
    return {r.kind: {"seq": seq, "at": now.isoformat(), "data": r.data} for r in records if r.send}


def store_taken(conn: sqlite3.Connection, records: list[Outgoing], taken: Iterable[str], seq: int,
                now: datetime) -> None:
    """Remember what the hub took (inside the caller's acks transaction): it is not sent again until it changes."""
    kept = set(taken)
    rows = [(r.kind, r.hash, r.version, now.isoformat()) for r in records if r.send and r.kind in kept]
    rows += [(r.kind, r.hash, r.version, r.sent_at) for r in records if not r.send]
    conn.executemany("INSERT OR REPLACE INTO sync_records (kind, hash, version, sent_at) VALUES (?, ?, ?, ?)", rows)
    if any(r.send and r.kind in kept for r in records):
        conn.execute("INSERT OR REPLACE INTO sync_acks (stream, acked, at) VALUES ('records', ?, ?)",
                     (seq, now.isoformat()))


# -- this database's history ------------------------------------------------------------------------

def history(conn: sqlite3.Connection) -> str | None:
    """This database's history identity (made at its first sync, or brought back by a restore from the hub)."""
    row = conn.execute("SELECT history FROM sync_history WHERE id = 1").fetchone()
    return str(row[0]) if row else None


def ensure_history(conn: sqlite3.Connection, now: datetime) -> str:
    """The identity, made now if this database never synced: the hub then refuses another database's batches."""
    found = history(conn)
    if found is not None:
        return found
    conn.execute("INSERT OR IGNORE INTO sync_history (id, history, created_at) VALUES (1, ?, ?)",
                 (secrets.token_hex(16), now.isoformat()))
    made = history(conn)
    assert made is not None
    return made


def events_head(conn: sqlite3.Connection) -> int:
    """The highest event id this database ever gave (pruned events included): the hub must not hold more."""
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'events'").fetchone()
    return int(row[0]) if row else 0
