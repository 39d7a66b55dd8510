"""Fixtures shared by the server, appointments and other suites (loaded by tests/conftest.py's pytest_plugins).

``api``/``make_app`` give the in-process app on a copy of the office
template; ``start_server``/``shared_server`` give real ``motcua serve``
processes. Test modules import helpers from tests.support.servers, never
from a conftest.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.clock import FakeClock

if TYPE_CHECKING:  # the server is imported when a test asks for it: the printer or core tests never load it
    from queue_server.engine import QueueEngine
    from tests.support.live_server import LiveServer
    from tests.support.servers import InProcess, OfficeDb

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
    from tests.support.servers import build_office_db

    return build_office_db(scratch("template") / "template.db")


@pytest.fixture
def office_db(office_template: OfficeDb, scratch: Callable[[str], Path]) -> OfficeDb:
    """This test's own office database."""
    from tests.support.servers import copy_office

    return copy_office(office_template, scratch("db"))


@pytest.fixture
def make_app(office_db: OfficeDb, tmp_path: Path) -> Iterator[Callable[..., InProcess]]:
    """Build the in-process app, optionally with replaced office-file lines."""
    from queue_server.config import load_config
    from queue_server.engine import QueueEngine
    from queue_server.web.app import create_app
    from tests.support.servers import InProcess, counting_tokens, office_config

    engines: list[QueueEngine] = []

    def build(replacements: dict[str, str] | None = None, **app_options: Any) -> InProcess:
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


@pytest.fixture
def start_server(office_template: OfficeDb, scratch: Callable[[str], Path]) -> Iterator[Callable[..., LiveServer]]:
    """Start real servers for one test: ``start_server(replacements)``; stopped after it."""
    from tests.support.servers import ServerPool

    pool = ServerPool(office_template, lambda: scratch("live"))
    yield pool.start
    pool.stop_all()


@pytest.fixture
def start_server_on_disk(office_template: OfficeDb, tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    """Like ``start_server``, with the database on the disk (fsync for real)."""
    count = iter(range(100))
    from tests.support.servers import ServerPool

    pool = ServerPool(office_template, lambda: tmp_path / f"live{next(count)}")
    yield pool.start
    pool.stop_all()


@pytest.fixture(scope="session")
def shared_server(office_template: OfficeDb, scratch: Callable[[str], Path]) -> Iterator[LiveServer]:
    """One real server with the sample office (rate limit raised for load tests) for the whole run.

    Tests that share it work on their own services and counters, or compare
    with what the database held before them.
    """
    from tests.support.servers import RAISED_LIMIT, ServerPool

    pool = ServerPool(office_template, lambda: scratch("shared"))
    yield pool.start(RAISED_LIMIT)
    pool.stop_all()
