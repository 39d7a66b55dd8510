"""Open the office database the one way every part of motcua should.

WAL lets screens and reports read while the queue writes; ``synchronous=FULL``
makes every acknowledged commit survive a power cut (rural offices lose
power), at the cost of one more fsync per commit, which group commit in the
writer pays back.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

BUSY_TIMEOUT_MS = 10_000


def connect(path: Path | str, *, create_folder: bool = True) -> sqlite_utils.Database:
    """A sqlite-utils Database in autocommit mode (transactions are explicit) with WAL and FULL sync."""
    path = Path(path)
    if create_folder:
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return sqlite_utils.Database(conn)
