"""Fixtures of the server tests: an office database made once, copied per test.

Making users costs a scrypt hash each (~0.14 s) and the CLI a process each
(~0.9 s), so the people, devices and session tokens are made once per run in
a template database; every test gets its own copy. The CLI itself is tested
in test_cli.py.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from queue_server import auth
from queue_server.config import OfficeConfig, load_config
from queue_server.engine import QueueEngine
from queue_server.store.db import connect
from queue_server.store.schema import apply_migrations
from queue_server.web.app import create_app
from tests.support.live_server import ADMIN_PASSWORD, CLERK_PASSWORD, COMMUNE, LiveServer, free_port

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


def counting_tokens() -> Callable[[], str]:
    """Predictable status tokens (tok1, tok2…) so whole ticket bodies can be asserted."""
    count = iter(range(1, 10**9))
    return lambda: f"tok{next(count)}"


@dataclass
class OfficeDb:
    """A database file with clerks quay1…quay5, admin, kiosk/display/rating devices and sessions."""

    path: Path
    tokens: dict[str, str] = field(default_factory=dict)

    def connect(self):
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
        made.tokens[name], _ = auth.open_session(conn, person, hours=12)
    db.close()
    return made


RAM_FOLDER = Path("/dev/shm")


@pytest.fixture(scope="session")
def scratch() -> Iterator[Callable[[str], Path]]:
    """New folders for databases, in RAM where the machine has /dev/shm.

    A commit to /tmp's disk costs ~8 ms of fsync here (more while other work
    runs), to RAM ~0.2 ms; what these tests check does not depend on the disk
    (a killed process loses nothing from the page cache). The crash test
    still runs on the disk.
    """
    base = Path(tempfile.mkdtemp(prefix="motcua-tests-", dir=RAM_FOLDER if os.access(RAM_FOLDER, os.W_OK) else None))
    count = iter(range(10**6))
    yield lambda name: Path(tempfile.mkdtemp(prefix=f"{name}{next(count)}-", dir=base))
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def office_template(scratch: Callable[[str], Path]) -> OfficeDb:
    """The sample commune office with its people and devices, made once per run."""
    return build_office_db(scratch("template") / "template.db")


def copy_office(template: OfficeDb, folder: Path) -> OfficeDb:
    """A private copy of the template database."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "motcua.db"
    shutil.copyfile(template.path, target)
    return OfficeDb(target, dict(template.tokens))


@pytest.fixture
def office_db(office_template: OfficeDb, scratch: Callable[[str], Path]) -> OfficeDb:
    """This test's own office database."""
    return copy_office(office_template, scratch("db"))


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

    app: object
    client: object
    engine: QueueEngine
    clock: FakeClock
    db: OfficeDb
    config: OfficeConfig

    def auth(self, who: str) -> dict[str, str]:
        """The Authorization header of a person or device (``kiosk``, ``quay1``, ``admin``…)."""
        return {"Authorization": f"Bearer {self.db.tokens[who]}"}


def issue(api: InProcess, service: str = "HT", key: str = "k", who: str = "kiosk", **extra: Any):
    """POST /api/tickets with an Idempotency-Key."""
    return api.client.post("/api/tickets", json={"service": service, **extra},
                           headers={**api.auth(who), "Idempotency-Key": key})


def act(api: InProcess, counter: int, action: str, body: Any = None, who: str | None = None):
    """A clerk action at a counter (by that counter's clerk unless ``who`` is given)."""
    return api.client.post(f"/api/counters/{counter}/{action}", json=body,
                           headers=api.auth(who or f"quay{counter}"))


@pytest.fixture
def make_app(office_db: OfficeDb, tmp_path: Path) -> Iterator[Callable[..., InProcess]]:
    """Build the in-process app, optionally with replaced office-file lines."""
    engines: list[QueueEngine] = []

    def build(replacements: dict[str, str] | None = None, **app_options) -> InProcess:
        config = load_config(office_config(tmp_path, replacements))
        clock = FakeClock()
        engine = QueueEngine(config, office_db.path, clock=clock, new_token=counting_tokens()).start()
        engines.append(engine)
        app = create_app(config, office_db.path, engine=engine, **app_options)
        return InProcess(app, app.test_client(), engine, clock, office_db, config)

    yield build
    for engine in engines:
        engine.stop()


@pytest.fixture
def api(make_app: Callable[..., InProcess]) -> InProcess:
    """The in-process app with the sample office as shipped."""
    return make_app()


class ServerPool:
    """Real ``motcua serve`` processes on copies of the template, stopped (and their logs checked) together."""

    def __init__(self, template: OfficeDb, make_folder: Callable[[], Path]) -> None:
        self.template, self.make_folder = template, make_folder
        self.started: list[LiveServer] = []

    def start(self, replacements: dict[str, str] | None = None) -> LiveServer:
        folder = self.make_folder()
        db = copy_office(self.template, folder)
        server = LiveServer(db=db.path, config=office_config(folder, replacements), port=free_port(), tokens=db.tokens)
        self.started.append(server)
        return server.start(timeout=60)  # a busy 2-core machine can take longer than the default 15 s

    def stop_all(self) -> None:
        for server in self.started:
            server.stop()
        for server in self.started:
            log = server.log_path.read_text(encoding="utf-8", errors="replace") if server.log_path else ""
            assert "Traceback" not in log, f"the server logged an error:\n{log[-3000:]}"


@pytest.fixture
def start_server(office_template: OfficeDb, scratch: Callable[[str], Path]) -> Iterator[Callable[..., LiveServer]]:
    """Start real servers for one test: ``start_server(replacements)``; stopped after it."""
    pool = ServerPool(office_template, lambda: scratch("live"))
    yield pool.start
    pool.stop_all()


@pytest.fixture
def start_server_on_disk(office_template: OfficeDb, tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    """Like ``start_server``, with the database on the disk (fsync for real)."""
    count = iter(range(100))
    pool = ServerPool(office_template, lambda: tmp_path / f"live{next(count)}")
    yield pool.start
    pool.stop_all()


RAISED_LIMIT = {"tickets_per_minute_per_device = 30": "tickets_per_minute_per_device = 100000"}


@pytest.fixture(scope="session")
def shared_server(office_template: OfficeDb, scratch: Callable[[str], Path]) -> Iterator[LiveServer]:
    """One real server with the sample office (rate limit raised for load tests) for the whole run.

    Tests that share it work on their own services and counters, or compare
    with what the database held before them.
    """
    pool = ServerPool(office_template, lambda: scratch("shared"))
    yield pool.start(RAISED_LIMIT)
    pool.stop_all()


LIVE_FIXTURES = {"shared_server", "start_server", "start_server_on_disk", "server"}
MIDNIGHT_MARGIN_S = 120


@pytest.fixture(autouse=True)
def away_from_local_midnight(request: pytest.FixtureRequest) -> None:
    """Real servers number by the office's real local day (midnight is 17:00 UTC in Hà Nội):
    a test that straddles it would see the numbering restart. Wait it out (at most 2 minutes a day)."""
    if not LIVE_FIXTURES & set(request.fixturenames):
        return
    from zoneinfo import ZoneInfo

    local = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    to_midnight = (local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1) - local).total_seconds()
    if to_midnight < MIDNIGHT_MARGIN_S:
        time.sleep(to_midnight + 2)
