"""Fixtures of the appointments tests: the in-process app, served over HTTP, and a phone-sized browser.

The office template and ``make_app`` come from tests/support/fixtures_server.py.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.browser import headless_chromium
from tests.support.servers import InProcess


@pytest.fixture
def app(make_app: Callable[..., InProcess]) -> InProcess:
    """The sample office (its result-return service at counter 5) in process, on a fake clock at Monday 08:00."""
    return make_app()


@pytest.fixture(scope="module")
def phone() -> Iterator[object]:
    """A headless Chromium the size of a phone (390×844)."""
    with headless_chromium("390,844") as driver:
        yield driver


@dataclass
class ServedApp:
    """An in-process app (fake clock) served over real HTTP by waitress in a thread."""

    app: InProcess
    url: str
    server: object


@pytest.fixture
def served(make_app: Callable[..., InProcess]) -> Iterator[Callable[..., ServedApp]]:
    """``served(replacements, max_streams=…)``: serve an in-process app on a free loopback port."""
    from waitress.server import create_server

    from queue_server.web.app import create_app
    from tests.support.live_server import free_port

    running: list[Any] = []

    def start(replacements: dict[str, str] | None = None, max_streams: int = 50) -> ServedApp:
        made = make_app(replacements)
        app = create_app(made.config, made.db.path, engine=made.engine, max_streams=max_streams)
        port = free_port()
        # poll(), not select(): a socket closed by the teardown below while the loop waits is then
        # reported to the loop (POLLNVAL) instead of failing its select() with EBADF in its thread.
        # Any: the fixture pins the engine and the loop thread on the server (and reads waitress' socket map).
        server: Any = create_server(app, host="127.0.0.1", port=port, threads=8, asyncore_use_poll=True)
        server.application_engine = made.engine
        server.loop_thread = threading.Thread(target=server.run, daemon=True)
        server.loop_thread.start()
        running.append(server)
        return ServedApp(InProcess(app, app.test_client(), made.engine, made.clock, made.db, made.config),
                         f"http://127.0.0.1:{port}", server)

    yield start
    for server in running:
        server.application_engine.broker.close()  # end open streams before the sockets go
        server.close()
        for channel in list(server._map.values()):  # keep-alive connections left by the browser
            channel.close()
        server.loop_thread.join(timeout=5)  # the loop ends once its map is empty
