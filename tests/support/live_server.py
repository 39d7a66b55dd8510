"""Start a real ``motcua serve`` process on a free loopback port with a temp database.

Used by every end-to-end test (API, console in Chromium, kiosk, display):
the server runs exactly as in production, in its own process, so tests can
also kill it (-9) and start it again on the same database.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

PROJECT = Path(__file__).resolve().parents[2]
COMMUNE = PROJECT / "config" / "commune.toml"
CLERK_PASSWORD = "mat-khau-quay"
ADMIN_PASSWORD = "mat-khau-admin"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def motcua(*args: str, db: Path, config: Path = COMMUNE, stdin: str | None = None) -> str:
    """Run a motcua command to completion and return its standard output."""
    env = {**os.environ, "MOTCUA_DB": str(db), "MOTCUA_CONFIG": str(config)}
    done = subprocess.run([sys.executable, "-m", "queue_server.cli", *args], input=stdin, capture_output=True,
                          text=True, env=env, cwd=PROJECT, timeout=60)
    if done.returncode != 0:
        raise RuntimeError(f"motcua {' '.join(args)} failed: {done.stderr}")
    return done.stdout


@dataclass
class LiveServer:
    """A running server and the people and devices made for it."""

    db: Path
    config: Path
    port: int
    tokens: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 15.0) -> LiveServer:
        """Start (or restart) the server and wait until it answers."""
        env = {**os.environ, "MOTCUA_DB": str(self.db), "MOTCUA_CONFIG": str(self.config)}
        self.log_path = self.db.with_suffix(".log")
        with open(self.log_path, "ab") as log:  # the child keeps its own copy of the handle
            self.process = subprocess.Popen(
                [sys.executable, "-m", "queue_server.cli", "serve", "--port", str(self.port)],
                env=env, cwd=PROJECT, stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text(errors='replace')[-2000:]}")
            try:
                if requests.get(self.url + "/api/health", timeout=0.5).ok:
                    return self
            except requests.RequestException:
                time.sleep(0.05)
        raise RuntimeError("server did not answer in time")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Stop the process abruptly (default) or politely (SIGTERM/SIGINT)."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """Stop politely, then for sure."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.kill()

    def login(self, username: str, password: str = CLERK_PASSWORD) -> str:
        """A bearer token for a person."""
        answer = requests.post(self.url + "/api/login", json={"username": username, "password": password}, timeout=5)
        answer.raise_for_status()
        return answer.json()["token"]


def prepare_server(tmp_path: Path, config: Path = COMMUNE) -> LiveServer:
    """A database with one clerk per counter (quay1…), an admin, and kiosk/display/rating devices."""
    from queue_server.config import load_config

    db = tmp_path / "motcua.db"
    motcua("init", db=db, config=config)
    office = load_config(config).office
    for counter in office.counters:
        motcua("user", "add", f"quay{counter.number}", "--role", "clerk", "--counter", str(counter.number),
               "--password-stdin", db=db, config=config, stdin=CLERK_PASSWORD + "\n")
    motcua("user", "add", "admin", "--role", "admin", "--password-stdin", db=db, config=config,
           stdin=ADMIN_PASSWORD + "\n")
    server = LiveServer(db=db, config=config, port=free_port())
    for role in ("kiosk", "display", "rating"):
        server.tokens[role] = motcua("device", "add", f"{role}-1", "--role", role, db=db, config=config).strip()
    return server


BENCH_TICKETS_PER_MINUTE = 100_000_000
"""A bench is one very fast kiosk: the per-device ticket limit (30 a minute) would be all it measures."""


def bench_config(folder: Path) -> Path:
    """The sample office with the per-device ticket limit lifted, written to ``folder/bench.toml`` for prepare_server.

    ``files_dir`` keeps the copy's catalogue, holidays and media pointing at the originals.
    """
    text = COMMUNE.read_text(encoding="utf-8")
    limit = "tickets_per_minute_per_device = 30"
    if text.count(limit) != 1 or text.count("[office]\n") != 1:
        raise RuntimeError(f"{COMMUNE} no longer has one [office] and one '{limit}': update bench_config")
    text = text.replace(limit, f"tickets_per_minute_per_device = {BENCH_TICKETS_PER_MINUTE}")
    text = text.replace("[office]\n", f"[office]\nfiles_dir = {json.dumps(str(COMMUNE.parent))}\n")
    path = folder / "bench.toml"
    path.write_text(text, encoding="utf-8")
    return path


@contextmanager
def serving_copy(template: Path, db_path: Path, admin: bool = False) -> Iterator[LiveServer]:
    """A real server on a copy of a template database whose device tokens sit beside it (``.kiosk``, ``.display``).

    ``admin`` adds the admin (password ADMIN_PASSWORD) to the copy only, for the tests that confirm pairings.
    """
    from queue_server import auth
    from queue_server.store.db import connect

    shutil.copyfile(template, db_path)
    if admin:
        db = connect(db_path)
        auth.add_user(db.conn, "admin", ADMIN_PASSWORD, "admin", [])
        db.close()
    tokens = {role: template.with_suffix(f".{role}").read_text() for role in ("kiosk", "display")}
    server = LiveServer(db=db_path, config=COMMUNE, port=free_port(), tokens=tokens).start(timeout=60)
    try:
        yield server
    finally:
        server.stop()
