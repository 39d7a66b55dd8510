"""The event log is pruned past ``[limits] events_keep_days``; tickets and ratings never are."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from queue_server.config import ConfigError, load_config
from queue_server.store.db import connect
from queue_server.store.retention import DailyPruner, prune_events
from queue_server.store.schema import apply_migrations

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


def _db_with_events(tmp_path: Path, ages_days: list[float]) -> sqlite3.Connection:
    db = connect(tmp_path / "motcua.db")
    apply_migrations(db)
    for age in ages_days:
        db.conn.execute("INSERT INTO events (at, type, data) VALUES (?, 'ticket.issued', '{}')",
                        ((NOW - timedelta(days=age)).isoformat(),))
    return db.conn


def _ages(conn: sqlite3.Connection) -> list[str]:
    return [at for (at,) in conn.execute("SELECT at FROM events ORDER BY id")]


def test_events_older_than_the_kept_days_go_in_batches_and_the_rest_stay(tmp_path: Path) -> None:
    conn = _db_with_events(tmp_path, [500, 401, 400.5, 399, 10, 0])
    kept_before = _ages(conn)[3:]
    assert prune_events(conn, NOW, 400, batch=2) == 3
    assert _ages(conn) == kept_before


def test_nothing_past_the_hubs_acknowledgement_is_pruned(tmp_path: Path) -> None:
    conn = _db_with_events(tmp_path, [900, 800, 700])
    assert prune_events(conn, NOW, 400, shipped_up_to=2) == 2
    assert len(_ages(conn)) == 1


def test_the_pruner_thread_prunes_at_start_and_leaves_tickets_alone(tmp_path: Path) -> None:
    conn = _db_with_events(tmp_path, [450, 1])
    tickets = conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0]
    pruner = DailyPruner(lambda: connect(tmp_path / "motcua.db").conn, 400, clock=lambda: NOW).start()
    pruner.stop()
    assert len(_ages(conn)) == 1
    assert conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == tickets


def test_the_kept_days_are_configured_and_checked(tmp_path: Path) -> None:
    from tests.support.servers import office_config

    assert load_config(office_config(tmp_path, {})).limits.events_keep_days == 400
    with pytest.raises(ConfigError, match="events_keep_days"):
        load_config(office_config(tmp_path, {"events_keep_days = 400": "events_keep_days = 0"}))
