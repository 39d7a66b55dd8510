"""Fixtures of the console tests: an in-process app for the pages, a headless Chromium for the rest."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import pytest

from queue_server import auth
from queue_server.config import load_config
from queue_server.engine import QueueEngine
from queue_server.store.db import connect
from queue_server.store.schema import apply_migrations
from queue_server.web.app import create_app
from tests.support.browser import headless_chromium
from tests.support.live_server import ADMIN_PASSWORD, CLERK_PASSWORD, COMMUNE, LiveServer, free_port

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session")
def console_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with clerks quay1 and quay2, an admin and a kiosk, made once (scrypt is slow)."""
    path = tmp_path_factory.mktemp("console-template") / "template.db"
    db = connect(path)
    apply_migrations(db)
    for counter in (1, 2):
        auth.add_user(db.conn, f"quay{counter}", CLERK_PASSWORD, "clerk", [counter])
    auth.add_user(db.conn, "admin", ADMIN_PASSWORD, "admin", [])
    token = auth.add_device(db.conn, "kiosk-1", "kiosk")
    db.close()
    path.with_suffix(".kiosk").write_text(token)
    return path


# 08:00 in Hà Nội (UTC+7) on Monday 2 March 2026: an ordinary office morning.
MORNING = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)


class FakeClock:
    """A clock the test moves by hand; the engine calls it for ``now``."""

    def __init__(self, start: datetime = MORNING) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move forward, e.g. ``advance(minutes=5)``."""
        self.now += timedelta(**delta)


@dataclass
class Console:
    """The in-process app, its test client and the kiosk's token."""

    app: object
    client: object
    engine: QueueEngine
    kiosk_token: str
    clock: FakeClock

    def csrf_from(self, path: str = "/console/login") -> str:
        """GET a page and read the CSRF token of its form."""
        page = self.client.get(path)
        found = CSRF_FIELD.search(page.get_data(as_text=True))
        assert found, page.get_data(as_text=True)[:500]
        return found.group(1)

    def sign_in(self, username: str = "quay1", password: str = CLERK_PASSWORD):
        """Sign in through the form; returns the answer."""
        token = self.csrf_from()
        return self.client.post("/console/login", data={"csrf_token": token, "username": username, "password": password})

    def enter(self, username: str = "quay1") -> str:
        """Be signed in as this person without the password check (scrypt is slow); returns the CSRF token."""
        conn = connect(self.app.config["MOTCUA_DB"]).conn
        try:
            person_id = conn.execute("SELECT id FROM users WHERE username = ?", (username,)).fetchone()[0]
            person = auth.person_by_id(conn, person_id)
            sid, _ = auth.open_session(conn, person, 1, channel=auth.COOKIE)
        finally:
            conn.close()
        with self.client.session_transaction() as session:
            session["sid"] = sid
            session["csrf"] = f"csrf-of-{username}"
        return f"csrf-of-{username}"

    def post(self, path: str, body: dict | None = None, csrf: str | None = None):
        """A JSON POST with the session cookie, and the CSRF header when given."""
        headers = {"X-CSRF-Token": csrf} if csrf is not None else {}
        return self.client.post(path, json=body or {}, headers=headers)

    def issue(self, service: str = "HT", key: str = "k1", **body):
        """A ticket from the kiosk."""
        return self.client.post("/api/tickets", json={"service": service, **body},
                                headers={"Authorization": f"Bearer {self.kiosk_token}", "Idempotency-Key": key})


@pytest.fixture
def console(console_template: Path, tmp_path: Path) -> Iterator[Console]:
    """A fresh office database and the Flask app on it."""
    db_path = tmp_path / "motcua.db"
    shutil.copyfile(console_template, db_path)
    config = load_config(COMMUNE)
    clock = FakeClock()
    engine = QueueEngine(config, db_path, clock=clock).start()
    app = create_app(config, db_path, engine=engine)
    try:
        yield Console(app, app.test_client(), engine, console_template.with_suffix(".kiosk").read_text(), clock)
    finally:
        engine.stop()


@pytest.fixture
def live_server(console_template: Path, tmp_path: Path) -> Iterator[LiveServer]:
    """The same real ``motcua serve`` process as tests/conftest.py's, on a copy of the template database.

    Preparing people and devices through the CLI costs ten processes per test
    (tens of seconds on a busy machine); copying a ready database costs nothing.
    """
    db_path = tmp_path / "motcua.db"
    shutil.copyfile(console_template, db_path)
    tokens = {"kiosk": console_template.with_suffix(".kiosk").read_text()}
    server = LiveServer(db=db_path, config=COMMUNE, port=free_port(), tokens=tokens).start()
    try:
        yield server
    finally:
        server.stop()
        log = server.log_path.read_text(encoding="utf-8", errors="replace") if server.log_path else ""
        assert "Traceback" not in log, f"the server logged an error:\n{log[-3000:]}"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the whole run."""
    with headless_chromium("1366,768") as driver:
        yield driver
