"""The real kiosk pairs itself against a real server (issue 15.1), end to end.

First start with no token file: the pairing screen and the code on the
terminal; the admin confirms it; the kiosk opens Home by itself, takes a
ticket and has saved its token (0600, nothing else). A second start with that
file pairs no more. Revoked, its next ticket is refused (401): the file goes
and a new code comes up. The kiosk runs in a child process
(tests/support/kiosk_pairing_child.py): Kivy opens one window per process and
the kiosk of tests/kiosk/conftest.py has this one.
"""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest
import requests

from tests.support.device_process import Admin, DeviceProcess
from tests.support.live_server import ADMIN_PASSWORD

pytestmark = pytest.mark.e2e

NAME = "Ki-ốt sảnh thử ghép"


def start_kiosk(server_url: str, token_file: Path, run: str) -> DeviceProcess:
    """The kiosk with no --token, reading (or pairing into) ``token_file``."""
    folder = token_file.parent.parent
    return DeviceProcess([sys.executable, "-m", "tests.support.kiosk_pairing_child", server_url, str(token_file)],
                         state=folder / "xdg-state", log=folder / f"kiosk-{run}.log")


def screen_after(kiosk: DeviceProcess, name: str, after: int = 0, timeout: float = 30.0) -> int:
    """Wait until the kiosk reports screen ``name``; the index of its line (later waits start there)."""
    kiosk.wait_line(rf'^\{{"screen": "{name}"\}}$', after, timeout)
    return next(i for i in range(after, len(kiosk.lines)) if kiosk.lines[i] == f'{{"screen": "{name}"}}')


def test_a_new_kiosk_pairs_by_its_code_keeps_its_token_and_pairs_again_once_revoked(kiosk_server, tmp_path):
    admin = Admin(kiosk_server.url, kiosk_server.login("admin", ADMIN_PASSWORD))
    token_file = tmp_path / "state" / "kiosk-token"
    kiosk = start_kiosk(kiosk_server.url, token_file, "first")
    try:
        shown = screen_after(kiosk, "pairing")
        code = kiosk.wait_code()
        assert f"Mã ghép {code[:3]} {code[3:]}" in "\n".join(kiosk.lines)  # the terminal line groups the digits
        assert not token_file.exists()
        assert admin.confirm(code, NAME) == {"name": NAME, "role": "kiosk"}
        at_home = screen_after(kiosk, "home", shown)
        kiosk.send("take")
        took = kiosk.wait_json("took", at_home)
        assert took["screen"] == "ticket" and took["ticket"][0].isalpha(), took

        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        saved = token_file.read_text(encoding="utf-8")
        assert saved.count("\n") == 1 and saved.endswith("\n") and " " not in saved.strip()  # the token, nothing else
        me = requests.get(f"{kiosk_server.url}/api/me", headers={"Authorization": f"Bearer {saved.strip()}"},
                          timeout=5)
        assert me.status_code == 200 and me.json()["user"]["name"] == NAME, me.text
        kiosk.send("quit")
        kiosk.process.wait(15)
    finally:
        kiosk.stop()

    again = start_kiosk(kiosk_server.url, token_file, "second")
    try:
        at_home = screen_after(again, "home")
        again.send("take")  # by then the start's token check (GET /api/me) has had its answer
        took = again.wait_json("took", at_home)
        assert took["screen"] == "ticket", took
        assert not any('"pairing"' in line or "motcua device pair" in line for line in again.lines), again.lines

        assert admin.revoke(NAME) == {"name": NAME, "active": False}
        before = len(again.lines)
        again.send("take")  # its next ticket: 401 invalid_token
        assert again.wait_json("took", before) == {"screen": "pairing", "ticket": None}
        new_code = again.wait_code(before)
        assert new_code != code
        assert not token_file.exists()
    finally:
        again.stop()
