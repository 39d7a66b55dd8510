"""The office's small tables at a real hub: sent whole when changed, never overwritten by a replay; dossiers in the
hub's report; another database's or an older copy's history refused (issue 16).

The offices, the hub process and PostgreSQL are those of test_hub_sync.py (its fixtures).
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from typing import Any

import pytest
import requests

from tests.support.hub_harness import PERIOD, HubProcess, Office, hub_summary, serve_some

pytestmark = pytest.mark.e2e

TANPHU = ("XA-TANPHU", "Trung tâm Phục vụ hành chính công xã Tân Phú")


def hub_records(dsn: str, code: str) -> dict[str, Any]:
    """Kind → data the hub holds of an office."""
    from queue_server.hub import store

    with store.connect(dsn) as conn:
        return dict(conn.execute("SELECT kind, data FROM hub_office_records WHERE office = %s", (code,)).fetchall())


def write(office: Office, sql: str, *params: Any) -> None:
    """One write on the office's database (as its admin pages would make it)."""
    conn = office.api.db.connect()
    try:
        conn.execute(sql, params)
        conn.commit()
    finally:
        conn.close()


def import_dossiers(office: Office) -> None:
    """A provincial export: dossiers received in the simulated week, settled, late and early (all due before TODAY)."""
    from queue_server.reports.dossiers import Dossier
    from queue_server.reports.store import save_dossiers

    dossiers = [Dossier("H01.1", date(2026, 2, 23), "HT", date(2026, 2, 25), date(2026, 2, 24), online=True),
                Dossier("H01.2", date(2026, 2, 24), "HT", date(2026, 2, 26), date(2026, 2, 27)),
                Dossier("H01.3", date(2026, 2, 25), "VP", date(2026, 2, 27)),
                Dossier("H01.4", date(2026, 1, 5), "VP", date(2026, 1, 9), date(2026, 1, 8))]
    conn = office.api.db.connect()
    try:
        save_dossiers(conn, dossiers, "2026-03-01T02:00:00+00:00")
        conn.commit()
    finally:
        conn.close()


def test_each_kind_reaches_the_hub_and_goes_again_only_when_it_changed(hub: HubProcess, make_office) -> None:
    from queue_server.hub import office_records

    office = make_office(*TANPHU, seed=11)
    office.syncer.clock = office.api.clock
    serve_some(office.api, 2, "k")
    write(office, "INSERT INTO booking_blocks (service, day, reason, created_at, created_by) "
                  "VALUES ('HT', '2026-03-05', 'Họp giao ban', '2026-03-02T01:00:00+00:00', 'admin')")
    office.syncer.catch_up()
    held = hub_records(hub.dsn, office.code)
    assert sorted(held) == sorted(office_records.KINDS)
    assert held["booking_blocks"]["booking_blocks"]["rows"][0][5:] == ["2026-03-02T01:00:00+00:00", "admin"]
    assert all(set(person) == {"username", "full_name", "role", "counters", "active"} for person in held["people"])
    assert "password_hash" not in str(held["people"]) and "pbkdf2" not in str(held["people"])
    opened = [c["number"] for c in held["counters_today"]["counters"] if c["open"]]
    assert opened == [1]  # counter 1 served today's tickets
    assert [d["name"] for d in held["devices"]] == [d["name"] for d in office_records.devices(office.syncer.conn)]

    def kinds_due() -> list[str]:
        return [r.kind for r in office_records.outgoing(office.syncer.conn, office.syncer.office_settings,
                                                        office.api.clock()) if r.send]

    assert kinds_due() == []  # nothing changed: nothing is read again or sent
    write(office, "INSERT INTO office_days (day, kind, name, created_at, created_by) "
                  "VALUES ('2026-03-06', 'closed', 'Mất điện cả ngày', '2026-03-02T01:00:00+00:00', 'admin')")
    assert kinds_due() == ["office_days"]
    office.syncer.send_once()
    assert hub_records(hub.dsn, office.code)["office_days"]["office_days"]["rows"] == [
        ["2026-03-06", "closed", "Mất điện cả ngày", "2026-03-02T01:00:00+00:00", "admin"]]
    assert kinds_due() == []
    office.api.clock.advance(minutes=5)
    assert kinds_due() == ["devices"]  # the hub hears of the devices at least every 5 minutes


def test_a_replayed_batch_never_brings_back_an_older_snapshot(hub: HubProcess, make_office) -> None:
    from queue_server.hub.sync import build_batch
    from queue_server.hub.wire import gzip_json

    office = make_office(*TANPHU, seed=11)
    office.syncer.clock = office.api.clock
    write(office, "UPDATE users SET full_name = 'Nguyễn Văn A' WHERE username = 'admin'")
    office.syncer.catch_up()
    old, _, _ = build_batch(office.syncer.conn, office.code, office.syncer.office_settings, 10, 10)
    old["records"] = {"people": {"seq": 1, "at": "2026-03-02T01:00:00+00:00",
                                 "data": [{"username": "admin", "full_name": "Tên cũ", "role": "admin",
                                           "counters": [], "active": True}]}}
    office.api.clock.advance(minutes=1)
    write(office, "UPDATE users SET full_name = 'Nguyễn Văn Bình' WHERE username = 'admin'")
    office.syncer.send_once()
    newest = hub_records(hub.dsn, office.code)["people"]
    assert {p["username"]: p["full_name"] for p in newest}["admin"] == "Nguyễn Văn Bình"
    headers = {"Authorization": f"Bearer {office.token}", "Content-Encoding": "gzip",
               "Content-Type": "application/json"}
    again = requests.post(f"{hub.url}/api/hub/batches", data=gzip_json(old), headers=headers, timeout=30)
    assert again.status_code == 200, again.text
    assert hub_records(hub.dsn, office.code)["people"] == newest


def test_the_hubs_summary_equals_the_offices_own_with_imported_dossiers(hub: HubProcess, make_office) -> None:
    office = make_office(*TANPHU, seed=11)
    import_dossiers(office)
    write(office, "UPDATE users SET full_name = 'Trần Thị Mai' WHERE username IN "
                  "(SELECT username FROM users WHERE role = 'clerk' ORDER BY username LIMIT 1)")
    serve_some(office.api, 3, "k")
    office.syncer.catch_up()
    mine = office.summary(PERIOD)
    assert mine["dossiers"] is not None and mine["dossiers"] == hub_summary(hub, office, PERIOD)["dossiers"]
    assert hub_summary(hub, office, PERIOD) == mine
    january = {"from": "2026-01-01", "to": "2026-01-31"}
    assert hub_summary(hub, office, january) == office.summary(january)
    before = {"from": "2025-12-01", "to": "2025-12-31"}  # no dossier received then: zeros, not "no import"
    assert hub_summary(hub, office, before)["dossiers"] == office.summary(before)["dossiers"] is not None


def post_raw(hub: HubProcess, office: Office, batch: dict[str, Any]) -> requests.Response:
    from queue_server.hub.wire import gzip_json

    return requests.post(f"{hub.url}/api/hub/batches", data=gzip_json(batch), timeout=30,
                         headers={"Authorization": f"Bearer {office.token}", "Content-Encoding": "gzip",
                                  "Content-Type": "application/json"})


def test_another_database_under_the_same_token_is_refused_and_nothing_written(hub: HubProcess, make_office,
                                                                              tmp_path) -> None:
    from queue_server.hub.sync import Syncer, SyncFailed

    office = make_office(*TANPHU, seed=11)
    serve_some(office.api, 2, "k")
    office.syncer.catch_up()
    other = make_office("XA-PHUOCAN", "Trung tâm Phục vụ hành chính công xã Phước An", seed=22)
    serve_some(other.api, 2, "p")
    # The second database ships under the first office's token (a new PC set up with motcua init, not a restore).
    wrong = Syncer(office.syncer.settings, other.api.db.path, other.syncer.office_settings)
    try:
        with pytest.raises(SyncFailed) as refused:
            wrong.catch_up()
    finally:
        wrong.close()
    assert refused.value.status == 409 and refused.value.code == "sync_history_mismatch"
    assert "motcua restore --from-hub" in str(refused.value)
    from tests.support.hub_harness import hub_rows

    ids, _, _ = hub_rows(hub.dsn, office.code)
    assert ids == list(range(1, office.local_count("SELECT MAX(id) FROM events") + 1))


def test_an_office_back_from_an_older_local_copy_is_refused_until_restored_from_the_hub(
        hub: HubProcess, make_office, tmp_path) -> None:
    from queue_server.hub.sync import Syncer, SyncFailed, build_batch

    office = make_office(*TANPHU, seed=11, batch_events=5)
    serve_some(office.api, 1, "a")
    office.syncer.catch_up()
    backup = tmp_path / "backup.db"
    source, copy = sqlite3.connect(office.api.db.path), sqlite3.connect(backup)
    source.backup(copy)  # what motcua backup keeps: this history up to here
    source.close()
    copy.close()
    serve_some(office.api, 3, "b")
    office.syncer.catch_up()  # the hub holds more than the backup
    restored_db = tmp_path / "new-disk.db"
    shutil.copy(backup, restored_db)  # the disk is replaced and the local backup put back
    restored = Syncer(office.syncer.settings, restored_db, office.syncer.office_settings)
    try:
        behind, _, _ = build_batch(restored.conn, office.code, restored.office_settings, 5, 5)
        answer = post_raw(hub, office, behind)  # fewer events than the hub holds
        assert answer.status_code == 409 and answer.json()["error"]["code"] == "sync_history_mismatch"
        assert "motcua restore --from-hub" in answer.json()["error"]["message"]
        conn = restored.conn
        for n in range(30):  # new events after the backup reuse the ids the hub holds, with other content
            conn.execute("INSERT INTO events (at, type, ticket_id, counter, actor, data) VALUES (?, 'note', NULL, "
                         "NULL, 'admin', ?)", (f"2026-03-03T0{n % 10}:00:00+00:00", f'{{"n": {n}}}'))
        with pytest.raises(SyncFailed) as refused:
            restored.catch_up()
        assert refused.value.code == "sync_history_mismatch"
    finally:
        restored.close()
