"""Open the office database the one way every part of motcua should.

WAL lets screens and reports read while the queue writes; ``synchronous=FULL``
makes every acknowledged commit survive a power cut (rural offices lose
power), at the cost of one more fsync per commit, which group commit in the
writer pays back.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import sqlite_utils

BUSY_TIMEOUT_MS = 10_000


def _switch_to_wal(conn: sqlite3.Connection, attempts: int = 50) -> None:
    """``journal_mode = WAL``, retried: switching needs a moment alone with the file, and SQLite
    may answer "database is locked" at once, without waiting out the busy timeout (seen once in CI
    on a brand-new file)."""
    for attempt in range(attempts):
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.1)


def connect(path: Path | str, *, create_folder: bool = True) -> sqlite_utils.Database:
    """A sqlite-utils Database in autocommit mode (transactions are explicit) with WAL and FULL sync."""
    path = Path(path)
    if create_folder:
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    _switch_to_wal(conn)
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return sqlite_utils.Database(conn)
