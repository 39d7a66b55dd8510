"""The office's sync worker: ship the history to the province hub after what it acknowledged, forever.

It runs beside the queue (``motcua sync``), on its own SQLite connection:
reads are one WAL snapshot per batch, so the queue's writer never waits
for it, and its only writes are the two acknowledgements in ``sync_acks``
(one short transaction per batch). A batch is the events after the events
ack and the tickets and ratings noted in ``sync_outbox`` after the changes
ack, gzip JSON in one POST; the hub answers its new acks. Failures (hub
down, link cut, 5xx) back off exponentially up to ``max_backoff_seconds``,
so an office offline for weeks catches up by itself when the link returns.
"""

from __future__ import annotations

import logging
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from . import office_records
from .office_records import Connected, Outgoing
from .sync_settings import SyncSettings
from .wire import gzip_json

log = logging.getLogger(__name__)

EVENT_COLUMNS = "id, at, type, ticket_id, counter, actor, data"


class SyncFailed(Exception):
    """The hub did not take a batch; the message says why (for the log or the CLI)."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code = status, code


@dataclass(frozen=True)
class Sent:
    """What one batch carried and the acks the hub answered."""

    events: int
    changes: int
    events_ack: int
    changes_ack: int


def open_db(path: Path | str) -> sqlite3.Connection:
    """The worker's own connection (autocommit; explicit transactions), waiting briefly if the queue writes."""
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=5.0, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 5000")
    # An ack lost to a power cut is only a batch sent again (the hub keeps it once): no fsync while the
    # write lock is held, so the queue's writer never waits behind the worker's disk flush.
    conn.execute("PRAGMA synchronous = NORMAL")
    # Checkpoints (copying the WAL into the file, with its fsync) are left to the server's connection: the
    # worker's disk flush never runs beside the queue's commits, and never on the worker's timing.
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    return conn


def local_acks(conn: sqlite3.Connection) -> tuple[int, int]:
    """(events, changes) the hub acknowledged, as last stored here."""
    acks = dict(conn.execute("SELECT stream, acked FROM sync_acks").fetchall())
    return int(acks.get("events", 0)), int(acks.get("changes", 0))


def store_acks(conn: sqlite3.Connection, events_ack: int, changes_ack: int, now: datetime, *,
               records: list[Outgoing] | None = None, taken: list[str] | None = None, records_seq: int = 0) -> None:
    """Keep the hub's acknowledgements and the records it took (one short write transaction, like every write)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.executemany("INSERT OR REPLACE INTO sync_acks (stream, acked, at) VALUES (?, ?, ?)",
                         [("events", events_ack, now.isoformat()), ("changes", changes_ack, now.isoformat())])
        if records:
            office_records.store_taken(conn, records, taken or [], records_seq, now)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def build_batch(conn: sqlite3.Connection, office_code: str, settings: dict[str, Any], max_events: int,
                max_changes: int) -> tuple[dict[str, Any], int, int]:
    """The next batch from one snapshot; returns it with its event and change counts (both 0: nothing new)."""
    events_after, changes_after = local_acks(conn)
    conn.execute("BEGIN")  # one consistent snapshot of events, outbox and rows while the queue keeps writing
    try:
        events = conn.execute(f"SELECT {EVENT_COLUMNS} FROM events WHERE id > ? ORDER BY id LIMIT ?",
                              (events_after, max_events)).fetchall()
        noted = conn.execute("SELECT seq, kind, row_id FROM sync_outbox WHERE seq > ? ORDER BY seq LIMIT ?",
                             (changes_after, max_changes)).fetchall()
        tickets = _rows(conn, "tickets", [row_id for _, kind, row_id in noted if kind == "ticket"])
        ratings = _rows(conn, "ratings", [row_id for _, kind, row_id in noted if kind == "rating"])
        appointments = _rows(conn, "appointments", [row_id for _, kind, row_id in noted if kind == "appointment"])
        _add_answers(conn, ratings)
        head, history = office_records.events_head(conn), office_records.history(conn)
    finally:
        conn.execute("COMMIT")
    batch = {
        "office": office_code,
        "events": {"after": events_after, "last": events[-1][0] if events else events_after,
                   "head": head, "rows": [list(row) for row in events]},
        "changes": {"after": changes_after, "last": noted[-1][0] if noted else changes_after,
                    "tickets": tickets, "ratings": ratings, "appointments": appointments},
        "settings": settings,
    }
    if history is not None:
        batch["history"] = history  # the hub refuses another database's batches (office_records.ensure_history)
    return batch, len(events), len(noted)


def _rows(conn: sqlite3.Connection, table: str, ids: list[int]) -> list[dict[str, Any]]:
    """Rows as {column: value}, in chunks (SQLite limits the number of parameters)."""
    found: list[dict[str, Any]] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        cursor = conn.execute(f"SELECT * FROM {table} WHERE id IN ({', '.join('?' * len(chunk))})", chunk)
        names = [column[0] for column in cursor.description]
        found += [dict(zip(names, row, strict=True)) for row in cursor]
    return found


def _add_answers(conn: sqlite3.Connection, ratings: list[dict[str, Any]]) -> None:
    by_id = {rating["id"]: rating for rating in ratings}
    for rating in ratings:
        rating["answers"] = []
    ids = list(by_id)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for rating_id, kind, code, value in conn.execute(
                "SELECT rating_id, kind, code, value FROM rating_answers "
                f"WHERE rating_id IN ({', '.join('?' * len(chunk))}) ORDER BY rating_id, kind, code", chunk):
            by_id[rating_id]["answers"].append([kind, code, value])


class Syncer:
    """Ships one office database to its hub; ``send_once`` is one batch, ``run`` the worker's loop."""

    def __init__(self, settings: SyncSettings, db_path: Path | str, office_settings: dict[str, Any], *,
                 clock: Callable[[], datetime] | None = None, connected: Connected | None = None) -> None:
        self.settings, self.office_settings, self.connected = settings, office_settings, connected
        self.conn = open_db(db_path)
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {settings.token}"
        self.clock = clock or (lambda: datetime.now(UTC))
        self.failures = 0
        # From now on retention keeps every event the hub has not acknowledged (office_schema.shipped_events_up_to).
        self.conn.execute("INSERT OR IGNORE INTO sync_acks (stream, acked, at) VALUES ('events', 0, ?), "
                          "('changes', 0, ?)", (self.clock().isoformat(),) * 2)
        office_records.ensure_history(self.conn, self.clock())

    def close(self) -> None:
        """Close the connection and the HTTP session."""
        self.conn.close()
        self.http.close()

    def send_once(self) -> Sent:
        """Build and post one batch (an empty one asks the acks); a refused start rewinds to the hub's ack."""
        s, now = self.settings, self.clock()
        batch, events, changes = build_batch(self.conn, s.office_code, self.office_settings, s.batch_events,
                                             s.batch_changes)
        records = office_records.outgoing(self.conn, self.office_settings, now, self.connected)
        seq = office_records.records_seq(self.conn) + 1
        if any(r.send for r in records):
            batch["records"] = office_records.wire(records, seq, now)
        answer = self._post("/api/hub/batches", gzip_json(batch))
        if answer.get("code") == "sync_gap":
            acks = self._get("/api/hub/ack")
            store_acks(self.conn, int(acks["events_ack"]), int(acks["changes_ack"]), now)
            log.warning("hub holds less than this office thought; resending after %s", acks)
            return self.send_once()
        events_ack, changes_ack = int(answer["events_ack"]), int(answer["changes_ack"])
        # Never jump past what this batch carried: if the hub holds more (this office forgot its ack, or came
        # back from an older copy), the next batch starts here again, so the hub compares each event it holds.
        store_acks(self.conn, min(events_ack, batch["events"]["last"]), changes_ack, now, records=records,
                   taken=[kind for kind in answer.get("records", []) if isinstance(kind, str)], records_seq=seq)
        return Sent(events, changes, events_ack, changes_ack)

    def _post(self, path: str, body: bytes) -> dict[str, Any]:
        headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
        try:
            response = self.http.post(self.settings.hub_url + path, data=body, headers=headers, timeout=(5, 120))
        except requests.RequestException as exc:
            raise SyncFailed(f"hub unreachable: {exc.__class__.__name__}") from None
        return self._answer(response, allow_gap=True)

    def _get(self, path: str) -> dict[str, Any]:
        try:
            response = self.http.get(self.settings.hub_url + path, timeout=(5, 30))
        except requests.RequestException as exc:
            raise SyncFailed(f"hub unreachable: {exc.__class__.__name__}") from None
        return self._answer(response, allow_gap=False)

    @staticmethod
    def _answer(response: requests.Response, *, allow_gap: bool) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = {}
        error = body.get("error") if isinstance(body, dict) else None
        if response.status_code == 409 and allow_gap and error and error.get("code") == "sync_gap":
            return {"code": "sync_gap"}
        if response.status_code != 200 or not isinstance(body, dict) or error:
            code = error.get("code") if isinstance(error, dict) else None
            message = error.get("message") if isinstance(error, dict) else response.reason
            raise SyncFailed(f"hub answered {response.status_code} {code or ''}: {message}",
                             status=response.status_code, code=code)
        return body

    def catch_up(self, max_batches: int = 1_000_000, pause: Callable[[float], object] | None = None) -> int:
        """Send batches until nothing is left (or ``max_batches``); returns the batches sent. Raises SyncFailed.

        ``pause`` (the worker's loop gives its stop event's wait) paces a long catch-up: after a full batch
        that took t seconds it waits t, so the worker takes at most about half a core beside the queue.
        """
        for sent_count in range(1, max_batches + 1):
            started = time.monotonic()
            sent = self.send_once()
            if sent.events < self.settings.batch_events and sent.changes < self.settings.batch_changes:
                return sent_count
            if pause is not None:
                pause(time.monotonic() - started)
        return max_batches

    def backoff(self) -> float:
        """Seconds to wait after the latest failure: doubling from 1 s, capped, with ±20 % jitter."""
        base = min(self.settings.max_backoff_seconds, 2.0 ** max(0, self.failures - 1))
        return base * random.uniform(0.8, 1.2)

    def run(self, stop: threading.Event) -> None:
        """Catch up, wait ``interval_seconds``, again, until ``stop`` is set; failures back off and retry.

        An outage is logged once when it starts and once when it ends (a link down for a week would
        otherwise write a line every few minutes); the retries in between are at debug level.
        """
        outage_since: datetime | None = None
        while not stop.is_set():
            try:
                self.catch_up(pause=stop.wait)
            except SyncFailed as exc:
                self.failures += 1
                delay = self.backoff()
                if outage_since is None:
                    outage_since = self.clock()
                    log.warning("cannot ship to the hub %s (%s): the queue goes on, events wait here; retrying "
                                "with back-off up to %g s, logged again when the hub answers",
                                self.settings.hub_url, exc, self.settings.max_backoff_seconds)
                else:
                    log.debug("sync failed again (%s); retrying in %.1f s", exc, delay)
                stop.wait(delay)
                continue
            if outage_since is not None:
                down = timedelta(seconds=round((self.clock() - outage_since).total_seconds()))
                log.info("the hub answers again after %s (h:mm:ss) and %d failed attempts: caught up",
                         down, self.failures)
                outage_since = None
            self.failures = 0
            stop.wait(self.settings.interval_seconds)
