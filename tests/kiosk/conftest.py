"""One real server and one kiosk app for the kiosk's end-to-end tests.

Kivy's window exists once per process, so the app is module-scoped and each
test starts from the home screen with settings it may adjust.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import pytest

from tests.support.live_server import COMMUNE, prepare_server

WIDTH, HEIGHT = 1280, 720  # faster to render in software than 1080p; sizes scale with the window


@pytest.fixture(scope="session")
def kiosk_server(tmp_path_factory: pytest.TempPathFactory):
    """A real ``motcua serve`` on loopback with the sample commune office."""
    reuse = os.environ.get("KIOSK_TEST_REUSE_DB")  # a prepared server's folder: faster runs while developing
    if reuse:
        import json

        from tests.support.live_server import LiveServer, free_port

        server = LiveServer(db=Path(reuse) / "motcua.db", config=COMMUNE, port=free_port(),
                            tokens=json.loads((Path(reuse) / "tokens.json").read_text())).start()
    else:
        server = prepare_server(tmp_path_factory.mktemp("kiosk-server")).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def kiosk(kiosk_server, tmp_path_factory: pytest.TempPathFactory):
    """The real kiosk app, headless, driven by touches; a fake TCP 9100 printer behind it."""
    from kivyenv import prepare_kivy

    prepare_kivy(WIDTH, HEIGHT, fullscreen=False)
    from kiosk.app import KioskApp
    from kiosk.driver import Driver
    from kiosk.launch import load_settings
    from kiosk.printing import PackagePrinter
    from kiosk.read_aloud import SilentReader
    from queue_server.client import QueueClient
    from tests.support.fake_printer import FakePrinter

    settings = dataclasses.replace(load_settings(COMMUNE), fullscreen=False, width=WIDTH, height=HEIGHT,
                                   retry_seconds=0.3)
    with FakePrinter() as printer:
        client = QueueClient(kiosk_server.url, kiosk_server.tokens["kiosk"], timeout=2.0)
        app = KioskApp(client, settings, PackagePrinter(printer.uri, timeout_s=5.0), SilentReader())
        driver: Any = Driver(app).start()  # the suite pins its printer and shot folder on it
        driver.fake_printer = printer
        driver.shots = Path(tmp_path_factory.mktemp("kiosk-shots"))
        try:
            yield driver
        finally:
            driver.stop()


@pytest.fixture
def d(kiosk):
    """The kiosk at home, with its normal settings and a working printer."""
    app = kiosk.app
    original_settings, original_printer = app.settings, app.printer
    app.go_home()
    kiosk.at("home")
    yield kiosk
    app.settings, app.printer = original_settings, original_printer
    app.idle.idle_seconds = original_settings.idle_seconds
    app.go_home()
