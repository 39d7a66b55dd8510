"""Running the real Kivy lobby board (``motcua display --record``) from a test, and reading what it recorded.

Shared by the board's end-to-end tests (tests/display): a test module is
never imported by another (tests/test_support_imports.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[2]


def start_display(url: str, record: Path, *extra: str) -> subprocess.Popen:
    """The board in its own process (Kivy opens one window per process), recording into ``record``."""
    # Its own state folder: a token file a developer's board saved on this machine is never read.
    env = {**os.environ, "KIVY_NO_ARGS": "1", "XDG_STATE_HOME": str(record.parent / "state")}
    with open(record.parent / "display.log", "ab") as log:
        return subprocess.Popen([sys.executable, "-m", "queue_server.cli", "display", "--server", url, "--record",
                                 str(record), *extra], cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=log)


def wait_for(predicate: Callable[[], Any], timeout: float = 40.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def names(record: Path, pattern: str) -> list[str]:
    return sorted(p.name for p in record.glob(pattern))


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


def script_until(browser: Any, script: str, what: str, timeout: float = 15) -> None:
    """Wait until a script run in the page returns something true."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, timeout, poll_frequency=0.05).until(lambda b: b.execute_script(script), what)


def timings(record: Path) -> list[dict]:
    """The board's timings lines (one per applied event)."""
    path = record / "timings.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
