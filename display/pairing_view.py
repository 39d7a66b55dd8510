"""The lobby board's pairing screen on its first start (issue 15.1): a code an admin confirms in /admin.

The steps are ``queue_server.pairing_screen`` (no Kivy): ``PairingBoard``
starts them, ticks them twice a second and draws their view; the calls run
on short background threads whose answers come back through Kivy's clock,
so the board never freezes while the server is away. Sized in units of
1/1080 of the short side, like the board, so it reads from the back row.
``TokenWatch`` notices a saved token revoked later: the live feed is public
and never refuses it, so the board asks the server itself.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable
from importlib import resources
from typing import Any

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kivyenv.qr import QRCode  # noqa: F401  (registered for the kv rule)
from queue_server.device_token import refused
from queue_server.pairing_screen import (
    Paired,
    PairingClient,
    PairingFlow,
    PairingRunner,
    PairingView,
    terminal_line,
    thread_submit,
)

Builder.load_file(str(resources.files("display") / "pairing_view.kv"))

TICK_SECONDS = 0.5  # the countdown and the poll's timing need no more
TOKEN_CHECK_SECONDS = 10.0  # a revoked board shows its pairing code within seconds; one cheap GET per board


def _on_main_thread(callback: Callable[[], None]) -> None:
    Clock.schedule_once(lambda _dt: callback(), 0)


class PairingBoard(BoxLayout):
    """The code, its QR, what the admin does, the minutes left, and any trouble, in the board's colours."""

    unit = NumericProperty(1.0)
    portrait = BooleanProperty(False)
    state = StringProperty("starting")
    title_text = StringProperty("")
    code = StringProperty("")
    qr = StringProperty("")
    instructions = StringProperty("")
    time_left = StringProperty("")
    message = StringProperty("")
    command = StringProperty("")
    trouble = BooleanProperty(False)

    def __init__(self, client: PairingClient, server: str, on_paired: Callable[[Paired], None],
                 size: tuple[int, int], **kwargs: Any) -> None:
        super().__init__(unit=min(size) / 1080, portrait=size[1] > size[0], **kwargs)
        self._on_paired = on_paired
        flow = PairingFlow("display", server, label=socket.gethostname())
        self.runner: PairingRunner | None = PairingRunner(flow, client, thread_submit(_on_main_thread),
                                                          self._paired, self.show)
        self._event: Any = None

    def start(self) -> None:
        """Ask for a code now, then keep ticking."""
        if self.runner is not None:
            self.runner.tick()
            self._event = Clock.schedule_interval(lambda _dt: self.runner and self.runner.tick(), TICK_SECONDS)

    def stop(self) -> None:
        """Stop asking (an answer still on its way is dropped)."""
        if self._event is not None:
            self._event.cancel()
            self._event = None
        self.runner = None

    def show(self, view: PairingView) -> None:
        """Draw the view (and say a new code on the terminal too)."""
        if view.code and view.code != self.code and self.runner is not None:
            print(terminal_line("display", self.runner.flow.code), file=sys.stderr, flush=True)
        self.state, self.title_text, self.code, self.qr = view.state, view.title, view.code, view.qr
        self.instructions, self.time_left, self.command = view.instructions, view.time_left, view.command
        self.message, self.trouble = view.message, view.trouble

    def _paired(self, paired: Paired) -> None:
        if self.runner is not None:
            self.stop()
            self._on_paired(paired)


class TokenWatch:
    """Asks ``GET /api/me`` every ``every`` seconds whether the board's saved token still stands.

    The feed (``/api/events``) is public: a revoked or unknown token is not
    refused there, it only loses its device's place, so without this a revoked
    board would go on showing the queue and never show its pairing code again.
    ``on_refused`` runs on the UI thread; other failures (server away) are the feed's to show.
    """

    def __init__(self, client: Any, on_refused: Callable[[], None], every: float = TOKEN_CHECK_SECONDS) -> None:
        self.client, self.on_refused, self.every = client, on_refused, every
        self._submit = thread_submit(_on_main_thread)
        self._event: Any = None
        self._in_flight = False

    def start(self) -> TokenWatch:
        """Check now, then every ``every`` seconds."""
        self._check()
        self._event = Clock.schedule_interval(lambda _dt: self._check(), self.every)
        return self

    def stop(self) -> None:
        """No more checks (an answer on its way is dropped)."""
        if self._event is not None:
            self._event.cancel()
            self._event = None

    def _check(self) -> None:
        if self._in_flight:
            return
        self._in_flight = True
        self._submit(self.client.me, self._answered, self._failed)

    def _answered(self, _me: Any) -> None:
        self._in_flight = False

    def _failed(self, error: BaseException) -> None:
        self._in_flight = False
        if refused(error) and self._event is not None:
            self.stop()
            self.on_refused()
