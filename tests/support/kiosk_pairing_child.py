"""The real kiosk in a child process, started as ``motcua kiosk`` starts it, driven by lines on stdin.

``python -m tests.support.kiosk_pairing_child SERVER TOKEN_FILE``: no ``--token``,
so the token comes from TOKEN_FILE or the kiosk pairs first (issue 15.1). Kivy
renders offscreen; ``kiosk.driver.Driver`` runs its frames. It prints one JSON
line per screen change (``{"screen": "pairing"}``) and answers ``take`` (tap
"Lấy số", the first field, "Không") with ``{"took": {"screen": …, "ticket": …}}``
once the ticket or the pairing screen is on show. ``quit`` stops it.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import queue
import sys
import threading
from pathlib import Path
from typing import Any

WIDTH, HEIGHT = 960, 540  # small: quick to render in software; the kiosk scales to its window


def say(key: str, value: Any) -> None:
    """One JSON line on stdout for the test."""
    print(json.dumps({key: value}, ensure_ascii=False), flush=True)


def take_ticket(d: Any) -> dict[str, Any]:
    """As a citizen: "Lấy số", the first field, "Không"; ends on the ticket screen or the pairing screen."""
    from tests.support.kiosk_screens import answer_priority, field_button

    d.tap(d.screen.ids.take_button)
    app = d.app
    d.wait_until(lambda: app.manager.current != "take_number" or (d.screen.ids.services.children
                                                                   and not d.screen.loading), what="fields")
    if app.manager.current == "take_number":
        screen = d.screen
        d.tap(field_button(screen, 0))
        d.wait_until(lambda: app.manager.current != "take_number" or screen.asking, what="the priority question")
        if app.manager.current == "take_number":
            answer_priority(d, screen, "")
    d.wait_until(lambda: app.manager.current in ("ticket", "pairing"), what="the ticket or the pairing screen")
    d.frame()
    ticket = d.screen.view.ticket["number"] if app.manager.current == "ticket" else None
    if ticket is not None:
        d.tap(d.screen.ids.done_button)
    return {"screen": "ticket" if ticket else app.manager.current, "ticket": ticket}


def read_commands(commands: queue.Queue[str]) -> None:
    """Hand each stdin line to the UI loop (reading blocks: a thread of its own)."""
    for line in sys.stdin:
        commands.put(line.strip())


def main(argv: list[str] | None = None) -> int:
    """Start the kiosk with no token but the file's, report its screens, obey stdin until ``quit``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("server")
    parser.add_argument("token_file", type=Path)
    args = parser.parse_args(argv)
    from kivyenv import prepare_kivy

    prepare_kivy(WIDTH, HEIGHT, fullscreen=False)
    from kiosk.app import KioskApp
    from kiosk.driver import Driver
    from kiosk.launch import load_settings
    from kiosk.printing import NoPrinter
    from kiosk.read_aloud import SilentReader
    from queue_server.client import QueueClient
    from queue_server.device_token import choose_token

    settings = dataclasses.replace(load_settings(None), fullscreen=False, width=WIDTH, height=HEIGHT,
                                   retry_seconds=0.3)
    source = choose_token(None, args.token_file)
    app = KioskApp(QueueClient(args.server, source.token, timeout=3.0), settings, NoPrinter(), SilentReader(),
                   token_source=source)
    commands: queue.Queue[str] = queue.Queue()
    threading.Thread(target=read_commands, args=(commands,), daemon=True).start()
    d = Driver(app).start()
    shown = ""
    while True:
        d.frame()
        if app.manager.current != shown:
            shown = app.manager.current
            say("screen", shown)
        try:
            command = commands.get(timeout=0.01)
        except queue.Empty:
            continue
        if command == "take":
            say("took", take_ticket(d))
        elif command == "quit":
            d.stop()
            return 0


if __name__ == "__main__":
    sys.exit(main())
