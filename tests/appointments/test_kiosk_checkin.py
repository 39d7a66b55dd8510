"""The kiosk's check-in screen, in the real kiosk app (Kivy offscreen, its own process) against a served app."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

RUNNER = Path(__file__).with_name("kiosk_checkin_run.py")


def test_a_scanned_booking_code_gives_the_ticket_and_an_unknown_code_says_so(served, tmp_path) -> None:
    if importlib.util.find_spec("kivy") is None:  # never import Kivy here: its window belongs to one process
        pytest.skip("kivy is not installed")
    site = served()
    code = site.app.client.post("/api/appointments", json={"service": "HT", "slot": "2026-03-02T08:30"}).get_json()
    site.app.clock.advance(minutes=20)  # 08:20: inside the 08:15–08:45 window
    done = subprocess.run([sys.executable, str(RUNNER), site.url, site.app.db.tokens["kiosk"],
                           code["appointment"]["code"], str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"unknown": "Không tìm thấy mã đặt lịch này; xin kiểm tra lại mã (8 ký tự).",
                      "ticket_screen": True}
    booking = site.app.client.get(f"/api/appointments/{code['appointment']['code']}").get_json()["appointment"]
    assert booking["status"] == "checked_in"
