"""Fixtures of the display tests: a ready office database (made once), a real server on it, a browser."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import headless_chromium
from tests.support.live_server import CLERK_PASSWORD, COMMUNE, LiveServer, serving_copy


@pytest.fixture(scope="session")
def display_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with clerks quay1–quay3, a kiosk and a display device (scrypt is slow: once per run)."""
    from queue_server import auth
    from queue_server.store.db import connect
    from queue_server.store.schema import apply_migrations

    path = tmp_path_factory.mktemp("display-template") / "template.db"
    db = connect(path)
    apply_migrations(db)
    for counter in (1, 2, 3):
        auth.add_user(db.conn, f"quay{counter}", CLERK_PASSWORD, "clerk", [counter])
    for role in ("kiosk", "display"):
        path.with_suffix(f".{role}").write_text(auth.add_device(db.conn, f"{role}-1", role))
    db.close()
    return path


@pytest.fixture
def live_server(display_template: Path, tmp_path: Path) -> Iterator[LiveServer]:
    """A real ``motcua serve`` process on a copy of the template database."""
    with serving_copy(display_template, tmp_path / "motcua.db") as server:
        yield server


@pytest.fixture
def board_app(display_template: Path, tmp_path: Path):
    """The Flask app in this process on a copy of the template database, served on loopback."""
    from werkzeug.serving import ThreadedWSGIServer, make_server

    from queue_server.config import load_config
    from queue_server.web.app import create_app

    db_path = tmp_path / "motcua.db"
    shutil.copyfile(display_template, db_path)
    app: Any = create_app(load_config(COMMUNE), db_path)  # the tests read the url and tokens pinned on it
    server = make_server("127.0.0.1", 0, app, threaded=True)
    assert isinstance(server, ThreadedWSGIServer)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.url = f"http://127.0.0.1:{server.server_port}"
    app.tokens = {role: display_template.with_suffix(f".{role}").read_text() for role in ("kiosk", "display")}
    try:
        yield app
    finally:
        app.extensions["motcua.engine"].broker.close()
        server.shutdown()
        app.extensions["motcua.engine"].stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the display tests."""
    with headless_chromium("1920,1080") as driver:
        yield driver


@pytest.fixture(scope="session")
def clock_lobby_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Clerks of counters 1 and 5, an admin, a kiosk and a display, for ``clock_lobby`` (made once per run)."""
    from tests.support.clock_lobby import template_db

    return template_db(tmp_path_factory.mktemp("clock-lobby"))


@pytest.fixture
def lobby(clock_lobby_template: Path, tmp_path: Path) -> Iterator[Any]:
    """The commune on the tests' FakeClock behind a relay the test can cut; calls flash for 2 s (issue 14.1, 14.2)."""
    from tests.support.clock_lobby import clock_lobby, copy_db
    from tests.support.servers import office_config

    config = office_config(tmp_path, {"flash_seconds = 8": "flash_seconds = 2"})
    with clock_lobby(copy_db(clock_lobby_template, tmp_path), config) as served:
        yield served
