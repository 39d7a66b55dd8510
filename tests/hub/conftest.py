"""Fixtures of the hub tests: one throwaway PostgreSQL cluster per module, a fresh hub database per test."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.clock import FakeClock
from tests.support.hub_harness import FIRST_SIMULATED, TODAY, HubProcess, Office, hub_command
from tests.support.servers import InProcess, OfficeDb, copy_office, counting_tokens, office_config

_databases = itertools.count(1)


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    """A real PostgreSQL (initdb as the postgres user when we are root), deleted at the end of the module."""
    from queue_server.hub.cluster import TempCluster

    started = TempCluster().start()
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def hub_dsn(cluster) -> str:
    """A new empty hub database, migrated."""
    from queue_server.hub import schema, store

    dsn = cluster.create_database(f"hub{next(_databases)}")
    with store.connect(dsn) as conn:
        schema.apply_migrations(conn)
    return dsn


@pytest.fixture
def hub(hub_dsn: str, tmp_path: Path) -> Iterator[HubProcess]:
    served = HubProcess(hub_dsn, tmp_path / "hub.log").start()
    try:
        yield served
    finally:
        served.stop()


@pytest.fixture
def make_office(office_template: OfficeDb, scratch: Callable[[str], Path], hub: HubProcess,
                tmp_path: Path) -> Iterator[Callable[..., Office]]:
    """An office registered at the hub, with simulated days before TODAY and a few tickets of TODAY."""
    from queue_server.config import load_config
    from queue_server.engine import QueueEngine
    from queue_server.hub.sync import Syncer
    from queue_server.hub.sync_settings import SyncSettings, shipped_settings
    from queue_server.reports.simulate import simulate
    from queue_server.web.app import create_app

    made: list[Office] = []

    def build(code: str, name: str, seed: int, **sync_options: Any) -> Office:
        db = copy_office(office_template, scratch(code))
        folder = tmp_path / code
        folder.mkdir()
        config = load_config(office_config(folder, {
            'name = "Trung tâm Phục vụ hành chính công xã Tân Phú"': f'name = "{name}"',
            "tickets_per_minute_per_device = 30": "tickets_per_minute_per_device = 100000",  # a week in seconds
        }))
        conn = db.connect()
        simulate(config, conn, FIRST_SIMULATED, (TODAY - FIRST_SIMULATED).days, seed=seed, workers=1, today=TODAY)
        conn.close()
        clock = FakeClock()
        engine = QueueEngine(config, db.path, clock=clock, new_token=counting_tokens()).start()
        app = create_app(config, db.path, engine=engine)
        api = InProcess(app, app.test_client(), engine, clock, db, config)
        token = hub_command(hub.dsn, "office", "add", code, "--name", name).strip()
        settings = SyncSettings(hub_url=hub.url, office_code=code, token=token, **sync_options)
        office = Office(code, api, token, Syncer(settings, db.path, shipped_settings(config)))
        made.append(office)
        return office

    yield build
    for office in made:
        office.syncer.close()
        office.api.engine.stop()
