"""Open the office database the one way every part of motcua should.

WAL lets screens and reports read while the queue writes; ``synchronous=FULL``
makes every acknowledged commit survive a power cut (rural offices lose
power), at the cost of one more fsync per commit, which group commit in the
writer pays back.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterator
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


SQLITE_MAGIC = b"SQLite format 3\x00"
SIDE_FILES = ("-wal", "-shm")
"""What SQLite keeps beside a WAL database: it must be able to create and write them too."""


class UnusableDatabase(Exception):
    """The database file cannot be opened for the queue as it is; ``fault`` says which way.

    Faults: ``folder`` (a directory in its place), ``not_database``, ``damaged``,
    ``read_only`` (the file or a side file), ``read_only_folder``. The CLI turns
    them into one line with what to do; this module only finds them.
    """

    def __init__(self, path: Path, fault: str, detail: str) -> None:
        super().__init__(f"{path}: {detail}")
        self.path, self.fault, self.detail = path, fault, detail


def check_usable(path: Path | str) -> None:
    """Raise UnusableDatabase unless ``path`` is a sound, writable database or may be created.

    Runs before anything opens the file for writing, so a refused start
    never changes it: journal_mode = WAL and the migrations would write to a
    damaged file, and a read-only one fails half way with a traceback.
    """
    path = Path(path)
    if path.is_dir():
        raise UnusableDatabase(path, "folder", "a folder, not a database file")
    folder = _nearest_existing_folder(path.parent)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UnusableDatabase(path, "read_only_folder",
                               f"the folder {folder} is read-only "
                               "(SQLite writes its -wal and -shm files beside the database)")
    if not path.exists():
        return  # a new database: connect() creates it
    for file in (path, *(Path(f"{path}{side}") for side in SIDE_FILES)):
        if file.exists() and not os.access(file, os.R_OK | os.W_OK):
            raise UnusableDatabase(path, "read_only", f"{file} is read-only for this user")
    _check_contents(path)


def _nearest_existing_folder(folder: Path) -> Path:
    """The folder itself, or the first of its parents that exists (connect() makes the rest)."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def _check_contents(path: Path) -> None:
    """The header and every page, read through a read-only connection (an empty file is a new database)."""
    with open(path, "rb") as handle:
        header = handle.read(len(SQLITE_MAGIC))
    if header and header != SQLITE_MAGIC:
        raise UnusableDatabase(path, "not_database", "not a SQLite database (file is not a database)")
    created = [Path(f"{path}{side}") for side in SIDE_FILES if not Path(f"{path}{side}").exists()]
    try:
        result = _quick_check(path)
    except sqlite3.DatabaseError as exc:
        _remove_new_side_files(created)
        fault = "not_database" if "not a database" in str(exc) else "damaged"
        raise UnusableDatabase(path, fault, f"damaged ({exc})") from None
    if result != "ok":
        _remove_new_side_files(created)
        raise UnusableDatabase(path, "damaged", f"damaged (integrity check: {result})")


def _quick_check(path: Path) -> str:
    """SQLite's quick_check (every page, not the indexes' contents), on a read-only connection."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        return " ".join(str(conn.execute("PRAGMA quick_check(1)").fetchone()[0]).split())  # one line
    finally:
        conn.close()


def _remove_new_side_files(created: list[Path]) -> None:
    """A refused start leaves the folder as it found it: drop the -wal/-shm our read-only look made."""
    for side in created:
        with contextlib.suppress(OSError):
            side.unlink(missing_ok=True)


@contextlib.contextmanager
def immediate_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """All of a side write or none of it, the write lock taken at once (BEGIN IMMEDIATE), so two requests
    changing the same rows wait for each other instead of one failing half-way through."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
