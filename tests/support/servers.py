"""The server tests' office: a template database of people and devices, the in-process app, real servers.

Making users costs a scrypt hash each (~0.14 s) and the CLI a process each
(~0.9 s), so the people, devices and session tokens are made once per run in
a template database; every test gets its own copy (fixtures in
tests/support/fixtures_server.py). The CLI itself is tested in
tests/server/test_cli.py.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from queue_server import auth
from queue_server.config import OfficeConfig, load_config
from queue_server.engine import QueueEngine
from queue_server.store.db import connect
from queue_server.store.schema import apply_migrations
from tests.support.clock import FakeClock
from tests.support.live_server import ADMIN_PASSWORD, CLERK_PASSWORD, COMMUNE, LiveServer, free_port

RAISED_LIMIT = {"tickets_per_minute_per_device = 30": "tickets_per_minute_per_device = 100000"}
"""Office-file replacement for load tests: the per-device ticket rate limit out of the way."""


def counting_tokens() -> Callable[[], str]:
    """Predictable status tokens (tok1, tok2…) so whole ticket bodies can be asserted."""
    count = iter(range(1, 10**9))
    return lambda: f"tok{next(count)}"


@dataclass
class OfficeDb:
    """A database file with clerks quay1…quay5, admin, kiosk/display/rating devices and sessions."""

    path: Path
    tokens: dict[str, str] = field(default_factory=dict)

    def connect(self) -> sqlite3.Connection:
        """A plain sqlite3 connection (close it)."""
        return connect(self.path).conn


def build_office_db(path: Path, config_path: Path = COMMUNE) -> OfficeDb:
    """People, devices and ready session tokens for every person (the template)."""
    office = load_config(config_path).office
    db = connect(path)
    apply_migrations(db)
    made = OfficeDb(path)
    conn = db.conn
    for counter in office.counters:
        auth.add_user(conn, f"quay{counter.number}", CLERK_PASSWORD, "clerk", [counter.number])
    auth.add_user(conn, "admin", ADMIN_PASSWORD, "admin", [])
    for role in ("kiosk", "display", "rating"):
        made.tokens[role] = auth.add_device(conn, f"{role}-1", role)
    made.tokens["kiosk2"] = auth.add_device(conn, "kiosk-2", "kiosk")
    for person_id, name in conn.execute("SELECT id, username FROM users").fetchall():
        person = auth.person_by_id(conn, person_id)
        assert person is not None
        made.tokens[name], _ = auth.open_session(conn, person, hours=12)
    db.close()
    return made


def copy_office(template: OfficeDb, folder: Path) -> OfficeDb:
    """A private copy of the template database."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "motcua.db"
    shutil.copyfile(template.path, target)
    return OfficeDb(target, dict(template.tokens))


def office_config(folder: Path, replacements: dict[str, str] | None = None, name: str = "office.toml") -> Path:
    """A copy of the sample office file with some lines replaced (each must exist).

    ``files_dir`` keeps the copy's catalogue, holidays and media pointing at the originals.
    """
    text = COMMUNE.read_text(encoding="utf-8")
    assert text.count("[office]\n") == 1
    text = text.replace("[office]\n", f"[office]\nfiles_dir = {json.dumps(str(COMMUNE.parent))}\n")
    for old, new in (replacements or {}).items():
        assert old in text, f"{old!r} is not in the sample office any more"
        text = text.replace(old, new)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@dataclass
class InProcess:
    """A Flask app on a temp database with a fake-clock engine, and its test client."""

    app: Any
    client: Any
    engine: QueueEngine
    clock: FakeClock
    db: OfficeDb
    config: OfficeConfig

    def auth(self, who: str) -> dict[str, str]:
        """The Authorization header of a person or device (``kiosk``, ``quay1``, ``admin``…)."""
        return {"Authorization": f"Bearer {self.db.tokens[who]}"}


def issue(api: InProcess, service: str = "HT", key: str = "k", who: str = "kiosk", **extra: Any) -> Any:
    """POST /api/tickets with an Idempotency-Key."""
    return api.client.post("/api/tickets", json={"service": service, **extra},
                           headers={**api.auth(who), "Idempotency-Key": key})


def act(api: InProcess, counter: int, action: str, body: Any = None, who: str | None = None) -> Any:
    """A clerk action at a counter (by that counter's clerk unless ``who`` is given)."""
    return api.client.post(f"/api/counters/{counter}/{action}", json=body,
                           headers=api.auth(who or f"quay{counter}"))


class ServerPool:
    """Real ``motcua serve`` processes on copies of the template, stopped (and their logs checked) together."""

    def __init__(self, template: OfficeDb, make_folder: Callable[[], Path]) -> None:
        self.template, self.make_folder = template, make_folder
        self.started: list[LiveServer] = []

    def start(self, replacements: dict[str, str] | None = None) -> LiveServer:
        """A new server on its own copy of the template, with some office-file lines replaced."""
        folder = self.make_folder()
        db = copy_office(self.template, folder)
        server = LiveServer(db=db.path, config=office_config(folder, replacements), port=free_port(), tokens=db.tokens)
        self.started.append(server)
        return server.start(timeout=60)  # a busy 2-core machine can take longer than the default 15 s

    def stop_all(self) -> None:
        """Stop every server, then fail if any of them logged a traceback."""
        for server in self.started:
            server.stop()
        for server in self.started:
            log = server.log_path.read_text(encoding="utf-8", errors="replace") if server.log_path else ""
            assert "Traceback" not in log, f"the server logged an error:\n{log[-3000:]}"
