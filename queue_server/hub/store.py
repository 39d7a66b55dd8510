"""The hub's PostgreSQL store: offices and their hashed tokens, batch ingest, the rows a report is rebuilt from.

A batch is what one office sends in one request (``queue_server.hub.sync``
builds it): its events after the last id the hub acknowledged, and the
tickets, ratings and bookings that changed after the last change
acknowledged. It is written in one transaction: events are append-only and
idempotent by (office, id) (``ON CONFLICT DO NOTHING``), tickets, ratings
and bookings are the office's latest copy of each row (upserted). The office's row is locked
for the batch, so two batches of one office never interleave.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import psycopg

from ..auth import hash_token
from ..web.errors import ApiError
from . import history as history_check
from . import records_store, rollups, schema


def connect(dsn: str) -> psycopg.Connection:
    """A connection in UTC (the monthly partitions of events are UTC months), autocommit outside ``transaction()``."""
    conn = psycopg.connect(dsn, autocommit=True)
    conn.execute("SET TIME ZONE 'UTC'")
    return conn


@dataclass(frozen=True)
class Office:
    """An office known to the hub."""

    code: str
    name: str
    revoked: bool
    events_ack: int
    changes_ack: int
    last_contact_at: datetime | None


@dataclass
class Batch:
    """One office's request, checked (see ``parse_batch``)."""

    office: str
    events_after: int
    events_last: int
    events: list[tuple[Any, ...]] = field(default_factory=list)
    """(id, at, type, ticket_id, counter, actor, data as JSON text), ids in (after, last]."""
    changes_after: int = 0
    changes_last: int = 0
    tickets: list[dict[str, Any]] = field(default_factory=list)
    ratings: list[dict[str, Any]] = field(default_factory=list)
    appointments: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] | None = None
    records: list[records_store.Record] = field(default_factory=list)
    """The office's small tables that changed (``office_records``)."""
    history: str | None = None
    """Which database's history this continues (None: an office from before the identity)."""
    events_head: int | None = None
    """The highest event id the office's database ever gave."""
    records_taken: list[str] = field(default_factory=list)
    """Set by ``ingest``: the kinds now current at the hub (the answer tells the office)."""


def new_token() -> str:
    """A random office or viewer token (shown once; only its hash is kept)."""
    return secrets.token_urlsafe(32)


def add_office(conn: psycopg.Connection, code: str, name: str) -> str:
    """Register an office; returns its token, stored hashed. A known code is refused (revoke and re-add instead)."""
    token = new_token()
    with conn.transaction():
        found = conn.execute("SELECT 1 FROM hub_offices WHERE code = %s", (code,)).fetchone()
        if found:
            raise ValueError(f"office {code} is already registered")
        conn.execute("INSERT INTO hub_offices (code, name, token_hash) VALUES (%s, %s, %s)",
                     (code, name, hash_token(token)))
    return token


def revoke_office(conn: psycopg.Connection, code: str) -> bool:
    """Refuse the office's token from now on (its history stays); False when the code is unknown."""
    cursor = conn.execute("UPDATE hub_offices SET revoked_at = now() WHERE code = %s AND revoked_at IS NULL", (code,))
    return cursor.rowcount == 1


def add_viewer(conn: psycopg.Connection, name: str) -> str:
    """A province reader (dashboard, reports of every office); returns the token, stored hashed."""
    token = new_token()
    conn.execute("INSERT INTO hub_viewers (name, token_hash) VALUES (%s, %s)", (name, hash_token(token)))
    return token


def list_offices(conn: psycopg.Connection) -> list[Office]:
    """Every office, by code."""
    rows = conn.execute("SELECT code, name, revoked_at IS NOT NULL, events_ack, changes_ack, last_contact_at "
                        "FROM hub_offices ORDER BY code").fetchall()
    return [Office(*row) for row in rows]


def office_of_token(conn: psycopg.Connection, token: str) -> Office | None:
    """The office a token belongs to (revoked ones too: the caller answers 403), or None."""
    row = conn.execute("SELECT code, name, revoked_at IS NOT NULL, events_ack, changes_ack, last_contact_at "
                       "FROM hub_offices WHERE token_hash = %s", (hash_token(token),)).fetchone()
    return Office(*row) if row else None


def is_viewer(conn: psycopg.Connection, token: str) -> bool:
    """Whether a token is a province reader's that is not revoked."""
    row = conn.execute("SELECT 1 FROM hub_viewers WHERE token_hash = %s AND revoked_at IS NULL",
                       (hash_token(token),)).fetchone()
    return row is not None


def office(conn: psycopg.Connection, code: str) -> Office | None:
    """One office by code."""
    row = conn.execute("SELECT code, name, revoked_at IS NOT NULL, events_ack, changes_ack, last_contact_at "
                       "FROM hub_offices WHERE code = %s", (code,)).fetchone()
    return Office(*row) if row else None


# -- ingest ---------------------------------------------------------------------------------------

STAGING = """
CREATE TEMP TABLE IF NOT EXISTS stage_events (LIKE events) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_tickets (LIKE tickets) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_ratings (LIKE ratings) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_appointments (LIKE appointments) ON COMMIT DELETE ROWS;
"""
"""COPY goes into these per-connection tables, then one INSERT … SELECT moves the rows: far faster than row inserts."""


def _months(batch: Batch) -> dict[str, set[date]]:
    return {
        "events": {schema.month_start(_utc_day(row[1])) for row in batch.events},
        "tickets": {schema.month_start(date.fromisoformat(t["day"])) for t in batch.tickets},
        "ratings": {schema.month_start(date.fromisoformat(r["day"])) for r in batch.ratings},
        "appointments": {schema.month_start(date.fromisoformat(a["day"])) for a in batch.appointments},
    }


def _utc_day(at: str) -> date:
    moment = datetime.fromisoformat(at)
    return (moment.astimezone(UTC) if moment.tzinfo else moment).date()


def ingest(conn: psycopg.Connection, batch: Batch, now: datetime | None = None) -> tuple[int, int]:
    """Write one batch in one transaction; returns the acknowledgements (events, changes) after it.

    ``now`` is the office's last contact (the hub's clock, so a test or the demo can move it; PostgreSQL's
    ``now()`` without one).

    A batch that starts after what the hub holds (``after`` beyond its ack)
    would leave a hole: it is refused (409 ``sync_gap``) and the office
    starts again from the hub's ack. A replayed or overlapping batch writes
    nothing new and answers the same acks.
    """
    for table, months in _months(batch).items():
        schema.ensure_partitions(conn, table, months)
    with conn.transaction():
        row = conn.execute("SELECT revoked_at IS NOT NULL, events_ack, changes_ack, history FROM hub_offices "
                           "WHERE code = %s FOR UPDATE", (batch.office,)).fetchone()
        if row is None:
            raise ApiError(401, "unknown_office", f"Trung tâm tỉnh không biết đơn vị {batch.office}.")
        revoked, events_ack, changes_ack, held_history = row
        if revoked:
            raise ApiError(403, "office_revoked", "Mã truy cập của đơn vị đã bị thu hồi; xin cấp mã mới.")
        if batch.events_after > events_ack or batch.changes_after > changes_ack:
            raise ApiError(409, "sync_gap", "Gói dữ liệu bắt đầu sau chỗ trung tâm đã nhận; xin gửi lại từ "
                           "GET /api/hub/ack.")
        history_check.check(conn, batch.office, batch.history, batch.events_head, batch.events, events_ack,
                            held_history)
        _copy_rows(conn, batch)
        batch.records_taken = records_store.save(conn, batch.office, batch.records)
        rollups.refresh_days(conn, batch.office, _touched_days(batch), batch.settings)
        events_ack, changes_ack = max(events_ack, batch.events_last), max(changes_ack, batch.changes_last)
        conn.execute("UPDATE hub_offices SET events_ack = %s, changes_ack = %s, last_contact_at = "
                     "COALESCE(%s, now()), settings = COALESCE(%s, settings), history = COALESCE(history, %s) "
                     "WHERE code = %s", (events_ack, changes_ack, now,
                                         json.dumps(batch.settings) if batch.settings else None, batch.history,
                                         batch.office))
    return events_ack, changes_ack


def _touched_days(batch: Batch) -> set[date]:
    """The office-days whose dashboard figures a batch may change: those of its tickets and ratings."""
    return {date.fromisoformat(row["day"]) for row in (*batch.tickets, *batch.ratings)}


def _copy_rows(conn: psycopg.Connection, batch: Batch) -> None:
    """COPY the batch into the staging tables and move it: events kept once, tickets and ratings replaced."""
    conn.execute(STAGING)
    code = batch.office
    with conn.cursor() as cursor:
        if batch.events:
            with cursor.copy("COPY stage_events (office, id, at, type, ticket_id, counter, actor, data) "
                             "FROM STDIN") as copy:
                for event in batch.events:
                    copy.write_row((code, *event))
            cursor.execute("INSERT INTO events SELECT * FROM stage_events ON CONFLICT DO NOTHING")
        if batch.tickets:
            with cursor.copy("COPY stage_tickets (office, id, day, row) FROM STDIN") as copy:
                for ticket in batch.tickets:
                    copy.write_row((code, ticket["id"], ticket["day"], json.dumps(ticket, ensure_ascii=False)))
            cursor.execute("INSERT INTO tickets SELECT * FROM stage_tickets "
                           "ON CONFLICT (office, id, day) DO UPDATE SET row = EXCLUDED.row")
        if batch.ratings:
            with cursor.copy("COPY stage_ratings (office, id, day, row, answers) FROM STDIN") as copy:
                for rating in batch.ratings:
                    values = {k: v for k, v in rating.items() if k != "answers"}
                    copy.write_row((code, rating["id"], rating["day"], json.dumps(values, ensure_ascii=False),
                                    json.dumps(rating.get("answers", []), ensure_ascii=False)))
            cursor.execute("INSERT INTO ratings SELECT * FROM stage_ratings "
                           "ON CONFLICT (office, id, day) DO UPDATE SET row = EXCLUDED.row, answers = EXCLUDED.answers")
        if batch.appointments:
            with cursor.copy("COPY stage_appointments (office, id, day, row) FROM STDIN") as copy:
                for booking in batch.appointments:
                    copy.write_row((code, booking["id"], booking["day"], json.dumps(booking, ensure_ascii=False)))
            cursor.execute("INSERT INTO appointments SELECT * FROM stage_appointments "
                           "ON CONFLICT (office, id, day) DO UPDATE SET row = EXCLUDED.row")


# -- reading back -----------------------------------------------------------------------------------

def office_settings(conn: psycopg.Connection, code: str) -> dict[str, Any] | None:
    """The office's own configuration as it last sent it (what its reports are computed with)."""
    row = conn.execute("SELECT settings FROM hub_offices WHERE code = %s", (code,)).fetchone()
    return row[0] if row else None


def office_history(conn: psycopg.Connection, code: str) -> str | None:
    """The history identity the hub holds of an office (a restore from the hub gives it back), or None."""
    row = conn.execute("SELECT history FROM hub_offices WHERE code = %s", (code,)).fetchone()
    return row[0] if row else None


def period_tickets(conn: psycopg.Connection, code: str, first: date, last: date) -> list[dict[str, Any]]:
    """The office's tickets of the days [first, last], as the office's rows."""
    rows = conn.execute("SELECT row FROM tickets WHERE office = %s AND day BETWEEN %s AND %s ORDER BY id",
                        (code, first, last))
    return [row for (row,) in rows]


def period_ratings(conn: psycopg.Connection, code: str, first: date, last: date) -> list[dict[str, Any]]:
    """The office's ratings of the days [first, last], each with its ``answers`` ([kind, code, value])."""
    rows = conn.execute("SELECT row, answers FROM ratings WHERE office = %s AND day BETWEEN %s AND %s ORDER BY id",
                        (code, first, last))
    return [{**row, "answers": answers} for row, answers in rows]


def event_ids(conn: psycopg.Connection, code: str) -> list[int]:
    """Every event id the hub holds for an office, in order (tests and checks: contiguous, none twice)."""
    return [event_id for (event_id,) in conn.execute("SELECT id FROM events WHERE office = %s ORDER BY id", (code,))]


EXPORTS = {
    "events": "SELECT id, at, type, ticket_id, counter, actor, data FROM events "
              "WHERE office = %s AND id > %s ORDER BY id LIMIT %s",
    "tickets": "SELECT id, row FROM tickets WHERE office = %s AND id > %s ORDER BY id LIMIT %s",
    "ratings": "SELECT id, row, answers FROM ratings WHERE office = %s AND id > %s ORDER BY id LIMIT %s",
    "appointments": "SELECT id, row FROM appointments WHERE office = %s AND id > %s ORDER BY id LIMIT %s",
}
"""One page of what the hub holds of an office, by id: what ``motcua restore --from-hub`` reads back."""


def export_page(conn: psycopg.Connection, code: str, part: str, after: int, limit: int) -> list[list[Any]]:
    """Rows of one part after an id: events as the office's columns (``at`` as the office wrote it, UTC ISO)."""
    rows = conn.execute(EXPORTS[part], (code, after, limit)).fetchall()
    if part == "events":
        return [[r[0], _office_time(r[1]), *r[2:]] for r in rows]
    if part in ("tickets", "appointments"):
        return [[r[0], r[1]] for r in rows]
    return [[r[0], {**r[1], "answers": r[2]}] for r in rows]


def _office_time(moment: datetime) -> str:
    """The office's own text for an instant (``repository.to_db_time``: UTC ISO with microseconds)."""
    from ..store.repository import to_db_time

    return to_db_time(moment)
