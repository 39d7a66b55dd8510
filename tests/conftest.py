"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.live_server import prepare_server

# Shared fixtures come from plugin modules, so no test module ever imports a conftest.
pytest_plugins = ["tests.support.fixtures_server"]

# Kivy must never parse pytest's arguments nor write to the user's home.
os.environ.setdefault("KIVY_NO_ARGS", "1")
PROJECT = Path(__file__).resolve().parent.parent
os.environ.setdefault("KIVY_HOME", str(PROJECT / ".kivy"))
os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", str(PROJECT / ".cache" / "escpos"))
Path(os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"]).mkdir(parents=True, exist_ok=True)


@pytest.fixture
def live_server(tmp_path: Path):
    """A real queue server process on loopback with the sample commune office."""
    server = prepare_server(tmp_path).start()
    try:
        yield server
    finally:
        server.stop()
