"""The real lobby board pairs itself against a real server (issue 15.1), end to end.

``motcua display`` with an empty token file shows its pairing screen and the
code on the terminal; the admin confirms it; the board opens the feed with its
new token (the server counts it as connected, and a call made at a counter is
pictured on it), the token file is 0600. Revoked, the board notices within
``TOKEN_CHECK_SECONDS`` (the feed is public: it never refuses the token), drops
its token file and shows a new code. The board runs as the real command, in its own
process, recording a PNG per event (``--record``), like test_board_e2e.py.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from queue_server.client import QueueClient, new_idempotency_key
from tests.support.device_process import Admin, DeviceProcess
from tests.support.kivy_board import PROJECT, names, wait_for
from tests.support.live_server import ADMIN_PASSWORD, COMMUNE, LiveServer, serving_copy

pytestmark = pytest.mark.e2e

NAME = "Màn hình sảnh thử ghép"


@pytest.fixture(scope="module")
def server(display_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One real server for the module: the display template's clerks and devices, and an admin."""
    with serving_copy(display_template, tmp_path_factory.mktemp("board-pairing") / "motcua.db", admin=True) as live:
        yield live


def start_board(url: str, token_file: Path, record: Path) -> DeviceProcess:
    """``motcua display`` with no --token, reading (or pairing into) ``token_file``, recording into ``record``."""
    return DeviceProcess([sys.executable, "-m", "queue_server.cli", "display", "--server", url, "--token-file",
                          str(token_file), "--record", str(record), "--no-voice"],
                         state=record.parent / "xdg-state", log=record.parent / "display.log")


def connected(admin: Admin, name: str) -> bool:
    """Whether the server counts this device's live feed as open (GET /api/devices)."""
    return any(device["name"] == name and device["connected"] for device in admin.devices())


def test_a_new_board_pairs_by_its_code_follows_the_feed_and_pairs_again_once_revoked(server, tmp_path):
    admin = Admin(server.url, server.login("admin", ADMIN_PASSWORD))
    token_file = tmp_path / "state" / "display-token"
    token_file.parent.mkdir()
    token_file.write_text("", encoding="utf-8")  # empty: as good as none
    record = tmp_path / "record"
    board = start_board(server.url, token_file, record)
    try:
        code = board.wait_code(timeout=40)
        assert "motcua display: chưa được ghép với máy chủ" in "\n".join(board.lines)
        assert not names(record, "*.png")  # no feed, no board yet: only the pairing screen
        assert admin.confirm(code, NAME) == {"name": NAME, "role": "display"}
        wait_for(lambda: connected(admin, NAME), timeout=20, what="the board's feed opened with its token")
        wait_for(lambda: any("snapshot" in n for n in names(record, "*.png")), what="the board's first picture")
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        saved = token_file.read_text(encoding="utf-8")
        assert saved.count("\n") == 1 and saved.strip() and " " not in saved.strip()

        kiosk = QueueClient(server.url, server.tokens["kiosk"])
        kiosk.issue_ticket("HT", idempotency_key=new_idempotency_key())
        clerk = QueueClient(server.url, server.login("quay1"))
        assert clerk.counter_action(1, "call-next")["ticket"]["number"] == "A001"
        wait_for(lambda: any("ticket.called" in n for n in names(record, "*.png")), timeout=20,
                 what="the call pictured on the board")

        before = len(board.lines)
        assert admin.revoke(NAME) == {"name": NAME, "active": False}
        new_code = board.wait_code(before, timeout=30)
        assert new_code != code
        assert not token_file.exists()
    finally:
        board.stop()


def run_probes(url: str, out: Path, sizes: tuple[str, ...]) -> dict[str, dict]:
    """tests/support/kivy_pairing_probe.py at each size, side by side (one Kivy window per process)."""
    env = {**os.environ, "KIVY_NO_ARGS": "1", "XDG_STATE_HOME": str(out / "xdg-state")}
    children = {size: subprocess.Popen([sys.executable, "-m", "tests.support.kivy_pairing_probe", url, str(COMMUNE),
                                        size, str(out / size)], cwd=PROJECT, env=env, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE, text=True)
                for size in sizes}
    results = {}
    for size, child in children.items():
        _, errors = child.communicate(timeout=90)
        assert child.returncode == 0, errors[-3000:]
        results[size] = json.loads((out / size / "problems.json").read_text(encoding="utf-8"))
    return results


def test_the_boards_pairing_screen_reads_from_the_back_row_landscape_and_portrait(server, tmp_path):
    results = run_probes(server.url, tmp_path, ("1920x1080", "1080x1920"))
    for size, result in results.items():
        assert result["problems"] == [], (size, result["problems"])  # no text under 30 px, none cut or over another
        assert len(result["code"]) == 7 and result["code"][3] == " ", result  # "042 917"
        assert min(result["font_sizes"].values()) >= 30, (size, result["font_sizes"])
        assert (tmp_path / size / f"pairing-{size}.png").stat().st_size > 10_000  # a picture, not a black frame
