"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.live_server import LiveServer, prepare_server

# Kivy must never parse pytest's arguments nor write to the user's home.
os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_HOME", str(Path(__file__).resolve().parent.parent / ".kivy"))
os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", str(Path(__file__).resolve().parent.parent / ".cache" / "escpos"))
Path(os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"]).mkdir(parents=True, exist_ok=True)


@pytest.fixture
def live_server(tmp_path: Path):
    """A real queue server process on loopback with the sample commune office."""
    server = prepare_server(tmp_path).start()
    try:
        yield server
    finally:
        server.stop()
