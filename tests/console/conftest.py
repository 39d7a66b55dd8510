"""Fixtures of the console tests: an in-process app for the pages, a headless Chromium for the rest."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from queue_server import auth
from queue_server.catalog.store import ensure_sample_catalog
from queue_server.config import load_config
from queue_server.engine import QueueEngine
from queue_server.store.db import connect
from queue_server.store.schema import apply_migrations
from queue_server.web.app import create_app
from tests.support.browser import headless_chromium
from tests.support.clock import FakeClock
from tests.support.console import Console
from tests.support.live_server import ADMIN_PASSWORD, CLERK_PASSWORD, COMMUNE, LiveServer, free_port


@pytest.fixture(scope="session")
def console_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the sample catalogue, clerks quay1 and quay2, an admin and a kiosk, made once (scrypt
    is slow)."""
    path = tmp_path_factory.mktemp("console-template") / "template.db"
    db = connect(path)
    apply_migrations(db)
    ensure_sample_catalog(db, load_config(COMMUNE))  # as `motcua init` does: the console names procedures
    for counter in (1, 2):
        auth.add_user(db.conn, f"quay{counter}", CLERK_PASSWORD, "clerk", [counter])
    auth.add_user(db.conn, "admin", ADMIN_PASSWORD, "admin", [])
    token = auth.add_device(db.conn, "kiosk-1", "kiosk")
    db.close()
    path.with_suffix(".kiosk").write_text(token)
    return path


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
