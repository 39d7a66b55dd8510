"""``motcua demo --province`` (``./run demo-province``): a province hub and three offices syncing to it, on one machine.

Everything is real and throwaway: a PostgreSQL cluster in a temp folder
(``cluster.TempCluster``: initdb as the ``postgres`` user when we are root),
``motcua hub init`` and ``motcua hub serve``, three offices (two communes and
the provincial centre), each with a few simulated days of history
(``motcua simulate``) and its own ``motcua serve`` with ``[sync]`` pointed at
the hub and a token from ``motcua hub office add``. A small traffic
generator keeps issuing, calling and completing tickets, so the hub's
figures move. Ctrl-C stops the offices (each stops its sync worker), the hub
and PostgreSQL, and deletes both temp folders.

Each child runs in its own session, so a Ctrl-C in the terminal reaches this
process alone and the shutdown goes in order.
"""

from __future__ import annotations

import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests

from ..config import CONFIG_DIR
from .cluster import TempCluster

VIEWER = "so-noi-vu"


@dataclass(frozen=True)
class DemoOffice:
    """One simulated office: its code at the hub, its name, the sample file it starts from, its simulated days."""

    code: str
    name: str
    sample: str
    days: int


OFFICES = (
    DemoOffice("XA-TANPHU", "Trung tâm Phục vụ hành chính công xã Tân Phú", "commune.toml", 5),
    DemoOffice("XA-BINHMINH", "Trung tâm Phục vụ hành chính công xã Bình Minh", "commune.toml", 3),
    DemoOffice("TINH-DONGNAI", "Trung tâm Phục vụ hành chính công tỉnh Đồng Nai", "province.toml", 2),
)


@dataclass
class RunningOffice:
    """An office's server process and what the traffic generator needs to use it."""

    office: DemoOffice
    url: str
    kiosk_token: str
    clerk: tuple[str, str]
    counter: int
    services: list[str]
    process: subprocess.Popen[bytes] | None = None
    session: str | None = field(default=None, repr=False)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _motcua(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> str:
    """Run a motcua command to completion; its standard output (a failure stops the demo with its message)."""
    done = subprocess.run([sys.executable, "-m", "queue_server.cli", *args], input=stdin, capture_output=True,
                          text=True, timeout=300, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"motcua {' '.join(args[:3])} failed: {done.stderr.strip()[-800:]}")
    return done.stdout


def _start(command: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:  # the child keeps its own handle
        return subprocess.Popen([sys.executable, "-m", "queue_server.cli", *command], stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} stopped at start: {log.read_text(errors='replace')[-1500:]}")
        try:
            if requests.get(url + "/api/health", timeout=1).ok:
                return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {seconds:g} s")


def office_file(office: DemoOffice, folder: Path, hub_url: str, token_file: Path) -> Path:
    """The sample office file renamed, its files still read from config/, with [sync] pointed at the hub."""
    text = (CONFIG_DIR / office.sample).read_text(encoding="utf-8")
    text = text.replace("[office]\n", f"[office]\nfiles_dir = \"{CONFIG_DIR}\"\n", 1)
    text = re.sub(r'(?m)^name = ".*"$', f'name = "{office.name}"', text, count=1)
    text += (f'\n[sync]\nhub_url = "{hub_url}"\noffice_code = "{office.code}"\ntoken_file = "{token_file}"\n'
             "interval_seconds = 2\nmax_backoff_seconds = 10\n")
    path = folder / "office.toml"
    path.write_text(text, encoding="utf-8")
    return path


class ProvinceDemo:
    """Start, show and stop the whole province; ``stop`` is safe to call twice and after a failed start."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.folder = Path(tempfile.mkdtemp(prefix="motcua-province-"))
        self.cluster = TempCluster()
        self.hub: subprocess.Popen[bytes] | None = None
        self.offices: list[RunningOffice] = []
        self.viewer_token = ""
        self.stopping = threading.Event()

    @property
    def hub_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ProvinceDemo:
        """PostgreSQL, the hub and its tokens, then each office with its history and its server."""
        self.cluster.start()
        dsn = self.cluster.create_database("motcua_hub")
        env = {**os.environ, "MOTCUA_HUB_DSN": dsn}
        env.pop("MOTCUA_HUB_TOKEN", None)
        _motcua("hub", "init", env=env)
        tokens = {o.code: _motcua("hub", "office", "add", o.code, "--name", o.name, env=env).strip() for o in OFFICES}
        self.viewer_token = _motcua("hub", "viewer", "add", VIEWER, env=env).strip()
        log = self.folder / "hub.log"
        self.hub = _start(["hub", "serve", "--port", str(self.port)], log, env=env)
        _wait_healthy(self.hub_url, self.hub, log)
        for office in OFFICES:
            self.offices.append(self._start_office(office, tokens[office.code]))
        return self

    def _start_office(self, office: DemoOffice, token: str) -> RunningOffice:
        from ..config import load_config

        folder = self.folder / office.code
        folder.mkdir()
        token_file = folder / "hub-token"
        token_file.write_text(token + "\n", encoding="utf-8")
        token_file.chmod(0o600)
        config_path = office_file(office, folder, self.hub_url, token_file)
        common = ["--config", str(config_path), "--db", str(folder / "motcua.db")]
        _motcua("init", *common)
        _motcua("simulate", *common, "--days", str(office.days), "--workers", "1")
        kiosk = _motcua("device", "add", "kiosk-1", "--role", "kiosk", *common).strip()
        config = load_config(config_path)
        counter = config.office.counters[0]
        password = secrets.token_urlsafe(9)
        _motcua("user", "add", f"quay{counter.number}", "--role", "clerk", "--counter", str(counter.number),
                "--password-stdin", *common, stdin=password + "\n")
        services = [s.code for s in config.office.services if s.code in counter.services] or \
            [config.office.services[0].code]
        port = _free_port()
        log = folder / "server.log"
        env = {k: v for k, v in os.environ.items() if k not in ("MOTCUA_HUB_TOKEN", "MOTCUA_CONFIG", "MOTCUA_DB")}
        process = _start(["serve", *common, "--port", str(port)], log, env=env)
        running = RunningOffice(office, f"http://127.0.0.1:{port}", kiosk, (f"quay{counter.number}", password),
                                counter.number, services, process)
        _wait_healthy(running.url, process, log)
        return running

    def traffic(self) -> None:
        """Until stopped: now and then a ticket at an office's kiosk, its first counter calling and completing."""
        rng = random.Random()
        while not self.stopping.wait(rng.uniform(0.5, 1.5)):
            office = rng.choice(self.offices)
            try:
                _one_step(office, rng)
            except requests.RequestException:  # an office stopping under Ctrl-C: the next step or the end
                continue

    def print_welcome(self) -> None:
        print("\n  Tỉnh mẫu: một hub và ba trung tâm đồng bộ về hub (dữ liệu mẫu, mất khi dừng)\n")
        print(f"  Bảng điều hành của tỉnh:  {self.hub_url}/")
        print(f"  Các trung tâm (API):      {self.hub_url}/api/offices")
        print(f"  Mã đăng nhập (viewer):    {self.viewer_token}")
        print(f"    curl -H 'Authorization: Bearer {self.viewer_token}' {self.hub_url}/api/offices\n")
        for running in self.offices:
            print(f"  {running.office.code:<13} {running.url}  {running.office.name}")
        print(f"\n  Temp folders: {self.folder} {self.cluster.folder}")
        print("  Ctrl-C stops everything and deletes them.\n", flush=True)

    def stop(self) -> None:
        """Offices first (each stops its sync worker), then the hub, then PostgreSQL; then the folders."""
        self.stopping.set()
        for running in self.offices:
            _stop(running.process, signal.SIGINT)
        _stop(self.hub, signal.SIGTERM)
        try:
            self.cluster.stop()
        except RuntimeError as exc:  # already stopped by hand: the folder goes all the same
            print(f"motcua: {exc}", file=sys.stderr)
        shutil.rmtree(self.cluster.folder, ignore_errors=True)
        shutil.rmtree(self.folder, ignore_errors=True)


def _one_step(office: RunningOffice, rng: random.Random) -> None:
    """Issue a ticket; sometimes call the next one and complete it (what a morning at the office looks like)."""
    requests.post(office.url + "/api/tickets", json={"service": rng.choice(office.services)}, timeout=10,
                  headers={"Authorization": f"Bearer {office.kiosk_token}", "Idempotency-Key": uuid.uuid4().hex})
    if rng.random() < 0.6:
        return
    if office.session is None:
        name, password = office.clerk
        answer = requests.post(office.url + "/api/login", json={"username": name, "password": password}, timeout=10)
        office.session = answer.json().get("token") if answer.ok else None
    headers = {"Authorization": f"Bearer {office.session}"}
    for action in ("call-next", "complete"):
        requests.post(f"{office.url}/api/counters/{office.counter}/{action}", headers=headers, timeout=10)


def _stop(process: subprocess.Popen[bytes] | None, sig: int) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def run_province_demo(port: int) -> int:
    """Start the province, print where to look, generate traffic until Ctrl-C (or SIGTERM), stop everything."""
    demo = ProvinceDemo(port)
    signal.signal(signal.SIGTERM, lambda *_: demo.stopping.set())
    signal.signal(signal.SIGINT, lambda *_: demo.stopping.set())
    try:
        print("motcua: starting PostgreSQL, the hub and three offices (about half a minute)…", flush=True)
        demo.start()
        if demo.stopping.is_set():
            return 0
        demo.print_welcome()
        demo.traffic()
    finally:
        print("motcua: stopping the offices, the hub and PostgreSQL…", flush=True)
        demo.stop()
        print("motcua: stopped; temp folders deleted", flush=True)
    return 0

