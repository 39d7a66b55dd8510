"""The queue engine: one writer thread that owns the live state and the database.

Why one writer: SQLite allows one writer at a time, and threads that contend
for its lock back off with sleeps (long p99s). Here request threads hand
their command to the writer and wait; the writer runs every command waiting
at that moment in one transaction (group commit: one fsync for many
tickets), then publishes the events and wakes the callers. A caller gets its
answer only after the commit is durable, so nothing acknowledged is lost.

Reads (services, counters, snapshots) take the state lock briefly and never
touch the database.
"""

from __future__ import annotations

import json
import logging
import queue
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from .broker import EventBroker, PublishedEvent
from .config import OfficeConfig
from .core import actions, views
from .core.clock import observe_clock
from .core.errors import QueueError
from .core.model import Outcome, QueueState
from .store import counter_closures, counter_fields, idempotency, repository
from .store.db import connect
from .store.schema import apply_migrations

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_BATCH = 256
DAY_CHECK_SECONDS = 30.0


def utc_now() -> datetime:
    """The real clock (tests pass their own)."""
    return datetime.now(UTC)


def steady_seconds() -> float:
    """Real seconds that only run forward, counting suspend (CLOCK_BOOTTIME where there is one): a PC
    that slept overnight has not jumped its clock."""
    return time.clock_gettime(time.CLOCK_BOOTTIME) if hasattr(time, "CLOCK_BOOTTIME") else time.monotonic()


class StorageUnavailable(Exception):
    """The database could not commit; the caller should retry (HTTP 503)."""


class EngineBusy(Exception):
    """The writer did not answer in time; the caller should retry (HTTP 503)."""


@dataclass
class CommandContext:
    """What a command sees: the live state, the office, the time, and the writer's connection."""

    state: QueueState
    office: Any
    now: datetime
    conn: sqlite3.Connection
    actor: str | None
    published: list[PublishedEvent] = field(default_factory=list)
    applied: bool = False
    _views: dict[int, dict[str, Any]] = field(default_factory=dict)

    def ticket_view(self, ticket) -> dict[str, Any]:
        """A ticket's public view now (computed once per command)."""
        view = self._views.get(ticket.id)
        if view is None:
            view = self._views[ticket.id] = views.ticket_view(self.state, self.office, ticket, self.now)
        return view

    def apply(self, outcome: Outcome) -> None:
        """Persist what a rule changed and log its events (inside the batch transaction)."""
        self.applied = True
        repository.save_changes(
            self.conn, list(outcome.tickets.values()), list(outcome.counters.values()), list(outcome.services.values())
        )
        self._views.clear()
        for event in outcome.events:
            data = views.event_view(self.state, self.office, event, self.now, view_of=self.ticket_view)
            if event.ticket_id is not None and "ticket" not in data and event.ticket_id in outcome.tickets:
                data["ticket"] = self.ticket_view(outcome.tickets[event.ticket_id])
            data.setdefault("at", views.local_iso(self.now, self.office))  # the event's own time (boards, benches)
            data_json = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
            event_id = repository.append_event(self.conn, event, self.now, data_json, self.actor)
            self.state.last_event_id = event_id
            self.published.append(PublishedEvent(event_id, event.type, data_json))


@dataclass
class _Command:
    run: Callable[[CommandContext], Any]
    actor: str | None
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    error: BaseException | None = None


class QueueEngine:
    """Owns the office's live queue; every change goes through ``execute``."""

    def __init__(self, config: OfficeConfig, db_path: Path | str, *, clock: Callable[[], datetime] = utc_now,
                 steady: Callable[[], float] | None = None,
                 new_token: Callable[[], str] = lambda: secrets.token_urlsafe(16)) -> None:
        self.config = config
        self.office = config.office
        self.db_path = Path(db_path)
        self.clock = clock
        # Real time, to tell a clock that runs from one that jumps (core.clock). A test clock without
        # its own steady companion is believed as it is: its jumps stand for time passing.
        self.steady = steady if steady is not None else (steady_seconds if clock is utc_now else None)
        self._last_steady: float | None = None
        self.new_token = new_token
        self.broker = EventBroker()
        self.lock = threading.RLock()
        self._commands: queue.Queue[_Command | None] = queue.Queue()
        self._db = connect(self.db_path)
        apply_migrations(self._db)
        self._conn = self._db.conn
        self.office = counter_fields.applied(config.office, self._conn)  # today's fields, as the admin set them
        self.state = counter_closures.applied(repository.load_state(self._conn, self.office), self._conn)
        self.broker.last_id = self.state.last_event_id
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()

    # -- lifecycle ----------------------------------------------------------
    def start(self) -> QueueEngine:
        """Start the writer and the day-rollover ticker."""
        for target, name in ((self._writer_loop, "motcua-writer"), (self._day_ticker, "motcua-day")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        """Finish queued commands, stop the threads, close streams and the database."""
        self._stopping.set()
        for thread in self._threads:  # the day ticker first: it may be waiting for the writer to answer it
            if thread.name == "motcua-day":
                thread.join(timeout=5)
        self._commands.put(None)
        for thread in self._threads:
            thread.join(timeout=5)
        self.broker.close()
        self._conn.close()

    # -- the two doors -------------------------------------------------------
    def execute(self, run: Callable[[CommandContext], T], *, actor: str | None = None, timeout: float = 10.0) -> T:
        """Run a command in the writer; returns once its changes are committed.

        ``run`` must raise QueueError only before it calls ``ctx.apply``.
        """
        command = _Command(run, actor)
        self._commands.put(command)
        if not command.done.wait(timeout):
            raise EngineBusy("Máy chủ đang bận, xin thử lại sau giây lát.")
        if command.error is not None:
            raise command.error
        return command.result

    def read(self, view: Callable[[QueueState, datetime], T]) -> T:
        """Look at the live state consistently (never blocks on the disk)."""
        with self.lock:
            return view(self.state, self.clock())

    # -- the writer ------------------------------------------------------------
    def _writer_loop(self) -> None:
        while True:
            command = self._commands.get()
            if command is None:
                return
            batch = [command]
            while len(batch) < MAX_BATCH:
                try:
                    more = self._commands.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._commands.put(None)
                    break
                batch.append(more)
            self._run_batch(batch)

    def _run_batch(self, batch: list[_Command]) -> None:
        published: list[PublishedEvent] = []
        with self.lock:
            now = self.clock()
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                published.extend(self._roll_day(now))
                for command in batch:
                    published.extend(self._run_one(command, now))
                self._conn.execute("COMMIT")
            except Exception as exc:  # storage failure: nothing of this batch happened
                log.exception("queue batch failed; reloading state from the database")
                self._recover()
                failure = StorageUnavailable("Không ghi được dữ liệu, xin thử lại.")
                failure.__cause__ = exc
                for command in batch:
                    command.error, command.result = failure, None
                published = []
        self.broker.publish(published)
        for command in batch:
            command.done.set()

    def _run_one(self, command: _Command, now: datetime) -> list[PublishedEvent]:
        ctx = CommandContext(self.state, self.office, now, self._conn, command.actor)
        # A savepoint per command: a refused command's own SQL (parts may write
        # with ctx.conn before they refuse) is undone without touching the batch.
        self._conn.execute("SAVEPOINT command")
        try:
            command.result = command.run(ctx)
            self.office = ctx.office  # a command may reassign a counter's fields (admin): later ones see it
        except QueueError as exc:
            if ctx.applied:
                raise RuntimeError("a command raised after changing the state") from exc
            self._conn.execute("ROLLBACK TO command")
            command.error = exc
        finally:
            self._conn.execute("RELEASE command")
        return ctx.published

    def _roll_day(self, now: datetime) -> list[PublishedEvent]:
        """Start a new local day before the batch's commands, so none of them sees yesterday."""
        ctx = CommandContext(self.state, self.office, now, self._conn, None)
        jump = self._read_clock(now)
        if jump.events:
            ctx.apply(jump)
        day = self.state.day
        outcome = actions.start_day_if_new(self.state, self.office, now)
        if self.state.day != day:  # closed from /admin for the new day before it began (or before a restart)
            counter_closures.applied(self.state, self._conn)
        if outcome.events or outcome.tickets or outcome.counters:
            ctx.apply(outcome)
            idempotency.forget_expired(self._conn, now)  # once a day is enough
        return ctx.published

    def _read_clock(self, now: datetime) -> Outcome:
        """One reading for core.clock with the real seconds since the last one; a jump is logged for the admin."""
        elapsed = None
        if self.steady is not None:
            steady_now = self.steady()
            elapsed = None if self._last_steady is None else steady_now - self._last_steady
            self._last_steady = steady_now
        outcome = observe_clock(self.state, self.office, now, elapsed)
        for event in outcome.events:
            log.warning("the office clock jumped %+d s (from %s to %s): check the server's time and NTP; "
                        "the queue keeps its day and order",
                        event.data["seconds"], event.data["from"], event.data["to"])
        return outcome

    def _recover(self) -> None:
        """After a failed batch: roll back and reload the state the database really holds."""
        try:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            watch = self.state.clock
            self.office = counter_fields.applied(self.config.office, self._conn)
            self.state = counter_closures.applied(repository.load_state(self._conn, self.office), self._conn)
            self.state.clock = watch  # what the clock did is not in the database
        except sqlite3.Error:
            log.exception("could not reload the queue state")

    def _day_ticker(self) -> None:
        """Roll the queue over at local midnight even when nobody acts."""
        while not self._stopping.wait(DAY_CHECK_SECONDS):
            try:
                self.execute(lambda ctx: None)  # every batch starts by rolling the day over
            except Exception:  # keep ticking; the next command retries the rollover
                log.exception("day rollover check failed")

    # -- helpers for adapters ------------------------------------------------------
    def wait_idle(self, timeout: float = 5.0) -> None:
        """Block until every command queued so far has run (tests and shutdown)."""
        deadline = time.monotonic() + timeout
        while not self._commands.empty() and time.monotonic() < deadline:
            time.sleep(0.005)
