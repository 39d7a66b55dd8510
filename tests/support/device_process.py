"""A kiosk or a lobby board in its own process, its output read line by line (the pairing tests, issue 15.1).

Kivy opens one window per process, so each start of a device is a child
process; its stdout and stderr are read on threads into one list, so a test
waits for a line (the pairing code on the terminal, a screen change) instead
of sleeping.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, TextIO

import requests

PROJECT = Path(__file__).resolve().parents[2]
CODE_LINE = re.compile(r"motcua device pair (\d{6}) --name")
"""The terminal line a device prints with each new code (``pairing_screen.terminal_line``)."""


class DeviceProcess:
    """A running child whose output lines are kept in order; ``send`` writes a line to its stdin."""

    def __init__(self, command: list[str], state: Path, log: Path) -> None:
        # Its own state folder: a token file a developer's device saved on this machine is never read.
        env = {**os.environ, "KIVY_NO_ARGS": "1", "XDG_STATE_HOME": str(state), "PYTHONUNBUFFERED": "1"}
        self.lines: list[str] = []
        self._log = log
        self.process = subprocess.Popen(command, cwd=PROJECT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, encoding="utf-8", bufsize=1)
        self._readers: list[threading.Thread] = []
        for stream in (self.process.stdout, self.process.stderr):
            assert stream is not None
            reader = threading.Thread(target=self._read, args=(stream,), daemon=True)
            reader.start()
            self._readers.append(reader)

    def _read(self, stream: TextIO) -> None:
        for line in stream:
            self.lines.append(line.rstrip("\n"))

    def wait_line(self, pattern: str | re.Pattern[str], after: int = 0, timeout: float = 30.0) -> re.Match[str]:
        """The first line from index ``after`` on that matches; AssertionError with the output otherwise."""
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        seen = after
        while True:
            for line in self.lines[seen:]:
                found = regex.search(line)
                if found:
                    return found
                seen += 1
            if self.process.poll() is not None or time.monotonic() > deadline:
                time.sleep(0.2)  # the last lines of a process that ended
                tail = "\n".join(self.lines[-40:])
                raise AssertionError(f"no line matching {regex.pattern!r} (exit {self.process.poll()}):\n{tail}")
            time.sleep(0.02)

    def wait_code(self, after: int = 0, timeout: float = 30.0) -> str:
        """The 6-digit pairing code the device printed on its terminal."""
        return self.wait_line(CODE_LINE, after, timeout).group(1)

    def wait_json(self, key: str, after: int = 0, timeout: float = 30.0) -> Any:
        """The value of ``key`` in the first JSON line (a probe's report) from ``after`` on that has it."""
        found = self.wait_line(rf'^\{{"{re.escape(key)}": ', after, timeout)
        return json.loads(found.string)[key]

    def send(self, line: str) -> None:
        """One command line to the child's stdin."""
        assert self.process.stdin is not None and self.process.poll() is None, "the device is not running"
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def stop(self) -> None:
        """SIGTERM, then SIGKILL; the output goes to the log file for a failing test's reader."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        for reader in self._readers:  # the pipes are at their end once the process is gone
            reader.join(5)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        self._log.write_text("\n".join(self.lines) + "\n", encoding="utf-8")


class Admin:
    """The office's admin over the API with a bearer token: confirms pairing codes, revokes devices."""

    def __init__(self, url: str, token: str) -> None:
        self.url, self.headers = url, {"Authorization": f"Bearer {token}"}

    def confirm(self, code: str, name: str) -> dict[str, Any]:
        """``POST /api/admin/pairings``, as the admin's page does."""
        answer = requests.post(f"{self.url}/api/admin/pairings", json={"code": code, "name": name},
                               headers=self.headers, timeout=5)
        assert answer.status_code == 201, answer.text
        return answer.json()

    def revoke(self, name: str) -> dict[str, Any]:
        """``POST /api/devices/<name>/revoke``."""
        answer = requests.post(f"{self.url}/api/devices/{name}/revoke", headers=self.headers, timeout=5)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def devices(self) -> list[dict[str, Any]]:
        """``GET /api/devices``."""
        answer = requests.get(f"{self.url}/api/devices", headers=self.headers, timeout=5)
        answer.raise_for_status()
        return answer.json()["devices"]
