"""``motcua demo``: the sample commune office on one machine, ready to click.

A fresh demo database each run, one clerk per counter and an admin with
random passwords printed once, kiosk and display devices, then the server.
Where there is a screen, the kiosk and the lobby board open in their own
processes (Kivy wants the main thread of its process).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

from . import auth
from .cli_support import default_db_path
from .commands import _database, _load_sample_catalog, serve, single_server_lock
from .config import SAMPLE_OFFICE, load_config


def demo_db_path() -> Path:
    """The demo database, beside the default one."""
    return default_db_path().with_name("demo.db")


def has_screen() -> bool:
    """True when windows can be shown (X11 or Wayland)."""
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_demo(port: int, open_windows: bool = True) -> int:
    """Set up and serve the demo office until Ctrl+C."""
    config = load_config(os.environ.get("MOTCUA_CONFIG") or SAMPLE_OFFICE)
    db_path = demo_db_path()
    # A demo already running keeps its database and passwords: the lock is checked before anything is touched.
    with single_server_lock(db_path):
        for suffix in ("", "-wal", "-shm"):
            Path(str(db_path) + suffix).unlink(missing_ok=True)
        sign_ins, tokens = _seed(db_path, config)
        base = f"http://127.0.0.1:{port}"
        _print_welcome(config, base, sign_ins, tokens)
        windows = _open_windows(base, tokens) if open_windows and has_screen() else []
        if open_windows and not has_screen():
            print("No screen on this machine: the kiosk and lobby board windows are not opened.\n"
                  f"Open {base}/display in a browser for the lobby board.\n", flush=True)
        try:
            serve(config, db_path, "127.0.0.1", port)
        finally:
            for window in windows:
                window.terminate()
    return 0


def _seed(db_path: Path, config) -> tuple[list[tuple[str, str, str]], dict[str, str]]:
    """Demo people (one clerk per counter, one admin) and devices."""
    sign_ins = []
    tokens = {}
    with _database(db_path) as db:
        _load_sample_catalog(db, config)
        for counter in config.office.counters:
            name, password = f"quay{counter.number}", secrets.token_urlsafe(6)
            auth.add_user(db.conn, name, password, "clerk", [counter.number])
            sign_ins.append((name, password, counter.name))
        password = secrets.token_urlsafe(9)
        auth.add_user(db.conn, "admin", password, "admin", [])
        sign_ins.append(("admin", password, "quản trị"))
        for name, role in (("kiosk-1", "kiosk"), ("board-1", "display"), ("rating-1", "rating")):
            tokens[role] = auth.add_device(db.conn, name, role)
    return sign_ins, tokens


def _print_welcome(config, base: str, sign_ins, tokens: dict[str, str]) -> None:
    print(f"\n  {config.office.name}\n")
    print(f"  Clerk console:   {base}/console")
    print(f"  Lobby board:     {base}/display")
    print(f"  Dashboard:       {base}/admin")
    print(f"  Book a time:     {base}/dat-lich")
    print(f"  API (OpenAPI):   {base}/api/openapi.json\n")
    print("  Sign-ins (demo only, new each run):")
    for name, password, where in sign_ins:
        print(f"    {name:<8} {password:<14} {where}")
    print(f"\n  Kiosk token:   {tokens['kiosk']}")
    print(f"  Display token: {tokens['display']}")
    print(f"  Rating token:  {tokens['rating']}\n", flush=True)


def _open_windows(base: str, tokens: dict[str, str]) -> list[subprocess.Popen]:
    """Start the kiosk and the board beside the server, if those parts are installed."""
    motcua = shutil.which("motcua") or sys.argv[0]
    windows = []
    for command, role in (("kiosk", "kiosk"), ("display", "display")):
        try:
            windows.append(subprocess.Popen([motcua, command, "--server", base, "--token", tokens[role]]))
        except OSError as exc:
            print(f"Could not open the {command} window: {exc}", file=sys.stderr)
    time.sleep(0.2)
    return windows
