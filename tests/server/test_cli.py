"""The server's ``motcua`` commands: user add, device add, init, and one server per database.

``main()`` runs in-process where only its exit status and messages matter;
``serve`` runs as a real process.
"""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

from queue_server import auth
from queue_server.cli import main
from tests.support.live_server import COMMUNE, PROJECT, free_port
from tests.support.servers import OfficeDb


@pytest.fixture
def motcua(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, office_db: OfficeDb):
    """Run ``motcua ARGS`` in-process on this test's database: (status, stdout, stderr)."""
    def run(*args: str, stdin: str = "", db: Path | None = None) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        capsys.readouterr()
        status = main([*args, "--config", str(COMMUNE), "--db", str(db or office_db.path)])
        out, err = capsys.readouterr()
        return status, out, err
    return run


def users(db: OfficeDb) -> list[str]:
    with db.connect() as conn:
        return [row[0] for row in conn.execute("SELECT username FROM users ORDER BY id")]


def test_user_add_refuses_a_short_password(motcua, office_db: OfficeDb) -> None:
    before = users(office_db)
    assert motcua("user", "add", "lan", "--role", "clerk", "--counter", "1", "--password-stdin", stdin="1234567\n") == (
        1, "", "motcua: Password must have at least 8 characters.\n")
    assert users(office_db) == before


def test_user_add_refuses_an_unknown_counter(motcua, office_db: OfficeDb) -> None:
    before = users(office_db)
    assert motcua("user", "add", "lan", "--role", "clerk", "--counter", "9", "--password-stdin",
                  stdin="mat-khau-dai\n") == (1, "", f"motcua: no counter 9 in {COMMUNE}; counters: 1, 2, 3, 4, 5\n")
    assert users(office_db) == before


def test_user_add_refuses_a_clerk_without_counter_and_a_second_user_of_one_name(motcua) -> None:
    assert motcua("user", "add", "lan", "--role", "clerk", "--password-stdin", stdin="mat-khau-dai\n") == (
        1, "", "motcua: A clerk needs at least one --counter.\n")
    assert motcua("user", "add", "QUAY1", "--role", "clerk", "--counter", "1", "--password-stdin",
                  stdin="mat-khau-dai\n") == (1, "", "motcua: User 'quay1' already exists.\n")


def test_user_add_stores_a_person_who_can_sign_in(motcua, office_db: OfficeDb) -> None:
    assert motcua("user", "add", "Lan", "--role", "clerk", "--counter", "1", "--counter", "2", "--password-stdin",
                  stdin="mật khẩu dài\n") == (0, "Added clerk lan\n", "")
    with office_db.connect() as conn:
        person = auth.check_password(conn, "lan", "mật khẩu dài")
        assert person is not None and (person.role, person.counters) == ("clerk", (1, 2))
        assert auth.check_password(conn, "lan", "mật khẩu dà") is None


def test_device_add_prints_a_token_once_that_works(motcua, office_db: OfficeDb) -> None:
    status, out, err = motcua("device", "add", "kiosk-sảnh", "--role", "kiosk")
    assert status == 0
    token = out.strip()
    assert out == token + "\n" and token.startswith("dev_") and len(token) > 40
    assert "not shown again" in err
    with office_db.connect() as conn:
        principal = auth.resolve_token(conn, token)
        assert principal is not None
        assert (principal.kind, principal.name, principal.role) == ("device", "kiosk-sảnh", "kiosk")
        assert token not in repr(conn.execute("SELECT * FROM tokens").fetchall())
    # The name is taken: a second add makes no second token.
    assert motcua("device", "add", "kiosk-sảnh", "--role", "kiosk") == (
        1, "", "motcua: Device 'kiosk-sảnh' already exists.\n")


def test_init_creates_a_database_that_is_ready(motcua, tmp_path: Path) -> None:
    db = tmp_path / "new" / "motcua.db"
    status, out, _ = motcua("init", db=db)
    assert status == 0 and out.startswith(f"Database ready: {db}")
    with sqlite3.connect(db) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"tickets", "counters", "events", "idempotency_keys", "users", "devices", "tokens"} <= tables
    assert motcua("init", db=db)[0] == 0  # running it again only migrates


def test_a_second_server_on_the_same_database_is_refused(shared_server, monkeypatch, capsys) -> None:
    server = shared_server
    second = subprocess.run(
        [sys.executable, "-m", "queue_server.cli", "serve", "--port", str(free_port())],
        capture_output=True, text=True, cwd=PROJECT, timeout=60,
        env={**os.environ, "MOTCUA_DB": str(server.db), "MOTCUA_CONFIG": str(server.config)},
    )
    assert second.returncode == 1
    assert second.stderr == f"motcua: another motcua server already uses {server.db}; stop it first\n"
    assert requests.get(server.url + "/api/health", timeout=5).json() == {"status": "ok"}
    # A device added while the server runs works at once.
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["device", "add", "kiosk-moi", "--role", "kiosk", "--db", str(server.db)]) == 0
    token = capsys.readouterr().out.strip()
    answer = requests.post(server.url + "/api/tickets", json={"service": "HT"}, timeout=5,
                           headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex})
    assert answer.status_code == 201


def test_serve_on_a_port_in_use_says_so_in_one_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "queue_server.cli", "serve", "--port", str(port),
                               "--config", str(COMMUNE), "--db", str(tmp_path / "x.db")],
                              capture_output=True, text=True, cwd=PROJECT, timeout=60)
    assert done.returncode == 1
    assert done.stderr == (f"motcua: cannot listen on 127.0.0.1:{port} (Address already in use); "
                           "stop what uses it or pass another --port\n")
