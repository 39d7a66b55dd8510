"""Load the live queue from SQLite and write what the rules changed.

Only the writer thread writes these tables; it does so inside its own
transaction, so every state change and its events commit together.
"""

from __future__ import annotations

import json
import sqlite3
from collections import deque
from datetime import UTC, date, datetime
from typing import Any, overload

from ..core.actions import new_state
from ..core.model import CALLED, SERVING, WAITING, CounterState, Event, QueueState, Ticket
from ..core.office import Office

OPEN_STATUSES = (WAITING, CALLED, SERVING)

TICKET_COLUMNS = (
    "id", "day", "issued_service", "service", "seq", "number", "priority", "status", "procedure", "device",
    "issued_at", "queued_at", "called_at", "served_at", "finished_at", "counter", "target_counter",
    "recalls", "transfers", "status_token", "transferred_from", "transferred_from_service", "transfer_note",
)
_TIME_COLUMNS = ("issued_at", "queued_at", "called_at", "served_at", "finished_at")


@overload
def to_db_time(moment: datetime) -> str: ...
@overload
def to_db_time(moment: None) -> None: ...
@overload
def to_db_time(moment: datetime | None) -> str | None: ...
def to_db_time(moment: datetime | None) -> str | None:
    """UTC ISO text: sorts as time, reads back exactly."""
    if moment is None:
        return None
    if moment.tzinfo is not UTC:  # the engine's clock is already UTC: skip the conversion
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="microseconds")


def from_db_time(text: str | None) -> datetime | None:
    """The inverse of ``to_db_time``."""
    return None if text is None else datetime.fromisoformat(text)


def ticket_row(ticket: Ticket) -> tuple[Any, ...]:
    """A ticket as a row of TICKET_COLUMNS."""
    values = {name: getattr(ticket, name) for name in TICKET_COLUMNS if name != "day"}
    values["day"] = ticket.day.isoformat()
    for name in _TIME_COLUMNS:
        values[name] = to_db_time(values[name])
    return tuple(values[name] for name in TICKET_COLUMNS)


def ticket_from_row(row: sqlite3.Row | tuple) -> Ticket:
    """A Ticket from a row of TICKET_COLUMNS."""
    values = dict(zip(TICKET_COLUMNS, row, strict=True))
    values["day"] = date.fromisoformat(values["day"])
    for name in _TIME_COLUMNS:
        values[name] = from_db_time(values[name])
    return Ticket(**values)


_UPSERT_TICKET = (
    f"INSERT INTO tickets ({', '.join(TICKET_COLUMNS)}) VALUES ({', '.join('?' * len(TICKET_COLUMNS))}) "
    "ON CONFLICT(id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in TICKET_COLUMNS if c not in ("id", "day", "issued_service", "seq"))
)


def load_ticket(conn: sqlite3.Connection, ticket_id: int) -> Ticket | None:
    """One ticket from the database, whatever its day."""
    if not -(2**63) <= ticket_id < 2**63:  # SQLite integers are 64-bit: no ticket has such an id
        return None
    row = conn.execute(f"SELECT {', '.join(TICKET_COLUMNS)} FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
    return ticket_from_row(row) if row else None


def load_ticket_by_token(conn: sqlite3.Connection, token: str) -> Ticket | None:
    """One ticket by its public status token."""
    row = conn.execute(f"SELECT {', '.join(TICKET_COLUMNS)} FROM tickets WHERE status_token = ?", (token,)).fetchone()
    return ticket_from_row(row) if row else None


def load_state(conn: sqlite3.Connection, office: Office) -> QueueState:
    """Rebuild the live queue after a start or a crash: the latest day and anything still open."""
    state = new_state(office)
    latest = conn.execute("SELECT MAX(day) FROM tickets").fetchone()[0]
    if latest is not None:
        state.day = date.fromisoformat(latest)
        placeholders = ", ".join("?" * len(OPEN_STATUSES))
        rows = conn.execute(
            f"SELECT {', '.join(TICKET_COLUMNS)} FROM tickets WHERE day = ? OR status IN ({placeholders})",
            (latest, *OPEN_STATUSES),
        )
        for row in rows:
            state.add_ticket(ticket_from_row(row))
        for service, last in conn.execute(
            "SELECT issued_service, MAX(seq) FROM tickets WHERE day = ? GROUP BY issued_service", (latest,)
        ):
            state.last_seq[service] = last
    state.next_ticket_id = (conn.execute("SELECT MAX(id) FROM tickets").fetchone()[0] or 0) + 1
    state.last_event_id = conn.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0]
    for number, kind, current, reason, clerk in conn.execute(
        "SELECT number, state, current, pause_reason, clerk FROM counters"
    ):
        if number in state.counters:
            current = current if current in state.tickets else None
            state.counters[number] = CounterState(number, kind, current, reason, clerk)
    for code, normals_since, recent in conn.execute(
        "SELECT code, normals_since_priority, recent_service_s FROM service_state"
    ):
        if code in state.services:
            service_state = state.services[code]
            service_state.normals_since_priority = normals_since
            service_state.recent_service_s = deque(json.loads(recent), maxlen=office.policy.service_time_window)
    return state


def save_changes(conn: sqlite3.Connection, tickets: list[Ticket],
                 counters: list[CounterState], services: list) -> None:
    """Write changed tickets, counters and service states (inside the caller's transaction)."""
    if tickets:
        conn.executemany(_UPSERT_TICKET, [ticket_row(t) for t in tickets])
    for counter in counters:
        conn.execute(
            "INSERT OR REPLACE INTO counters (number, state, current, pause_reason, clerk) VALUES (?, ?, ?, ?, ?)",
            (counter.number, counter.state, counter.current, counter.pause_reason, counter.clerk),
        )
    for service_state in services:
        conn.execute(
            "INSERT OR REPLACE INTO service_state (code, normals_since_priority, recent_service_s) VALUES (?, ?, ?)",
            (service_state.code, service_state.normals_since_priority,
             json.dumps(list(service_state.recent_service_s))),
        )


def append_event(conn: sqlite3.Connection, event: Event, at: datetime, data_json: str, actor: str | None) -> int:
    """Append one event (its data already as JSON text) to the log; returns its id (the SSE id)."""
    cursor = conn.execute(
        "INSERT INTO events (at, type, ticket_id, counter, actor, data) VALUES (?, ?, ?, ?, ?, ?)",
        (to_db_time(at), event.type, event.ticket_id, event.counter, actor, data_json),
    )
    assert cursor.lastrowid is not None  # every INSERT sets it
    return cursor.lastrowid


def events_after(conn: sqlite3.Connection, last_id: int, limit: int) -> list[tuple[int, str, str]]:
    """Logged events after an id, oldest first: (id, type, data JSON)."""
    return conn.execute(
        "SELECT id, type, data FROM events WHERE id > ? ORDER BY id LIMIT ?", (last_id, limit)
    ).fetchall()
