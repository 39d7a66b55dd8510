"""A lobby to look at: a server in this process on loopback, filled like a busy morning, for both boards' layout tests.

``lobby_server(folder, config)`` serves an office file (the commune's 5
counters or the province's 17) on a fresh database with an admin and a kiosk;
``busy_morning(lobby)`` takes tickets for every field and calls one at every
counter but two: one paused with a long reason, one closed. The boards are
then as full as they get, which is what the layout rules must survive.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from queue_server.client import QueueClient, new_idempotency_key
from tests.support.live_server import ADMIN_PASSWORD, COMMUNE

PROVINCE = COMMUNE.parent / "province.toml"
TICKETS_PER_MINUTE = 28  # under the sample offices' kiosk limit (30 a minute), so filling never waits
LONG_PAUSE_REASON = "Họp giao ban đầu tuần với lãnh đạo Trung tâm"


@dataclass
class Lobby:
    """A served office: its URL, an admin's and a kiosk's client, the office's counters and fields."""

    url: str
    admin: QueueClient
    kiosk: QueueClient
    counters: list[int] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    counter_services: dict[int, list[str]] = field(default_factory=dict)
    app: Any = None


@contextmanager
def lobby_server(folder: Path, config: Path = COMMUNE) -> Iterator[Lobby]:
    """The Flask app on a fresh database, on a free loopback port (werkzeug, threaded)."""
    from werkzeug.serving import make_server

    from queue_server import auth
    from queue_server.config import load_config
    from queue_server.store.db import connect
    from queue_server.store.schema import apply_migrations
    from queue_server.web.app import create_app

    db_path = folder / "lobby.db"
    db = connect(db_path)
    apply_migrations(db)
    auth.add_user(db.conn, "admin", ADMIN_PASSWORD, "admin", [])
    kiosk_token = auth.add_device(db.conn, "kiosk-1", "kiosk")
    db.close()
    office_config = load_config(config)
    app = create_app(office_config, db_path)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    server.daemon_threads = True  # type: ignore[attr-defined]  # threaded=True makes a ThreadingMixIn server
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    admin = QueueClient(url)
    admin.login("admin", ADMIN_PASSWORD)
    office = office_config.office
    try:
        yield Lobby(url, admin, QueueClient(url, kiosk_token), [c.number for c in office.counters],
                    [s.code for s in office.services],
                    {c.number: list(c.services) for c in office.counters}, app)
    finally:
        app.extensions["motcua.engine"].broker.close()
        server.shutdown()
        app.extensions["motcua.engine"].stop()


def province_copy(folder: Path, replacements: dict[str, str] | None = None) -> Path:
    """The province's office file in ``folder`` (its media still the originals), with two screens of all 17 counters.

    ``tat-ca-ngang`` (landscape) and ``tat-ca-doc`` (portrait): the most a board is asked to hold.
    """
    text = PROVINCE.read_text(encoding="utf-8")
    assert text.count("[office]\n") == 1
    text = text.replace("[office]\n", f"[office]\nfiles_dir = {json.dumps(str(PROVINCE.parent))}\n")
    for old, new in (replacements or {}).items():
        assert old in text, f"{old!r} is not in the province's file any more"
        text = text.replace(old, new)
    every = ", ".join(str(n) for n in range(1, 18))
    for name, orientation in (("tat-ca-ngang", "landscape"), ("tat-ca-doc", "portrait")):
        text += (f'\n[[display.screens]]\nname = "{name}"\ntitle = "Tất cả các quầy"\ncounters = [{every}]\n'
                 f'orientation = "{orientation}"\n')
    path = folder / "province.toml"
    path.write_text(text, encoding="utf-8")
    return path


def busy_morning(lobby: Lobby) -> None:
    """Tickets for every field, a call at every counter but the last two: one paused, one closed."""
    *calling, paused, closed = lobby.counters
    tickets = [lobby.counter_services[number][0] for number in calling]
    tickets += lobby.services[:TICKETS_PER_MINUTE - len(tickets)]  # some left waiting in every field we can
    for service in tickets:
        lobby.kiosk.issue_ticket(service, idempotency_key=new_idempotency_key())
    for number in calling:
        lobby.admin.counter_action(number, "call-next")
    lobby.admin.counter_action(paused, "pause", {"reason": LONG_PAUSE_REASON})
    lobby.admin.counter_action(closed, "close")
