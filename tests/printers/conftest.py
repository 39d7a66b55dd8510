"""Fixtures of the printer tests (the ticket builder is tests/support/ticket_print.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT_DIR = PROJECT_ROOT / "out" / "printers"
"""Generated layout snapshots, to look at (git-ignored)."""


@pytest.fixture(scope="session")
def logo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A colour emblem with transparency, like an office's logo file."""
    image = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 290, 290), fill=(200, 20, 20, 255))
    draw.regular_polygon((150, 150, 100), 5, rotation=90, fill=(250, 210, 0, 255))
    path = tmp_path_factory.mktemp("logo") / "logo.png"
    image.save(path)
    return path


@pytest.fixture(scope="session")
def snapshot_dir() -> Path:
    SNAPSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SNAPSHOT_DIR


@dataclass
class OfficeServer:
    """The real queue server app on loopback, in this process, with one kiosk device."""

    url: str
    kiosk_token: str
    db_path: Path

    def device_status(self) -> dict[str, Any]:
        """What the server recorded about the kiosk's parts."""
        import json
        import sqlite3

        with sqlite3.connect(self.db_path) as conn:
            row = conn.execute("SELECT status FROM devices WHERE role = 'kiosk'").fetchone()
        return json.loads(row[0]) if row and row[0] else {}


@pytest.fixture(scope="session")
def office_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OfficeServer]:
    """The sample commune's server (Flask app + engine) served by werkzeug in a thread.

    Much faster than tests/support/live_server (no subprocesses, no password hashing),
    and still real HTTP for requests to talk to.
    """
    from werkzeug.serving import make_server

    from queue_server import auth
    from queue_server.config import load_config
    from queue_server.store.db import connect
    from queue_server.store.schema import apply_migrations
    from queue_server.web.app import create_app

    db_path = tmp_path_factory.mktemp("office") / "motcua.db"
    db = connect(db_path)
    apply_migrations(db)
    token = auth.add_device(db.conn, "kiosk-1", "kiosk")
    db.close()
    app = create_app(load_config(PROJECT_ROOT / "config" / "commune.toml"), db_path)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield OfficeServer(f"http://127.0.0.1:{server.server_port}", token, db_path)
    finally:
        server.shutdown()
        server.server_close()
        app.extensions["motcua.engine"].stop()


@pytest.fixture(scope="session", autouse=True)
def warm_printing() -> None:
    """Imports and fonts loaded once, as a kiosk does at start: deadlines then measure printing."""
    from printers import warm_up

    warm_up(58)
    warm_up(80)


@pytest.fixture(autouse=True)
def forget_mute_printers() -> Iterator[None]:
    """Each test starts with no printer known to be mute (fake printers reuse loopback ports)."""
    from printers.job import mute_printers

    mute_printers.clear()
    yield
    mute_printers.clear()
