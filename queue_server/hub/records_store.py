"""The hub's copy of each office's small tables (``hub_office_records``): the latest snapshot of each kind.

The office sends a kind whole when it changed (``office_records``), with
its sequence number and snapshot time. A record is kept only if it is not
older than the one held, by (seq, time): a replayed or delayed batch never
brings back an old snapshot, and a resend of the same sequence number with
newer content (its ack was lost) still wins. Written inside the batch's
transaction (``store.ingest``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from .office_records import KINDS


@dataclass(frozen=True)
class Record:
    """One kind as a batch carries it."""

    kind: str
    seq: int
    at: datetime
    data: Any


def parse_records(value: Any) -> list[Record] | None:
    """The batch's ``records`` ({kind: {"seq", "at", "data"}}), or None when malformed; unknown kinds are skipped.

    A kind this hub does not know (a newer office) is left out rather than
    refused, so an office upgraded before its hub keeps syncing.
    """
    if value is None:
        return []
    if not isinstance(value, dict):
        return None
    found = []
    for kind, record in value.items():
        if kind not in KINDS:
            continue
        if not isinstance(record, dict) or "data" not in record:
            return None
        seq, at = record.get("seq"), record.get("at")
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0 or not isinstance(at, str):
            return None
        try:
            moment = datetime.fromisoformat(at)
        except ValueError:
            return None
        if moment.tzinfo is None:
            return None
        found.append(Record(kind, seq, moment, record["data"]))
    return found


def save(conn: psycopg.Connection, office: str, records: list[Record]) -> list[str]:
    """Upsert the records not older than those held; returns every kind now current (kept, or held newer)."""
    for record in records:
        conn.execute(
            "INSERT INTO hub_office_records (office, kind, data, updated_at, seq) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (office, kind) DO UPDATE SET data = EXCLUDED.data, updated_at = EXCLUDED.updated_at, "
            "seq = EXCLUDED.seq WHERE (hub_office_records.seq, hub_office_records.updated_at) "
            "<= (EXCLUDED.seq, EXCLUDED.updated_at)",
            (office, record.kind, Jsonb(record.data), record.at, record.seq))
    return [record.kind for record in records]


def record(conn: psycopg.Connection, office: str, kind: str) -> Any | None:
    """The data of one kind the hub holds of an office, or None (not shipped yet)."""
    row = conn.execute("SELECT data FROM hub_office_records WHERE office = %s AND kind = %s", (office, kind)).fetchone()
    return row[0] if row else None


def export(conn: psycopg.Connection, office: str) -> list[list[Any]]:
    """Every record of an office as ``[kind, data, updated_at, seq]`` (what a restore from the hub reads)."""
    rows = conn.execute("SELECT kind, data, updated_at, seq FROM hub_office_records WHERE office = %s ORDER BY kind",
                        (office,)).fetchall()
    return [[kind, data, at.isoformat(), seq] for kind, data, at, seq in rows]
