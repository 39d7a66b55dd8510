"""The catalogue in the office database: versions, procedures, and which version is live.

Own migration set (``motcua.catalog``) in the queue's SQLite file. An import
writes one whole version in one transaction and makes it the live one; a
failed import leaves the database as it was. ``catalog_state.revision`` grows
with every import, so a server process can tell cheaply that its in-memory
search index is stale.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from queue_server.config import ConfigError
from queue_server.store.db import connect

from .codec import CatalogFile, RowRules, detect_format, parse_field_services, read_catalog
from .model import Procedure

migrations = Migrations("motcua.catalog")


@migrations()
def m001_catalog_tables(db: sqlite_utils.Database) -> None:
    """Versions, their procedures, and the live version."""
    db.execute("""
        CREATE TABLE catalog_versions (
            version TEXT PRIMARY KEY,
            imported_at TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            procedure_count INTEGER NOT NULL
        )""")
    db.execute("""
        CREATE TABLE catalog_procedures (
            version TEXT NOT NULL REFERENCES catalog_versions(version) ON DELETE CASCADE,
            code TEXT NOT NULL,
            name TEXT NOT NULL,
            field TEXT NOT NULL,
            service TEXT,
            record TEXT NOT NULL,
            PRIMARY KEY (version, code)
        )""")
    db.execute("""
        CREATE TABLE catalog_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            active_version TEXT REFERENCES catalog_versions(version),
            revision INTEGER NOT NULL
        )""")
    db.execute("INSERT INTO catalog_state (id, active_version, revision) VALUES (1, NULL, 0)")


def open_database(path: Path | str) -> sqlite_utils.Database:
    """The office database, opened the way the queue server opens it (WAL, ``synchronous=FULL``)."""
    return connect(path)


def apply_migrations(db: sqlite_utils.Database) -> None:
    """Create or upgrade the catalogue tables."""
    migrations.apply(db)


@dataclass(frozen=True)
class ActiveCatalog:
    """The live catalogue version and its procedures."""

    version: str | None
    revision: int
    procedures: tuple[Procedure, ...]


def catalog_revision(db: sqlite_utils.Database) -> int:
    """A number that changes with every import (one indexed row: cheap to poll)."""
    row = db.execute("SELECT revision FROM catalog_state WHERE id = 1").fetchone()
    return row[0] if row else 0


def active_catalog(db: sqlite_utils.Database) -> ActiveCatalog:
    """The live version's procedures, in file order."""
    with db.atomic():  # one snapshot: the version and its rows agree
        state = db.execute("SELECT active_version, revision FROM catalog_state WHERE id = 1").fetchone()
        if not state or state[0] is None:
            return ActiveCatalog(None, state[1] if state else 0, ())
        rows = db.execute("SELECT record FROM catalog_procedures WHERE version = ? ORDER BY rowid", [state[0]])
        procedures = tuple(Procedure.from_dict(json.loads(record)) for (record,) in rows)
    return ActiveCatalog(state[0], state[1], procedures)


def import_catalog(db: sqlite_utils.Database, version: str, procedures: Sequence[Procedure], *,
                   source: str = "", now: datetime | None = None, progress: Any = None) -> int:
    """Replace one catalogue version with these procedures and make it live; return the revision."""
    if not version.strip():
        raise ValueError("a catalogue version is needed, e.g. 2025-07")
    imported_at = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    rows = [(version, p.code, p.name, p.field, p.service,
             json.dumps({**p.to_dict(), "catalog_version": version}, ensure_ascii=False)) for p in procedures]
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("DELETE FROM catalog_procedures WHERE version = ?", [version])
        conn.execute("INSERT INTO catalog_versions (version, imported_at, source, procedure_count) VALUES (?, ?, ?, ?) "
                     "ON CONFLICT (version) DO UPDATE SET imported_at = excluded.imported_at, "
                     "source = excluded.source, procedure_count = excluded.procedure_count",
                     [version, imported_at, source, len(rows)])
        for start in range(0, len(rows), 500):
            conn.executemany("INSERT INTO catalog_procedures (version, code, name, field, service, record) "
                             "VALUES (?, ?, ?, ?, ?, ?)", rows[start:start + 500])
            if progress is not None:
                progress(min(start + 500, len(rows)), len(rows))
        conn.execute("UPDATE catalog_state SET active_version = ?, revision = revision + 1 WHERE id = 1", [version])
        revision = conn.execute("SELECT revision FROM catalog_state WHERE id = 1").fetchone()[0]
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return revision


def catalog_versions(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every imported version, newest first."""
    return [dict(zip(("version", "imported_at", "source", "procedure_count"), row, strict=True)) for row in db.execute(
        "SELECT version, imported_at, source, procedure_count FROM catalog_versions ORDER BY imported_at DESC")]


def office_rules(office_config: Any) -> RowRules:
    """Import rules from an office: its service codes and its field → service table, if any."""
    section = office_config.section("catalog")
    mapping = None
    if section.get("field_services"):
        path = _configured_file(office_config, "field_services")
        try:
            mapping = parse_field_services(path.read_text(encoding="utf-8"), str(path))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ConfigError(office_config.path, "catalog.field_services", f"{exc}; fix that table") from None
    return RowRules(services=[s.code for s in office_config.office.services], field_services=mapping)


def read_catalog_file(path: Path, rules: RowRules, fmt: str | None = None, progress: Any = None) -> CatalogFile:
    """Read and validate a catalogue file from disk."""
    return read_catalog(path.read_bytes(), fmt or detect_format(path.name), source=str(path),
                        rules=rules, progress=progress)


def ensure_sample_catalog(db: sqlite_utils.Database, office_config: Any) -> str | None:
    """Load the office's catalogue file (``[catalog] file``) when the database has none; return its version."""
    apply_migrations(db)
    if active_catalog_version(db) is not None:
        return None
    if not office_config.section("catalog").get("file"):
        return None
    path = _configured_file(office_config, "file")
    catalog = read_catalog_file(path, office_rules(office_config))
    version = catalog.version or path.stem
    import_catalog(db, version, catalog.procedures, source=path.name)
    return version


def active_catalog_version(db: sqlite_utils.Database) -> str | None:
    """The live version, or None before the first import."""
    row = db.execute("SELECT active_version FROM catalog_state WHERE id = 1").fetchone()
    return row[0] if row else None


def _configured_file(office_config: Any, key: str) -> Path:
    """A file named in the office's [catalog] section (relative to its files folder, see
    OfficeConfig.resolve); it must exist."""
    name = office_config.section("catalog")[key]
    if not isinstance(name, str):
        raise ConfigError(office_config.path, f"catalog.{key}", "expected a file name in quotes")
    path = Path(name) if Path(name).is_absolute() else office_config.resolve(name)
    if not path.is_file():
        raise ConfigError(office_config.path, f"catalog.{key}", f"no such file {path}; fix the name or remove the line")
    return path
