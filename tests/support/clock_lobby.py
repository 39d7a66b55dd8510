"""A lobby whose server runs on the test's FakeClock, behind a relay the test can cut: for the boards' recall,
replay and notice tests (issue 14.1, 14.2) and their bench.

The Flask app and its engine (clock injected) serve loopback in this process;
boards (headless Chromium or ``motcua display`` in a subprocess) reach it
through ``CutProxy``; clerks, the kiosk and the admin talk to it directly, so
the queue moves on while a board is cut off.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from queue_server.client import QueueClient, new_idempotency_key
from tests.support.clock import FakeClock
from tests.support.cut_proxy import CutProxy, cut_proxy
from tests.support.live_server import ADMIN_PASSWORD, CLERK_PASSWORD, COMMUNE

CLERK_COUNTERS = (1, 5)  # Hộ tịch (A…) and Văn hóa (D…) in the sample commune


@dataclass
class ClockLobby:
    """The served office: the board's address (through the relay), the direct one, its clock and its people."""

    url: str
    direct_url: str
    clock: FakeClock
    proxy: CutProxy
    kiosk: QueueClient
    admin: QueueClient
    clerks: dict[int, QueueClient]
    display_token: str
    app: object

    def take(self, service: str) -> str:
        """A ticket from the kiosk; its number."""
        return self.kiosk.issue_ticket(service, idempotency_key=new_idempotency_key())["number"]

    def act(self, counter: int, action: str) -> dict[str, Any] | None:
        """A clerk's action at a counter."""
        return self.clerks[counter].counter_action(counter, action)


def make_people(db_path: Path) -> tuple[str, str]:
    """Clerks of CLERK_COUNTERS, an admin, a kiosk and a display on a new database; the two device tokens."""
    from queue_server import auth
    from queue_server.store.db import connect
    from queue_server.store.schema import apply_migrations

    db = connect(db_path)
    apply_migrations(db)
    for counter in CLERK_COUNTERS:
        auth.add_user(db.conn, f"quay{counter}", CLERK_PASSWORD, "clerk", [counter])
    auth.add_user(db.conn, "admin", ADMIN_PASSWORD, "admin", [])
    tokens = auth.add_device(db.conn, "kiosk-1", "kiosk"), auth.add_device(db.conn, "display-1", "display")
    db.close()
    return tokens


@contextmanager
def clock_lobby(db_path: Path, config: Path = COMMUNE, clock: FakeClock | None = None) -> Iterator[ClockLobby]:
    """Serve ``db_path`` (made by ``make_people``, or a copy) with the engine on ``clock``."""
    from werkzeug.serving import make_server

    from queue_server.config import load_config
    from queue_server.engine import QueueEngine
    from queue_server.web.app import create_app

    kiosk_token, display_token = (db_path.with_suffix(f".{role}").read_text() for role in ("kiosk", "display"))
    clock = clock or FakeClock()
    office = load_config(config)
    engine = QueueEngine(office, db_path, clock=clock).start()
    app = create_app(office, db_path, engine=engine)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    server.daemon_threads = True  # type: ignore[attr-defined]  # a ThreadedWSGIServer
    threading.Thread(target=server.serve_forever, daemon=True).start()
    direct = f"http://127.0.0.1:{server.server_port}"
    try:
        with cut_proxy(server.server_port) as proxy:
            clerks = {}
            for counter in CLERK_COUNTERS:
                clerks[counter] = QueueClient(direct)
                clerks[counter].login(f"quay{counter}", CLERK_PASSWORD)
            admin = QueueClient(direct)
            admin.login("admin", ADMIN_PASSWORD)
            yield ClockLobby(proxy.url, direct, clock, proxy, QueueClient(direct, kiosk_token), admin, clerks,
                             display_token, app)
    finally:
        engine.broker.close()
        server.shutdown()
        engine.stop()


def copy_db(template: Path, folder: Path) -> Path:
    """A test's own copy of a ``template_db`` with its token files."""
    import shutil

    path = folder / template.name
    shutil.copyfile(template, path)
    for suffix in (".kiosk", ".display"):
        shutil.copyfile(template.with_suffix(suffix), path.with_suffix(suffix))
    return path


def template_db(folder: Path) -> Path:
    """A database with the people, and its device tokens beside it (``.kiosk``, ``.display``)."""
    path = folder / "lobby.db"
    kiosk, display = make_people(path)
    path.with_suffix(".kiosk").write_text(kiosk)
    path.with_suffix(".display").write_text(display)
    return path
