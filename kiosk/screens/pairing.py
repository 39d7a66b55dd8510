"""First start without a token: a pairing code for an admin to confirm in /admin (issue 15.1).

The steps are ``queue_server.pairing_screen`` (no Kivy): this screen only
starts them when shown, ticks them twice a second and draws their view; the
calls run on the app's worker, so a server that does not answer never freezes
the screen. Once paired the app saves the token and opens Home.
"""

from __future__ import annotations

import socket
import sys
from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, StringProperty

from queue_server.pairing_screen import Paired, PairingFlow, PairingRunner, PairingView, terminal_line

from .base import KioskScreen, load_kv

load_kv(__file__)

TICK_SECONDS = 0.5  # the countdown and the poll's timing need no more; each tick costs nothing when nothing changed


class PairingScreen(KioskScreen):
    """The code, its QR, what the admin does, the minutes left, and any trouble."""

    state = StringProperty("starting")
    title_text = StringProperty("")
    code = StringProperty("")
    qr = StringProperty("")
    instructions = StringProperty("")
    time_left = StringProperty("")
    message = StringProperty("")
    command = StringProperty("")
    trouble = BooleanProperty(False)

    runner: PairingRunner | None = None
    _event: Any = None

    def on_enter(self, *_args: Any) -> None:
        """A fresh pairing each time the screen is shown (the old code may be gone)."""
        app = self.app
        if app.token_source is None:
            return  # a kiosk given its client by the caller (tests, the tour) never pairs
        flow = PairingFlow("kiosk", app.client.base_url, label=socket.gethostname())
        self.runner = PairingRunner(flow, app.client, app.worker.submit, self._paired, self.show)
        self.runner.tick()
        self._event = Clock.schedule_interval(lambda _dt: self.runner and self.runner.tick(), TICK_SECONDS)

    def on_leave(self, *_args: Any) -> None:
        """Stop asking (an answer still on its way is dropped)."""
        if self._event is not None:
            self._event.cancel()
            self._event = None
        self.runner = None

    def show(self, view: PairingView) -> None:
        """Draw the view (and say a new code on the terminal too)."""
        if view.code and view.code != self.code and self.runner is not None:
            print(terminal_line("kiosk", self.runner.flow.code), file=sys.stderr, flush=True)
        self.state, self.title_text, self.code, self.qr = view.state, view.title, view.code, view.qr
        self.instructions, self.time_left, self.command = view.instructions, view.time_left, view.command
        self.message, self.trouble = view.message, view.trouble

    def _paired(self, paired: Paired) -> None:
        if self.runner is not None and self.manager is not None and self.manager.current == self.name:
            self.app.paired(paired)

    def spoken_text(self, lang: str) -> str:
        """Nothing to read aloud: this screen is for the admin, not a citizen."""
        return ""
