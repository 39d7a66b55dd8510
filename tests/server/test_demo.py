"""`motcua demo` on a machine with no screen: it says so, prints where to go and serves the sample office."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import requests

from tests.support.live_server import PROJECT, free_port


@pytest.mark.e2e
def test_demo_without_a_screen_prints_the_addresses_and_serves(tmp_path) -> None:
    port = free_port()
    env = {key: value for key, value in os.environ.items()
           if key not in ("DISPLAY", "WAYLAND_DISPLAY", "MOTCUA_DB", "MOTCUA_CONFIG")}
    env["XDG_DATA_HOME"] = str(tmp_path)
    demo = subprocess.Popen([sys.executable, "-m", "queue_server.cli", "demo", "--port", str(port)], env=env,
                            cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert demo.stdout is not None  # stdout=PIPE
    try:
        printed: list[str] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = demo.stdout.readline()
            assert line, "demo exited early:\n" + "".join(printed)
            printed.append(line)
            if "serving on" in line:
                break
        text = "".join(printed)
        assert f"http://127.0.0.1:{port}/console" in text
        assert "No screen on this machine" in text
        sign_in = next(line.split() for line in printed if line.strip().startswith("quay1 "))
        assert requests.get(f"http://127.0.0.1:{port}/api/health", timeout=5).json() == {"status": "ok"}
        answer = requests.post(f"http://127.0.0.1:{port}/api/login",
                               json={"username": sign_in[0], "password": sign_in[1]}, timeout=10)
        assert answer.status_code == 200
        assert (tmp_path / "motcua" / "demo.db").exists()
        assert "Rating token:" in text
        # A second demo while this one runs touches nothing: same database file, same passwords.
        inode = (tmp_path / "motcua" / "demo.db").stat().st_ino
        second = subprocess.run([sys.executable, "-m", "queue_server.cli", "demo", "--port", str(free_port())],
                                env=env, cwd=PROJECT, capture_output=True, text=True, timeout=60)
        assert second.returncode == 1 and "another motcua server" in second.stderr
        assert "quay1" not in second.stdout
        assert (tmp_path / "motcua" / "demo.db").stat().st_ino == inode
        assert requests.post(f"http://127.0.0.1:{port}/api/login", timeout=10,
                             json={"username": sign_in[0], "password": sign_in[1]}).status_code == 200
    finally:
        demo.send_signal(signal.SIGINT)
        demo.wait(timeout=15)
        demo.stdout.close()
