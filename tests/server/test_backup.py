"""``motcua backup`` / ``restore``: a checked copy taken while kiosks issue, and a server that numbers on from it."""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests

from queue_server.cli import main
from queue_server.store.backup import (
    BackupError,
    backup_database,
    check_database,
    prune_backups,
    restore_database,
)
from tests.support.live_server import motcua, prepare_server
from tests.support.servers import InProcess, issue

NOW = datetime(2026, 12, 2, 17, 45, tzinfo=timezone(timedelta(hours=7)))


def _numbers(path: Path) -> set[tuple[str, str, int]]:
    conn = sqlite3.connect(path)
    try:
        return set(conn.execute("SELECT service, day, number FROM tickets"))
    finally:
        conn.close()


def test_a_backup_holds_every_committed_ticket_and_is_checked(api: InProcess, tmp_path: Path) -> None:
    for key in range(5):
        assert issue(api, "HT", f"k{key}").status_code == 201
    path = backup_database(api.db.path, tmp_path / "backups", NOW, keep=3)
    assert path.name == "motcua-2026-12-02T174500.db"
    check_database(path)
    assert len(_numbers(path)) == 5 and _numbers(path) == _numbers(api.db.path)
    assert not list((tmp_path / "backups").glob("*.partial"))


def test_only_the_newest_backups_are_kept_and_nothing_else_is_touched(api: InProcess, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "ghi-chu.txt").write_text("the office's own file")
    made = [backup_database(api.db.path, folder, NOW + timedelta(days=day), keep=3) for day in range(5)]
    assert sorted(folder.iterdir()) == sorted([*made[2:], folder / "ghi-chu.txt"])
    assert prune_backups(folder, 1) == made[2:4]


@pytest.mark.parametrize("content", [b"", b"not a database at all" * 100])
def test_a_file_that_is_not_a_sound_database_is_refused(tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(content)
    with pytest.raises(BackupError):
        check_database(bad)
    db = tmp_path / "motcua.db"
    db.write_bytes(b"keep me")
    with pytest.raises(BackupError):
        restore_database(bad, db, NOW)
    assert db.read_bytes() == b"keep me"


def test_restore_puts_the_backup_in_place_and_keeps_the_replaced_file(api: InProcess, tmp_path: Path) -> None:
    issue(api, "HT", "before")
    backup = backup_database(api.db.path, tmp_path / "b", NOW, keep=2)
    target = tmp_path / "office" / "motcua.db"
    target.parent.mkdir()
    target.write_bytes(b"the old file")
    kept = restore_database(backup, target, NOW)
    assert kept is not None and kept.read_bytes() == b"the old file"
    assert _numbers(target) == _numbers(backup)


@pytest.mark.e2e
def test_a_backup_taken_while_kiosks_issue_lets_a_server_number_on(tmp_path: Path) -> None:
    live = prepare_server(tmp_path / "office").start()
    acknowledged: list[tuple[float, tuple[str, str, int]]] = []
    stop = threading.Event()

    def kiosk() -> None:
        with requests.Session() as session:
            while not stop.is_set() and len(acknowledged) < 2000:
                answer = session.post(live.url + "/api/tickets", json={"service": "HT"}, timeout=10, headers={
                    "Authorization": f"Bearer {live.tokens['kiosk']}", "Idempotency-Key": str(uuid.uuid4())})
                if answer.status_code == 201:
                    ticket = answer.json()["ticket"]
                    acknowledged.append((time.monotonic(), ("HT", ticket["issued_at"][:10], ticket["number"])))

    threads = [threading.Thread(target=kiosk) for _ in range(4)]
    try:
        for thread in threads:
            thread.start()
        while len(acknowledged) < 20:  # the kiosk may issue 30 a minute
            time.sleep(0.02)
        began = time.monotonic()
        out = motcua("backup", str(tmp_path / "backups"), db=live.db, config=live.config)
        backup = Path(out.strip().splitlines()[-1])
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        stop.set()
        live.stop()
    in_backup = _numbers(backup)
    before = {number for at, number in acknowledged if at < began}
    assert before and before <= in_backup
    # The backup becomes the office's database: a server on it numbers on, never repeating a number.
    assert "kept as" in motcua("restore", str(backup), db=live.db, config=live.config)
    again = live.start()
    try:
        answer = requests.post(again.url + "/api/tickets", json={"service": "HT"}, timeout=10, headers={
            "Authorization": f"Bearer {again.tokens['kiosk']}", "Idempotency-Key": str(uuid.uuid4())})
        assert answer.status_code == 201
        ticket = answer.json()["ticket"]
        assert ("HT", ticket["issued_at"][:10], ticket["number"]) not in in_backup | {n for _, n in acknowledged}
    finally:
        again.stop()


@pytest.mark.e2e
def test_restore_is_refused_while_a_server_runs(tmp_path: Path, capsys) -> None:
    live = prepare_server(tmp_path / "office").start()
    try:
        backup = Path(motcua("backup", str(tmp_path / "backups"), db=live.db, config=live.config).splitlines()[-1])
        before = live.db.read_bytes()
        assert main(["restore", str(backup), "--db", str(live.db), "--config", str(live.config)]) == 1
        assert "another motcua server" in capsys.readouterr().err
        assert live.db.read_bytes() == before
    finally:
        live.stop()
