"""Fixtures of the hub tests: one throwaway PostgreSQL cluster per module, a fresh hub database per test."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

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
