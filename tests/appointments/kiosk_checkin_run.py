"""Run the real kiosk headless with the check-in screen added, against a server; print what happened as JSON.

A separate process because Kivy opens one window per process (the kiosk's
own tests hold theirs). The citizen's path: home → "Tôi đã đặt lịch hẹn" →
a wrong code typed → the booking's QR scanned → the ticket screen.
Usage: python kiosk_checkin_run.py URL TOKEN CODE SHOTS_DIR
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main(url: str, token: str, code: str, shots: Path) -> dict:
    from kivyenv import prepare_kivy

    width, height = (int(v) for v in os.environ.get("KIOSK_SIZE", "1280x720").split("x"))
    prepare_kivy(width, height, fullscreen=False)
    from kiosk.app import KioskApp
    from kiosk.driver import Driver
    from kiosk.launch import load_settings
    from kiosk.printing import PackagePrinter
    from kiosk.read_aloud import SilentReader
    from queue_server.client import QueueClient
    from tests.support.fake_printer import FakePrinter
    from tests.support.live_server import COMMUNE

    settings = dataclasses.replace(load_settings(COMMUNE), fullscreen=False, width=width, height=height)
    result: dict = {}
    with FakePrinter() as printer:
        app = KioskApp(QueueClient(url, token, timeout=5.0), settings, PackagePrinter(printer.uri, timeout_s=5.0),
                       SilentReader())
        driver = Driver(app).start()
        try:
            home = driver.at("home")
            driver.shot(shots / "kiosk-home.png")
            button = home.ids.checkin_button_portrait if app.portrait else home.ids.checkin_button
            driver.tap(button)  # "Tôi đã đặt lịch hẹn" on the home screen
            screen = driver.at("checkin")
            for key in "AAAA2222":
                screen.press(key)
            driver.tap(screen.ids.send_button)
            driver.wait_until(lambda: screen.status_kind == "error", 20, "the unknown-code message")
            result["unknown"] = screen.status
            driver.shot(shots / "kiosk-checkin-unknown.png")
            screen.ids.scanner.text = f"{code[:4]}-{code[4:]}".lower()  # what a scanner types
            screen.ids.scanner.dispatch("on_text_validate")
            driver.at("ticket", 20)
            driver.pump(0.3)
            driver.shot(shots / "kiosk-checkin-ticket.png")
            result["ticket_screen"] = True
        finally:
            driver.stop()
    return result


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2], sys.argv[3], Path(sys.argv[4])), ensure_ascii=False))
