"""``motcua demo --province`` (``./run demo-province``): the hub and three offices syncing, then Ctrl-C leaves nothing.

The real command, as a person runs it: a throwaway PostgreSQL, the hub,
three ``motcua serve`` with their sync workers and the traffic generator.
The test reads what it prints, signs in to the hub with the viewer token,
waits until the three offices have shipped, sends SIGINT and checks that no
process of the demo and no temp folder is left.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.support.hub_harness import alive, wait_for
from tests.support.live_server import PROJECT, free_port

pytestmark = pytest.mark.e2e


def descendants(pid: int) -> list[int]:
    """Every process started by ``pid``, its children's too."""
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:
        return found
    for task in tasks:
        try:
            children = [int(child) for child in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
        for child in children:
            found += [child, *descendants(child)]
    return found


def read_welcome(process: subprocess.Popen[str], seconds: float = 60.0) -> str:
    """The demo's output up to the line that says how to stop it."""
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "Ctrl-C stops everything" in line:
            return "".join(lines)
    raise AssertionError("".join(lines) or "the demo printed nothing")


def test_the_province_demo_ships_three_offices_to_the_hub_and_ctrl_c_leaves_nothing() -> None:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "queue_server.cli", "demo", "--province", "--port", str(port)],
                               cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        welcome = read_welcome(process)
        token = re.search(r"viewer\):\s+(\S+)", welcome)
        folders = re.search(r"Temp folders: (\S+) (\S+)", welcome)
        assert token and folders, welcome
        assert f"http://127.0.0.1:{port}/api/offices" in welcome and f"http://127.0.0.1:{port}/\n" in welcome
        temp = [Path(folders.group(1)), Path(folders.group(2))]
        postmaster = int((temp[1] / "data" / "postmaster.pid").read_text().split()[0])

        def offices() -> list[dict]:
            answer = requests.get(f"http://127.0.0.1:{port}/api/offices", timeout=5,
                                  headers={"Authorization": f"Bearer {token.group(1)}"})
            assert answer.status_code == 200, answer.text
            shipped = [o for o in answer.json()["offices"] if o["events_ack"] > 0 and o["changes_ack"] > 0]
            return shipped if len(shipped) == 3 else []

        shipped = wait_for(offices, seconds=30)
        assert sorted(o["code"] for o in shipped) == ["TINH-DONGNAI", "XA-BINHMINH", "XA-TANPHU"]
        started = descendants(process.pid)
        assert len(started) >= 7, started  # the hub, three servers and their three sync workers

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=40) == 0
        assert [pid for pid in [*started, postmaster] if alive(pid)] == []
        assert [folder for folder in temp if folder.exists()] == []
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
