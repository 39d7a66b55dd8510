"""The sync worker that ``motcua serve`` starts when the office file has ``[sync]``: one command, one unit.

By default it is ``motcua sync`` as a child process of the server, at
niceness 19, restarted when it dies, stopped with the server, its log lines
prefixed ``sync:`` in the server's log. A child rather than a thread
because a worker that crashes or leaks cannot take the queue with it, and
its CPU can be given a lower priority (a thread shares the GIL and the
server's priority). Measured with ``bench/hub.py --sync-mode`` (figures in
docs/hub.md), the two were within the noise of each other on a shared
2-core machine. ``MOTCUA_SYNC_WORKER=thread`` runs it as a thread instead
(to measure again, or where a child process cannot be started).

The child also watches its parent: a server killed with -9 leaves no worker
behind (``watch_parent``).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any, Protocol

from ..config import OfficeConfig
from .sync_settings import SyncSettings, shipped_settings, sync_settings

log = logging.getLogger("motcua.sync")

WORKER_ENV = "MOTCUA_SYNC_WORKER"
PARENT_ENV = "MOTCUA_SYNC_PARENT"
"""Set for the child: the server's pid, so the worker ends when the server is gone."""
FIRST_RESTART_SECONDS = 1.0
MAX_RESTART_SECONDS = 60.0
STEADY_SECONDS = 60.0
"""A child that ran this long before it died starts again after the first delay, not the longest."""
STOP_SECONDS = 10.0


class SyncWorker(Protocol):
    """What ``serve`` holds: started with the server, stopped with it, its state shown in /api/health."""

    def start(self) -> SyncWorker: ...

    def stop(self) -> None: ...

    def state(self) -> str: ...


def start_sync_worker(config: OfficeConfig, db_path: Path) -> SyncWorker | None:
    """The office's worker, started; None when the office file has no ``[sync]`` (it does not sync).

    The settings are read here first, so a missing token or a bad hub address
    stops ``motcua serve`` with the file and the key, not a child failing in a loop.
    """
    settings = sync_settings(config)
    if settings is None:
        return None
    if os.environ.get(WORKER_ENV, "process") == "thread":
        return SyncThread(settings, db_path, config).start()
    return SyncProcess(config.path, db_path).start()


class SyncProcess:
    """``motcua sync`` as a supervised child: restarted with a growing delay when it dies, stopped with ``stop``."""

    def __init__(self, config_path: Path, db_path: Path, *, first_delay: float = FIRST_RESTART_SECONDS,
                 max_delay: float = MAX_RESTART_SECONDS) -> None:
        self.command = [sys.executable, "-m", "queue_server.cli", "sync", "--config", str(config_path),
                        "--db", str(db_path)]
        self.first_delay, self.max_delay = first_delay, max_delay
        self.process: subprocess.Popen[str] | None = None
        self.starts = 0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._supervise, name="sync-supervisor", daemon=True)

    def start(self) -> SyncProcess:
        """Start the child and the thread that keeps it running."""
        self._thread.start()
        return self

    def state(self) -> str:
        """``running`` while the child lives, else ``restarting`` (between a death and the next start)."""
        process = self.process
        return "running" if process is not None and process.poll() is None else "restarting"

    def _supervise(self) -> None:
        delay = self.first_delay
        while not self._stopping.is_set():
            started = time.monotonic()
            with self._lock:
                if self._stopping.is_set():
                    return
                self.process = self._spawn()
                self.starts += 1
            assert self.process.stdout is not None
            _copy_lines(self.process.stdout)
            code = self.process.wait()
            if self._stopping.is_set():
                return
            delay = self.first_delay if time.monotonic() - started >= STEADY_SECONDS else delay
            log.warning("the sync worker ended (exit status %s); starting it again in %g s", code, delay)
            self._stopping.wait(delay)
            delay = min(self.max_delay, delay * 2)

    def _spawn(self) -> subprocess.Popen[str]:
        env = {**os.environ, PARENT_ENV: str(os.getpid()), "PYTHONUNBUFFERED": "1"}
        return subprocess.Popen(self.command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, encoding="utf-8", errors="replace", env=env)

    def stop(self) -> None:
        """SIGTERM the child (it ends after the batch in flight), SIGKILL after STOP_SECONDS; no restart after."""
        with self._lock:
            self._stopping.set()
            process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=STOP_SECONDS)
        self._thread.join(timeout=STOP_SECONDS)


def _copy_lines(stream: IO[str]) -> None:
    """The child's output into the server's log, each line prefixed (one journal for the whole office server)."""
    for line in stream:
        sys.stderr.write(f"sync: {line}" if line.endswith("\n") else f"sync: {line}\n")
        sys.stderr.flush()


class SyncThread:
    """The worker as a thread of the server (``MOTCUA_SYNC_WORKER=thread``): simpler, but it shares the GIL."""

    def __init__(self, settings: SyncSettings, db_path: Path, config: OfficeConfig) -> None:
        self.settings, self.db_path, self.config = settings, db_path, config
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sync-worker", daemon=True)

    def start(self) -> SyncThread:
        self._thread.start()
        return self

    def state(self) -> str:
        return "running" if self._thread.is_alive() else "stopped"

    def _run(self) -> None:
        from .sync import Syncer

        syncer = Syncer(self.settings, self.db_path, shipped_settings(self.config))
        try:
            syncer.run(self._stopping)
        finally:
            syncer.close()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=STOP_SECONDS)


def watch_parent(stop: threading.Event, environ: dict[str, str] | os._Environ[str] = os.environ) -> None:
    """In the child: end the worker when the server that started it is gone (killed with -9 included).

    The stop event ends the loop between batches; a batch stuck on a dead
    link would hold it up to its HTTP timeout, so the process exits anyway
    STOP_SECONDS later.
    """
    parent = environ.get(PARENT_ENV, "")
    if not parent.isdigit():
        return

    def watch() -> None:
        while os.getppid() == int(parent):
            if stop.wait(1.0):
                return
        log.warning("the server that started this sync worker is gone: stopping")
        stop.set()
        time.sleep(STOP_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def sync_status(conn: sqlite3.Connection, worker: SyncWorker | None) -> dict[str, Any] | None:
    """What ``GET /api/health`` tells the admin of an office that syncs; None for one that never did.

    ``last_ack_at`` is when the hub last answered (null until it first
    acknowledged something); ``events_not_shipped`` is what a dead disk would
    lose today. Cheap enough for a health check: events are counted by id
    (contiguous), the outbox by its key.
    """
    try:
        acks = {stream: (int(acked), at) for stream, acked, at in
                conn.execute("SELECT stream, acked, at FROM sync_acks")}
    except sqlite3.OperationalError:  # a database from before the sync tables
        return None
    if not acks:
        return None
    (events_ack, at), (changes_ack, _) = acks.get("events", (0, "")), acks.get("changes", (0, ""))
    last_event = conn.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0]
    changes = conn.execute("SELECT COUNT(*) FROM sync_outbox WHERE seq > ?", (changes_ack,)).fetchone()[0]
    return {"worker": worker.state() if worker is not None else "off",
            "last_ack_at": at if at and (events_ack or changes_ack) else None,
            "events_not_shipped": max(0, int(last_event) - events_ack), "changes_not_shipped": int(changes)}
