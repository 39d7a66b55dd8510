"""The province hub's test harness: a real ``motcua hub serve`` process, offices that sync to it, and what they hold.

Shared by the hub's tests (tests/hub); the fixtures that build these are in tests/hub/conftest.py.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import requests

from tests.support.live_server import PROJECT, free_port
from tests.support.servers import InProcess, act, issue

TODAY = date(2026, 3, 2)  # the FakeClock's MORNING, office time
FIRST_SIMULATED = date(2026, 2, 23)
PERIOD = {"from": FIRST_SIMULATED.isoformat(), "to": TODAY.isoformat()}


@dataclass
class HubProcess:
    """``motcua hub serve`` on a free port; stop() cuts every office's link, start() brings it back."""

    dsn: str
    log: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> HubProcess:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "queue_server.cli", "hub", "serve", "--dsn", self.dsn, "--port", str(self.port)],
                cwd=PROJECT, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self.log.read_text(errors="replace")[-2000:])
            try:
                if requests.get(self.url + "/api/health", timeout=0.5).ok:
                    return self
            except requests.RequestException:
                time.sleep(0.05)
        raise RuntimeError("the hub did not answer in time")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def hub_command(dsn: str, *args: str) -> str:
    """Run a ``motcua hub`` command to completion; its standard output."""
    done = subprocess.run([sys.executable, "-m", "queue_server.cli", "hub", *args, "--dsn", dsn],
                          capture_output=True, text=True, cwd=PROJECT, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


@dataclass
class Office:
    """One office: its database, its in-process API on a FakeClock, its sync worker."""

    code: str
    api: InProcess
    token: str
    syncer: Any

    def summary(self, period: dict[str, str]) -> Any:
        answer = self.api.client.get("/api/reports/summary", query_string=period, headers=self.api.auth("admin"))
        assert answer.status_code == 200
        return answer.get_json()

    def local_count(self, sql: str) -> int:
        conn = self.api.db.connect()
        try:
            return int(conn.execute(sql).fetchone()[0])
        finally:
            conn.close()


def serve_some(api: InProcess, tickets: int, key: str) -> None:
    """Tickets taken at the kiosk and served at counter 1 (HT), one after another: real events."""
    issue_some(api, tickets, key)
    serve_waiting(api, tickets)


def issue_some(api: InProcess, tickets: int, key: str) -> None:
    """Tickets taken at the kiosk for HT (they wait)."""
    for n in range(tickets):
        assert issue(api, "HT", key=f"{key}-{n}").status_code == 201


def serve_waiting(api: InProcess, tickets: int) -> None:
    """Counter 1 calls and completes that many waiting tickets."""
    for _ in range(tickets):
        api.clock.advance(minutes=3)
        assert act(api, 1, "call-next").status_code == 200
        api.clock.advance(minutes=4)
        assert act(api, 1, "complete").status_code == 200


def hub_summary(hub: HubProcess, office: Office, period: dict[str, str]) -> Any:
    answer = requests.get(f"{hub.url}/api/offices/{office.code}/reports/summary", params=period,
                          headers={"Authorization": f"Bearer {office.token}"}, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def hub_rows(dsn: str, code: str) -> tuple[list[int], int, int]:
    """The office's event ids at the hub (in order), and how many tickets and ratings the hub holds."""
    from queue_server.hub import store

    with store.connect(dsn) as conn:
        ids = store.event_ids(conn, code)
        tickets, ratings = (count_rows(conn, f"SELECT count(*) FROM {table} WHERE office = %s", code)
                            for table in ("tickets", "ratings"))
    return ids, tickets, ratings


def count_rows(conn: Any, sql: str, *params: Any) -> Any:
    """The one value a query answers."""
    row = conn.execute(sql, params).fetchone()
    assert row is not None
    return row[0]


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting for its parent counts as gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def wait_for(what: Callable[[], Any], seconds: float = 20.0) -> Any:
    """``what()`` once it is truthy; fails after ``seconds`` (unlike browser.wait_until, errors are raised)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = what()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"not within {seconds} s: {what}")
