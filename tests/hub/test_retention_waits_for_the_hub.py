"""Events are never pruned before the hub has them: retention stops at the hub's acknowledgement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from queue_server.store.db import connect
from queue_server.store.retention import DailyPruner
from queue_server.store.schema import apply_migrations

NOW = datetime(2027, 6, 1, 3, 0, tzinfo=UTC)
OLD = (NOW - timedelta(days=500)).isoformat()
RECENT = (NOW - timedelta(days=10)).isoformat()


def office_with_events(path: Path, acked: int | None) -> Path:
    """Six events a year and a half old, two recent; the hub's acknowledgement when the office syncs."""
    db = connect(path)
    apply_migrations(db)
    db.conn.executemany("INSERT INTO events (at, type, data) VALUES (?, 'ticket.issued', '{}')",
                        [(OLD,)] * 6 + [(RECENT,)] * 2)
    if acked is not None:
        db.conn.execute("INSERT INTO sync_acks (stream, acked, at) VALUES ('events', ?, ?)", (acked, RECENT))
    db.close()
    return path


def prune_once(path: Path) -> list[int]:
    """Run the server's pruner once (it prunes at start) and answer the event ids left."""
    DailyPruner(lambda: connect(path).conn, keep_days=400, clock=lambda: NOW).start().stop()
    db = connect(path)
    try:
        return [event_id for (event_id,) in db.conn.execute("SELECT id FROM events ORDER BY id")]
    finally:
        db.close()


def test_an_office_that_syncs_keeps_the_old_events_the_hub_has_not_acknowledged(tmp_path: Path) -> None:
    assert prune_once(office_with_events(tmp_path / "office.db", acked=4)) == [5, 6, 7, 8]


def test_an_office_whose_worker_never_reached_the_hub_prunes_nothing(tmp_path: Path) -> None:
    assert prune_once(office_with_events(tmp_path / "office.db", acked=0)) == [1, 2, 3, 4, 5, 6, 7, 8]


def test_an_office_that_does_not_sync_prunes_as_before(tmp_path: Path) -> None:
    assert prune_once(office_with_events(tmp_path / "office.db", acked=None)) == [7, 8]
