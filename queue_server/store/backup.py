"""One consistent copy of the office database while the server runs, and putting one back.

A commune's one server PC is also its only copy of its history, so the
backup must be safe to take at any moment: SQLite's online backup API copies
a single snapshot (every transaction committed before it began, none half
written) while the writer thread goes on; the copy is checked with
``integrity_check`` before it gets its final name, so a file named
``motcua-….db`` is always a sound database.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

BACKUP_NAME = re.compile(r"^motcua-\d{4}-\d{2}-\d{2}T\d{6}\.db$")
ALL_PAGES = -1
"""Copy in one step: under WAL that is one read snapshot that never blocks the writer. In small steps,
SQLite restarts the copy whenever another connection writes, so it might never end while kiosks issue."""


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


def backup_name(now: datetime) -> str:
    """``motcua-2026-12-02T174500.db``: sorts by time, one per second at most."""
    return f"motcua-{now:%Y-%m-%dT%H%M%S}.db"


def check_database(path: Path) -> None:
    """Raise BackupError unless ``path`` is a sound SQLite file holding a motcua queue."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path}: not a readable SQLite database ({exc})") from None
    if result != "ok":
        raise BackupError(f"{path}: damaged ({result})")
    if not {"tickets", "events"} <= tables:
        raise BackupError(f"{path}: not a motcua database (no tickets or events table)")


def backup_database(db_path: Path, folder: Path, now: datetime, keep: int) -> Path:
    """Copy the database into ``folder`` as of now, check the copy, keep the newest ``keep`` backups."""
    if not db_path.exists():
        raise BackupError(f"no database at {db_path}; pass --db")
    if keep < 1:
        raise BackupError("--keep must be at least 1")
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / backup_name(now)
    partial = final.with_suffix(".partial")
    source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        target = sqlite3.connect(str(partial))
        try:
            source.backup(target, pages=ALL_PAGES)
            target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
        finally:
            target.close()
    finally:
        source.close()
    try:
        check_database(partial)
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    _fsync(partial)
    os.replace(partial, final)
    _fsync_folder(folder)
    prune_backups(folder, keep)
    return final


def prune_backups(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups in ``folder`` (only files named like ours)."""
    backups = sorted(p for p in folder.iterdir() if BACKUP_NAME.match(p.name))
    removed = backups[:-keep] if keep else backups
    for path in removed:
        path.unlink()
    return removed


def restore_database(backup: Path, db_path: Path, now: datetime) -> Path | None:
    """Put ``backup`` in place of ``db_path``; the replaced file is kept aside and its path returned.

    The caller holds the server lock: a running server would keep writing to
    the file it has open and lose the restored one.
    """
    check_database(backup)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    incoming = db_path.with_name(db_path.name + ".restoring")
    shutil.copyfile(backup, incoming)
    _fsync(incoming)
    kept = None
    if db_path.exists():
        kept = db_path.with_name(f"{db_path.name}.replaced-{now:%Y-%m-%dT%H%M%S}")
        _checkpoint(db_path)
        os.replace(db_path, kept)
    for suffix in ("-wal", "-shm"):  # the old file's journal must not be replayed onto the restored one
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    os.replace(incoming, db_path)
    _fsync_folder(db_path.parent)
    return kept


def _checkpoint(db_path: Path) -> None:
    """Fold the WAL into the file before it is set aside, so the kept copy is whole on its own."""
    try:
        conn = sqlite3.connect(str(db_path))
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        pass  # a damaged file is set aside as it is


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
