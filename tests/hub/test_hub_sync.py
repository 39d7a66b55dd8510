"""Offices ship their history to a real province hub on a real PostgreSQL; the hub reports what they report.

Each test gets a fresh hub database on the module's throwaway cluster and a
real ``motcua hub serve`` process on loopback (so the link can be cut by
stopping it); the offices are real databases filled by the simulator and by
the office's own API on a FakeClock, and ship with the real sync worker.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.support.hub_harness import (
    PERIOD,
    TODAY,
    HubProcess,
    Office,
    count_rows,
    hub_command,
    hub_rows,
    hub_summary,
    issue_some,
    serve_some,
    serve_waiting,
)
from tests.support.live_server import PROJECT
from tests.support.servers import office_config

pytestmark = pytest.mark.e2e

def test_the_hubs_summary_of_each_office_equals_the_offices_own(hub: HubProcess, make_office) -> None:
    offices = [make_office("XA-TANPHU", "Trung tâm Phục vụ hành chính công xã Tân Phú", seed=11),
               make_office("XA-PHUOCAN", "Trung tâm Phục vụ hành chính công xã Phước An", seed=22)]
    for office in offices:
        issue_some(office.api, 4, office.code)
        assert office.syncer.catch_up() >= 1
        # Four waiting today (a period of its own: the office caches a period's summary for a few seconds).
        today = {"from": TODAY.isoformat(), "to": TODAY.isoformat()}
        assert hub_summary(hub, office, today) == office.summary(today)
        serve_waiting(office.api, 4)  # the same tickets change: the hub's copies must follow
        assert office.syncer.catch_up() >= 1
    one_day = {"from": "2026-02-25", "to": "2026-02-25"}
    for office in offices:
        mine = office.summary(PERIOD)
        assert mine["tickets"]["issued"] > 50 and mine["satisfaction"]["ratings"] > 0  # a real few days
        assert hub_summary(hub, office, PERIOD) == mine
        assert hub_summary(hub, office, one_day) == office.summary(one_day)
    first, second = (hub_summary(hub, office, PERIOD) for office in offices)
    assert first["office"] != second["office"] and first["tickets"] != second["tickets"]


def test_a_cut_link_catches_up_with_every_event_once(hub: HubProcess, make_office) -> None:
    office = make_office("XA-TANPHU", "Trung tâm Phục vụ hành chính công xã Tân Phú", seed=11,
                         interval_seconds=0.05, max_backoff_seconds=0.2, batch_events=40, batch_changes=30)
    serve_some(office.api, 3, "before")
    office.syncer.catch_up()
    hub.stop()
    for day in range(5):  # a week of the office offline: five working days of tickets
        office.api.clock.advance(days=1)
        serve_some(office.api, 6, f"day{day}")
    stop = threading.Event()
    worker = threading.Thread(target=office.syncer.run, args=(stop,), daemon=True)
    worker.start()
    time.sleep(0.5)  # the worker fails and backs off while the hub is down
    assert office.syncer.failures > 0
    hub.start()
    local_events = office.local_count("SELECT MAX(id) FROM events")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and hub_rows(hub.dsn, office.code)[0][-1:] != [local_events]:
        time.sleep(0.1)
    stop.set()
    worker.join(timeout=10)
    ids, tickets, ratings = hub_rows(hub.dsn, office.code)
    assert ids == list(range(1, local_events + 1))  # contiguous, nothing twice, nothing missing
    assert tickets == office.local_count("SELECT COUNT(*) FROM tickets")
    assert ratings == office.local_count("SELECT COUNT(*) FROM ratings")
    assert hub_summary(hub, office, PERIOD | {"to": "2026-03-07"}) == office.summary(PERIOD | {"to": "2026-03-07"})


def test_a_replayed_batch_changes_nothing(hub: HubProcess, make_office) -> None:
    from queue_server.hub.sync import build_batch
    from queue_server.hub.wire import gzip_json

    office = make_office("XA-TANPHU", "Trung tâm Phục vụ hành chính công xã Tân Phú", seed=11)
    serve_some(office.api, 3, "k")
    conn = office.syncer.conn
    conn.execute("DELETE FROM sync_acks")  # the office forgot the ack (a crash before storing it)
    batch, events, changes = build_batch(conn, office.code, office.syncer.office_settings, 100_000, 100_000)
    assert events > 0 and changes > 0
    first = office.syncer.send_once()
    before = hub_rows(hub.dsn, office.code)
    headers = {"Authorization": f"Bearer {office.token}", "Content-Encoding": "gzip",
               "Content-Type": "application/json"}
    again = requests.post(f"{hub.url}/api/hub/batches", data=gzip_json(batch), headers=headers, timeout=30)
    assert again.status_code == 200
    assert again.json() == {"office": office.code, "events_ack": first.events_ack, "changes_ack": first.changes_ack,
                            "records": []}  # its records went with the first send (none built into this batch)
    assert hub_rows(hub.dsn, office.code) == before
    assert before[0] == list(range(1, first.events_ack + 1))


def test_a_batch_starting_after_the_hubs_ack_is_refused_and_the_worker_rewinds(hub: HubProcess, make_office) -> None:
    office = make_office("XA-TANPHU", "Trung tâm Phục vụ hành chính công xã Tân Phú", seed=11)
    serve_some(office.api, 2, "k")
    conn = office.syncer.conn
    conn.execute("INSERT OR REPLACE INTO sync_acks (stream, acked, at) VALUES ('events', 5, 'x'), ('changes', 3, 'x')")
    headers = {"Authorization": f"Bearer {office.token}"}
    gap = requests.post(f"{hub.url}/api/hub/batches", headers=headers, timeout=10,
                        json={"office": office.code, "events": {"after": 5, "last": 5, "rows": []}})
    assert gap.status_code == 409 and gap.json()["error"]["code"] == "sync_gap"
    office.syncer.catch_up()  # asks GET /api/hub/ack, starts again from 0
    ids, _, _ = hub_rows(hub.dsn, office.code)
    assert ids == list(range(1, office.local_count("SELECT MAX(id) FROM events") + 1))


def test_an_unknown_or_revoked_office_writes_nothing(hub: HubProcess, make_office) -> None:
    from queue_server.hub.sync import build_batch
    from queue_server.hub.wire import gzip_json

    office = make_office("XA-TANPHU", "Trung tâm Phục vụ hành chính công xã Tân Phú", seed=11)
    batch, _, _ = build_batch(office.syncer.conn, office.code, office.syncer.office_settings, 1000, 1000)
    body = gzip_json(batch)
    gzip_headers = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
    unknown = requests.post(f"{hub.url}/api/hub/batches", data=body, timeout=10,
                            headers={**gzip_headers, "Authorization": "Bearer not-a-token"})
    assert unknown.status_code == 401
    assert unknown.json()["error"]["code"] == "invalid_token"
    assert requests.post(f"{hub.url}/api/hub/batches", data=body, headers=gzip_headers, timeout=10).status_code == 401
    hub_command(hub.dsn, "office", "revoke", office.code)
    revoked = requests.post(f"{hub.url}/api/hub/batches", data=body, timeout=10,
                            headers={**gzip_headers, "Authorization": f"Bearer {office.token}"})
    assert revoked.status_code == 403
    assert revoked.json() == {"error": {"code": "office_revoked",
                                        "message": "Mã truy cập của đơn vị đã bị thu hồi; xin cấp mã mới."}}
    assert hub_rows(hub.dsn, office.code) == ([], 0, 0)
    listing = hub_command(hub.dsn, "office", "list")
    assert f"{office.code}\t" in listing and "(revoked)" in listing and "events 0" in listing


def test_the_hub_keeps_only_a_hash_of_each_token_and_partitions_by_month(hub: HubProcess, make_office) -> None:
    from queue_server.hub import store

    office = make_office("XA-TANPHU", "Trung tâm Phục vụ hành chính công xã Tân Phú", seed=11)
    serve_some(office.api, 2, "k")
    office.syncer.catch_up()
    with store.connect(hub.dsn) as conn:
        kept = count_rows(conn, "SELECT token_hash FROM hub_offices")
        partitions = sorted(name for (name,) in conn.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE c.relkind = 'r'"))
    assert office.token not in kept and len(kept) == 64
    # Simulated tickets and ratings of February, today's tickets and events of March (no rating yet today).
    assert partitions == ["events_2026_03", "ratings_2026_02", "tickets_2026_02", "tickets_2026_03"]


def test_a_hub_killed_in_the_middle_of_a_batch_keeps_none_of_it(hub: HubProcess, make_office) -> None:
    from queue_server.hub import store
    from queue_server.hub.sync import SyncFailed

    office = make_office("XA-TANPHU", "Trung tâm Phục vụ hành chính công xã Tân Phú", seed=11)
    issue_some(office.api, 3, "k")
    office.syncer.catch_up()
    acked = hub_rows(hub.dsn, office.code)[0][-1]
    serve_waiting(office.api, 3)  # the next batch: new events, then these tickets' new rows
    with store.connect(hub.dsn) as holder, store.connect(hub.dsn) as watcher:
        holder.execute("BEGIN")
        # Hold one of those tickets: the hub's batch stops there, its events already inserted.
        holder.execute("SELECT 1 FROM tickets WHERE office = %s AND row->>'status' = 'waiting' LIMIT 1 "
                       "FOR UPDATE", (office.code,))
        sending = threading.Thread(target=lambda: pytest.raises(SyncFailed, office.syncer.send_once))
        sending.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and count_rows(
                watcher, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'") == 0:
            time.sleep(0.01)
        assert time.monotonic() < deadline, "the batch never reached the held ticket"
        hub.stop(signal.SIGKILL)
        sending.join(timeout=30)
        holder.execute("ROLLBACK")
        while count_rows(watcher, "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
                                  "AND pid <> pg_backend_pid() AND state <> 'idle'") > 0:
            time.sleep(0.01)  # the killed hub's transaction ends (rolled back) once it has the lock
    ids, _, _ = hub_rows(hub.dsn, office.code)
    assert ids == list(range(1, acked + 1))  # none of the killed batch's events
    hub.start()
    office.syncer.catch_up()
    assert hub_rows(hub.dsn, office.code)[0] == list(range(1, office.local_count("SELECT MAX(id) FROM events") + 1))
    assert hub_summary(hub, office, PERIOD) == office.summary(PERIOD)


def test_motcua_sync_once_ships_until_current_and_says_when_the_hub_is_down(hub: HubProcess, make_office,
                                                                             tmp_path: Path) -> None:
    office = make_office("XA-TANPHU", "Trung tâm Phục vụ hành chính công xã Tân Phú", seed=11)
    serve_some(office.api, 2, "k")
    config = office_config(tmp_path)
    config.write_text(config.read_text(encoding="utf-8")
                      + f'\n[sync]\nhub_url = "{hub.url}"\noffice_code = "{office.code}"\n', encoding="utf-8")

    def sync_once() -> subprocess.CompletedProcess:
        env = {**os.environ, "MOTCUA_HUB_TOKEN": office.token}
        return subprocess.run([sys.executable, "-m", "queue_server.cli", "sync", "--once", "--config", str(config),
                               "--db", str(office.api.db.path)], capture_output=True, text=True, cwd=PROJECT,
                              env=env, timeout=60)

    done = sync_once()
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("hub current after 1 batch")
    assert hub_rows(hub.dsn, office.code)[0] == list(range(1, office.local_count("SELECT MAX(id) FROM events") + 1))
    hub.stop()
    down = sync_once()
    assert down.returncode == 1 and "motcua: sync failed: hub unreachable" in down.stderr


def test_an_office_restored_from_the_hub_has_its_tickets_ratings_and_events_back(hub: HubProcess, make_office,
                                                                                  tmp_path: Path) -> None:
    office = make_office("XA-TANPHU", "Trung tâm Phục vụ hành chính công xã Tân Phú", seed=11)
    serve_some(office.api, 3, "k")
    book(office, [("DL7K2M", "2026-03-04", "2026-03-04T02:00:00+00:00"), ("DL9P4Q", "2026-04-06", None)])
    office.syncer.catch_up()
    book(office, [], cancel="DL7K2M")  # a booking changes after it was shipped
    small_tables(office)
    office.syncer.catch_up()
    config = office_config(tmp_path)
    config.write_text(config.read_text(encoding="utf-8")
                      + f'\n[sync]\nhub_url = "{hub.url}"\noffice_code = "{office.code}"\n', encoding="utf-8")
    new_pc = tmp_path / "new-pc" / "motcua.db"

    def motcua(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "queue_server.cli", *args, "--config", str(config),
                               "--db", str(new_pc)], capture_output=True, text=True, cwd=PROJECT, timeout=60,
                              env={**os.environ, "MOTCUA_HUB_TOKEN": office.token})

    done = motcua("restore", "--from-hub")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Restored {office.local_count('SELECT COUNT(*) FROM events')} events, "
                                  f"{office.local_count('SELECT COUNT(*) FROM tickets')} tickets")
    assert "People have no password" in done.stdout and "Devices are not restored" in done.stdout
    queries = ["SELECT * FROM events ORDER BY id", "SELECT * FROM tickets ORDER BY id",
               "SELECT * FROM ratings ORDER BY id", "SELECT * FROM rating_answers ORDER BY rating_id, kind, code",
               "SELECT * FROM appointments ORDER BY id", "SELECT * FROM catalog_versions ORDER BY version",
               "SELECT * FROM catalog_procedures ORDER BY rowid", "SELECT * FROM catalog_state",
               "SELECT * FROM booking_blocks ORDER BY id", "SELECT * FROM office_days ORDER BY day",
               "SELECT * FROM dossiers ORDER BY code",
               "SELECT username, full_name, role, counters, active FROM users ORDER BY username",
               "SELECT history FROM sync_history"]
    original, restored = office.api.db.connect(), sqlite3.connect(new_pc)
    try:
        for sql in queries:
            assert restored.execute(sql).fetchall() == original.execute(sql).fetchall(), sql
        assert restored.execute("SELECT COUNT(*) FROM ratings").fetchone()[0] > 0
        assert restored.execute("SELECT code, status FROM appointments ORDER BY id").fetchall() == [
            ("DL7K2M", "cancelled"), ("DL9P4Q", "booked")]
        assert restored.execute("SELECT COUNT(*) FROM catalog_procedures").fetchone()[0] > 0
        counted = restored.execute("SELECT COUNT(*) FROM dossiers UNION ALL SELECT COUNT(*) FROM booking_blocks "
                                   "UNION ALL SELECT COUNT(*) FROM office_days").fetchall()
        assert counted == [(2,), (1,), (1,)]
        # People without a password (nobody signs in until an admin sets one), and no device: they pair again.
        no_password = restored.execute("SELECT DISTINCT password_hash, must_change_password FROM users").fetchall()
        assert no_password == [("", 1)]
        assert restored.execute("SELECT COUNT(*) FROM devices").fetchone()[0] == 0
        assert restored.execute("SELECT COUNT(*) FROM users").fetchone()[0] > 0
        # Nothing waits to be shipped again, and the next change numbers on after the hub's acknowledgement.
        assert restored.execute("SELECT COUNT(*) FROM sync_outbox").fetchone()[0] == 0
        acks = dict(restored.execute("SELECT stream, acked FROM sync_acks").fetchall())
        assert acks == dict(original.execute("SELECT stream, acked FROM sync_acks").fetchall())
    finally:
        original.close()
        restored.close()
    before = hub_rows(hub.dsn, office.code)
    assert motcua("sync", "--once").returncode == 0  # the restored office ships nothing it already shipped
    assert hub_rows(hub.dsn, office.code) == before
    again = motcua("restore", "--from-hub")
    assert again.returncode == 1 and "already holds tickets or events" in again.stderr


def small_tables(office: Office) -> None:
    """The catalogue, a booking block, a closed day, two imported dossiers and an officer's full name: records."""
    from queue_server.catalog.store import ensure_sample_catalog, open_database

    db = open_database(office.api.db.path)
    try:
        assert ensure_sample_catalog(db, office.api.config) is not None
    finally:
        db.close()
    conn = office.api.db.connect()
    try:
        conn.execute("INSERT INTO booking_blocks (service, day, reason, created_at, created_by) "
                     "VALUES ('HT', '2026-03-05', 'Họp giao ban', '2026-03-02T01:00:00+00:00', 'admin')")
        conn.execute("INSERT INTO office_days (day, kind, name, created_at, created_by) "
                     "VALUES ('2026-03-06', 'closed', 'Mất điện cả ngày', '2026-03-02T01:00:00+00:00', 'admin')")
        conn.execute("INSERT INTO dossiers (code, field, received_on, due_on, finished_on, online, imported_at) "
                     "VALUES ('H01.1', 'HT', '2026-02-23', '2026-02-25', '2026-02-24', 1, '2026-03-01T02:00:00Z'), "
                     "('H01.2', 'VP', '2026-02-24', '2026-02-27', NULL, 0, '2026-03-01T02:00:00Z')")
        conn.execute("UPDATE users SET full_name = 'Nguyễn Văn A' WHERE username = 'admin'")
        conn.commit()
    finally:
        conn.close()


def book(office: Office, bookings: list[tuple[str, str, str | None]], cancel: str | None = None) -> None:
    """Bookings written as the appointments part stores them (code, day, slot start), or one cancelled."""
    conn = office.api.db.connect()
    try:
        for code, day, slot in bookings:
            conn.execute("INSERT INTO appointments (code, service, day, slot_start, status, phone, created_at) "
                         "VALUES (?, 'HT', ?, ?, 'booked', '0912345678', '2026-03-02T01:00:00+00:00')",
                         (code, day, slot or f"{day}T01:30:00+00:00"))
        if cancel:
            conn.execute("UPDATE appointments SET status = 'cancelled', cancelled_at = '2026-03-02T03:00:00+00:00', "
                         "cancel_reason = 'Công dân báo bận' WHERE code = ?", (cancel,))
    finally:
        conn.close()
