"""A database made by an earlier release opens, migrates and numbers on with today's code.

``tests/fixtures/db_3d787f9.sql`` is a dump of a database made by the code as
landed at commit 3d787f9 (``motcua init``, three tickets on 03/12/2026, one
served and rated). An office that upgrades keeps its history and its day's
numbering.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from queue_server.config import SAMPLE_OFFICE, load_config
from queue_server.engine import QueueEngine
from queue_server.store.db import connect
from queue_server.store.schema import apply_migrations
from queue_server.web.app import create_app
from tests.support.clock import FakeClock

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "db_3d787f9.sql"
SAME_DAY = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội, the fixture's service day


def _old_database(tmp_path: Path) -> Path:
    path = tmp_path / "motcua.db"
    conn = sqlite3.connect(path)
    conn.executescript(FIXTURE.read_text(encoding="utf-8"))
    conn.close()
    return path


def test_an_old_database_migrates_and_keeps_its_history(tmp_path: Path) -> None:
    path = _old_database(tmp_path)
    with connect(path) as db:
        apply_migrations(db)
        apply_migrations(db)  # a second start changes nothing
        tickets = db.conn.execute("SELECT number, status FROM tickets ORDER BY id").fetchall()
        ratings = db.conn.execute("SELECT overall FROM ratings").fetchall()
        assert db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert tickets == [("A001", "done"), ("A002", "waiting"), ("A003", "waiting")]
    assert ratings == [("satisfied",)]


def test_a_server_on_an_old_database_serves_its_waiting_tickets_and_numbers_on(tmp_path: Path) -> None:
    path = _old_database(tmp_path)
    with connect(path) as db:
        apply_migrations(db)
        device_token = "upgrade-test-kiosk-token"
        from queue_server import auth

        device = db.conn.execute("SELECT id FROM devices WHERE name = 'kiosk-1'").fetchone()[0]
        db.conn.execute("INSERT INTO tokens (token_hash, kind, subject_id, created_at) VALUES (?, 'device', ?, ?)",
                        (auth.hash_token(device_token), device, SAME_DAY.isoformat()))
    config = load_config(SAMPLE_OFFICE)
    engine = QueueEngine(config, path, clock=FakeClock(SAME_DAY)).start()
    try:
        client = create_app(config, path, engine=engine).test_client()
        services = {s["code"]: s for s in client.get("/api/services").get_json()["services"]}
        assert services["HT"]["waiting"] == 2
        answer = client.post("/api/tickets", json={"service": "HT"},
                             headers={"Authorization": f"Bearer {device_token}", "Idempotency-Key": "after-upgrade"})
        assert answer.status_code == 201, answer.get_data(as_text=True)
        assert answer.get_json()["ticket"]["number"] == "A004"
    finally:
        engine.stop()
