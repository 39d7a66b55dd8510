"""The ticket: the number very large, counters, people ahead, the status QR; prints meanwhile."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.properties import DictProperty, NumericProperty, StringProperty

from ..printing import PrintOutcome, unconfirmed_screen_seconds
from ..texts import tr
from ..vm_queue import PRINT_FAILED, PRINT_NONE, PRINT_OK, PRINT_PENDING, TicketView
from .base import KioskScreen, load_kv

load_kv(__file__)


class TicketScreen(KioskScreen):
    """Shows one ticket until its time is up; longer when it could not be printed or the printer did not confirm."""

    lines = DictProperty({})
    qr_url = StringProperty("")
    print_state = StringProperty(PRINT_PENDING)
    seconds_left = NumericProperty(0)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.view: TicketView | None = None
        self._tick = None

    def show(self, view: TicketView) -> None:
        """Show a new ticket and print it in the background."""
        self.view = view
        self.qr_url = view.qr_url
        self._refresh()
        settings = self.app.settings
        self._start_countdown(settings.ticket_screen_seconds)
        printer, ticket = self.app.printer, dict(view.ticket, counters=view.counters)
        self.app.worker.submit(lambda: printer.print_ticket(ticket, settings),
                               lambda outcome: self._printed(view, outcome),
                               lambda exc: self._printed(view, PrintOutcome(False, "print_error", str(exc))))

    def _printed(self, view: TicketView, outcome: PrintOutcome) -> None:
        if view is not self.view:
            return
        if outcome.ok:
            view.print_state = PRINT_OK
        else:
            view.print_state = PRINT_NONE if outcome.code == "no_printer" else PRINT_FAILED
            view.print_message = "" if outcome.code == "no_printer" else outcome.message_vi
        self.app.printer_status(outcome)
        self._refresh()
        settings = self.app.settings
        seconds = view.screen_seconds(settings.ticket_screen_seconds, settings.print_failed_seconds)
        if outcome.ok and not outcome.confirmed:  # the paper may not have come out
            seconds = unconfirmed_screen_seconds(settings.ticket_screen_seconds, settings.print_failed_seconds)
        self._start_countdown(seconds)

    def _refresh(self, *_args) -> None:
        if self.view is None:
            return
        self.lines = self.view.lines(self.app.lang)
        self.print_state = self.view.print_state

    def _start_countdown(self, seconds: int) -> None:
        self.seconds_left = seconds
        if self._tick is None:
            self._tick = Clock.schedule_interval(self._count_down, 1.0)

    def _count_down(self, _dt: float) -> None:
        self.seconds_left -= 1
        if self.seconds_left <= 0:
            self._stop_countdown()
            if self.manager is not None and self.manager.current == self.name:
                self.app.go_home()

    def _stop_countdown(self) -> None:
        if self._tick is not None:
            self._tick.cancel()
            self._tick = None

    def on_pre_enter(self, *_args) -> None:
        """Follow language changes while shown."""
        self.app.bind(lang=self._refresh)

    def on_leave(self, *_args) -> None:
        """Stop the countdown; the ticket is the citizen's now."""
        self.app.unbind(lang=self._refresh)
        self._stop_countdown()

    def spoken_text(self, lang: str) -> str:
        """The number digit by digit, the field, the counters and the people ahead."""
        if self.view is None:
            return ""
        text = self.view.spoken(lang)
        if self.view.print_state in (PRINT_FAILED, PRINT_NONE):
            text += " " + self.view.print_text(lang).split("\n")[0]
        return text

    @staticmethod
    def line(lines: dict[str, str], key: str) -> str:
        """One text of the ticket (kv passes ``lines`` so it rebinds when they change)."""
        return lines.get(key, "")

    def closes_in_text(self, lang: str, seconds: float) -> str:
        """"Màn hình tự đóng sau N giây"."""
        return tr("ticket.closes_in", lang, n=int(max(0, seconds)))


def ticket_counters(ticket: dict[str, Any]) -> list[int]:
    """Counters named on a ticket itself (target or current), if any."""
    return [n for n in (ticket.get("target_counter"), ticket.get("counter")) if n]
