"""``motcua serve`` with ``[sync]`` runs the sync worker itself: one command, one unit, one log.

A real office server process (tests/support/live_server) ships to a real
``motcua hub serve`` on the module's throwaway PostgreSQL; the worker is a
real child process, killed with -9 to see it come back, and the server is
stopped (and killed) to see it go.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
import requests

from tests.support.hub_harness import HubProcess, alive, hub_command, wait_for
from tests.support.live_server import LiveServer, bench_config, prepare_server

pytestmark = pytest.mark.e2e

CODE = "XA-TANPHU"


def children(pid: int) -> list[int]:
    """The processes ``pid`` started (of any of its threads: the worker is started by a supervisor thread)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(child) for child in text]
    return found


def syncing_server(tmp_path: Path, hub: HubProcess, token: str) -> LiveServer:
    """The sample office with ``[sync]`` pointed at the hub, the token in a file beside the database."""
    token_file = tmp_path / "hub-token"
    token_file.write_text(token + "\n", encoding="utf-8")
    config = bench_config(tmp_path)
    config.write_text(config.read_text(encoding="utf-8") + f'\n[sync]\nhub_url = "{hub.url}"\noffice_code = "{CODE}"\n'
                      f'token_file = "{token_file}"\ninterval_seconds = 0.2\nmax_backoff_seconds = 0.4\n',
                      encoding="utf-8")
    return prepare_server(tmp_path, config)


def server_pid(server: LiveServer) -> int:
    assert server.process is not None
    return server.process.pid


def server_log(server: LiveServer) -> str:
    assert server.log_path is not None
    return server.log_path.read_text(encoding="utf-8")


def hub_events_ack(hub: HubProcess) -> int:
    from queue_server.hub import store

    with store.connect(hub.dsn) as conn:
        office = store.office(conn, CODE)
    return office.events_ack if office else 0


def issue_ticket(server: LiveServer) -> None:
    answer = requests.post(server.url + "/api/tickets", json={"service": "HT"}, timeout=10,
                           headers={"Authorization": f"Bearer {server.tokens['kiosk']}",
                                    "Idempotency-Key": os.urandom(8).hex()})
    assert answer.status_code == 201, answer.text


def last_event(server: LiveServer) -> int:
    import sqlite3

    conn = sqlite3.connect(server.db)
    try:
        return int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0])
    finally:
        conn.close()


def health_sync(server: LiveServer) -> dict:
    return requests.get(server.url + "/api/health", timeout=5).json().get("sync")


def test_serve_ships_to_the_hub_and_its_worker_comes_back_after_a_kill_and_goes_with_the_server(
        hub: HubProcess, tmp_path: Path) -> None:
    token = hub_command(hub.dsn, "office", "add", CODE, "--name", "Xã Tân Phú").strip()
    server = syncing_server(tmp_path, hub, token).start()
    try:
        pid = server_pid(server)
        (worker,) = wait_for(lambda: children(pid))
        issue_ticket(server)
        wait_for(lambda: hub_events_ack(hub) == last_event(server) > 0)
        wait_for(lambda: (health_sync(server) or {}).get("events_not_shipped") == 0)
        sync = health_sync(server)
        assert sync["worker"] == "running" and sync["last_ack_at"] and sync["changes_not_shipped"] == 0

        os.kill(worker, signal.SIGKILL)
        (again,) = wait_for(lambda: [child for child in children(pid) if child != worker])
        issue_ticket(server)
        wait_for(lambda: hub_events_ack(hub) == last_event(server))
        log = server_log(server)
        assert "the sync worker ended (exit status -9); starting it again" in log
        assert log.count(f"sync: motcua: syncing to {hub.url} as {CODE}") == 2

        server.stop()  # SIGINT, as systemd and Ctrl-C do
        assert server.process is not None and server.process.returncode == 0
        wait_for(lambda: not alive(again), seconds=5)
    finally:
        server.stop()


def test_a_cut_link_is_logged_once_and_its_end_once(hub: HubProcess, tmp_path: Path) -> None:
    token = hub_command(hub.dsn, "office", "add", CODE, "--name", "Xã Tân Phú").strip()
    server = syncing_server(tmp_path, hub, token).start()
    try:
        issue_ticket(server)
        wait_for(lambda: hub_events_ack(hub) == last_event(server) > 0)
        hub.stop()
        issue_ticket(server)
        time.sleep(3)  # back-off capped at 0.4 s: several failed attempts
        wait_for(lambda: (health_sync(server) or {}).get("events_not_shipped", 0) > 0)
        hub.start()
        wait_for(lambda: hub_events_ack(hub) == last_event(server))
        wait_for(lambda: "the hub answers again" in server_log(server))
        log = server_log(server)
        assert log.count("cannot ship to the hub") == 1, log
        assert log.count("the hub answers again") == 1
    finally:
        server.stop()


def test_a_worker_whose_server_was_killed_stops_too(hub: HubProcess, tmp_path: Path) -> None:
    token = hub_command(hub.dsn, "office", "add", CODE, "--name", "Xã Tân Phú").strip()
    server = syncing_server(tmp_path, hub, token).start()
    pid = server_pid(server)
    (worker,) = wait_for(lambda: children(pid))
    server.kill(signal.SIGKILL)
    wait_for(lambda: not alive(worker), seconds=15)


def test_an_office_without_sync_runs_no_worker(tmp_path: Path) -> None:
    server = prepare_server(tmp_path, bench_config(tmp_path)).start()
    try:
        time.sleep(0.5)
        assert children(server_pid(server)) == []
        assert requests.get(server.url + "/api/health", timeout=5).json() == {"status": "ok"}
    finally:
        server.stop()
