""""Tôi đã đặt lịch hẹn": scan the booking QR (a USB scanner types it like a keyboard) or type the code.

The code goes to ``POST /api/appointments/check-in``; the server decides
everything (window, lateness) in one command and answers a ticket and a
plain message. On time: straight to the ticket screen (printed as usual).
Late: the message first ("you get a normal ticket"), then the ticket.
Too early, another day, cancelled, unknown: the server's words, in red.
Opened from the home screen's "Tôi đã đặt lịch hẹn" button.
"""

from __future__ import annotations

import re
from typing import Any

from kivy.clock import Clock
from kivy.properties import StringProperty

from queue_server.client import ApiError, ServerUnreachable

from .base import KioskScreen, load_kv

load_kv(__file__)

CODE_KEYS = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
"""The booking codes' letters (no 0/O, 1/I): the on-screen keypad offers only these."""
CODE_LENGTH = 8
LATE_MESSAGE_SECONDS = 6  # long enough to read "you get a normal ticket" before the ticket shows

TEXTS = {
    "vi": {"title": "Tôi đã đặt lịch hẹn", "instruction": "Đưa mã QR đặt lịch vào máy quét, hoặc nhập mã 8 ký tự",
           "send": "Nhận số", "clear": "Xóa", "sending": "Đang kiểm tra lịch hẹn…",
           "short": "Mã đặt lịch có 8 ký tự; xin kiểm tra lại.",
           "unreachable": "Chưa kết nối được máy chủ. Xin thử lại sau giây lát."},
    "en": {"title": "I have an appointment",
           "instruction": "Hold the booking QR code to the scanner, or type the 8-character code",
           "send": "Get my number", "clear": "Clear", "sending": "Checking your appointment…",
           "short": "Booking codes have 8 characters; please check.",
           "unreachable": "The server cannot be reached. Please try again in a moment."},
}


def text(key: str, lang: str) -> str:
    """This screen's words in the kiosk's language (Vietnamese when unknown)."""
    return TEXTS.get(lang, TEXTS["vi"])[key]


def clean_code(raw: str) -> str:
    """What a scanner or a finger typed → the code: the last part of a URL, no spaces or dashes, upper case."""
    value = (raw or "").strip().rstrip("/").rsplit("/", 1)[-1].upper()
    return re.sub(r"[^0-9A-Z]", "", value)[:32]


class CheckinScreen(KioskScreen):
    """Scan or type a booking code; get the appointment ticket."""

    code = StringProperty("")
    status = StringProperty("")
    status_kind = StringProperty("")  # "", "busy", "warn", "error"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._pending = False
        self._later = None

    def on_kv_post(self, *_args: Any) -> None:
        """The keypad: only the letters booking codes use, large enough for any finger."""
        from .. import theme
        from ..widgets import KButton

        for key in CODE_KEYS:
            button = KButton(key=key, text=key, bg=theme.BLUE, font_size=theme.BUTTON * self.app.scale,
                             size_hint_y=None, height=theme.TOUCH_MIN * self.app.scale)
            button.bind(on_release=lambda b: self.press(b.key))
            self.ids.keypad.add_widget(button)

    def on_enter(self, *_args: Any) -> None:
        """Keep the hidden input focused: a USB scanner types into it and ends with Enter."""
        Clock.schedule_once(lambda _dt: self._focus(), 0)

    def _focus(self) -> None:
        self.ids.scanner.focus = True

    def scanned(self, raw: str) -> None:
        """The scanner's Enter (or the Send button): check in that code."""
        self.ids.scanner.text = ""
        self.code = clean_code(raw) or self.code
        self.send()
        Clock.schedule_once(lambda _dt: self._focus(), 0)

    def press(self, key: str) -> None:
        """A key of the on-screen keypad."""
        if key == "backspace":
            self.code = self.code[:-1]
        elif key == "clear":
            self.code = ""
        elif len(self.code) < CODE_LENGTH:
            self.code += key
        self.status, self.status_kind = "", ""

    def send(self) -> None:
        """Ask the server for the ticket of this booking."""
        lang = self.app.lang
        if self._pending:
            return
        if len(self.code) != CODE_LENGTH:
            self.status, self.status_kind = text("short", lang), "error"
            return
        self._pending = True
        self.status, self.status_kind = text("sending", lang), "busy"
        client, code = self.app.client, self.code
        self.call(lambda: client.post_json("/api/appointments/check-in", {"code": code}), self._answered, self._failed)

    def _answered(self, answer: dict[str, Any]) -> None:
        self._pending = False
        ticket = answer["ticket"]
        if answer.get("late"):
            self.status, self.status_kind = answer.get("message", ""), "warn"
            self._later = Clock.schedule_once(lambda _dt: self._show(ticket), LATE_MESSAGE_SECONDS)
        else:
            self._show(ticket)

    def _show(self, ticket: dict[str, Any]) -> None:
        self._later = None
        if self.manager is not None and self.manager.current == self.name:
            self.reset()
            self.app.show_ticket(ticket, self.app.services_cache)

    def _failed(self, error: ApiError, message: str) -> None:
        self._pending = False
        if isinstance(error, ServerUnreachable):
            message = text("unreachable", self.app.lang)
        elif error.message and self.app.lang == "vi":
            message = error.message  # the server's own plain Vietnamese (too early, other day, cancelled…)
        self.status, self.status_kind = message, "error"

    def reset(self) -> None:
        """Forget the code and the message (Home, idle)."""
        if self._later is not None:
            self._later.cancel()
            self._later = None
        self.code, self.status, self.status_kind = "", "", ""
        self._pending = False

    def spoken_text(self, lang: str) -> str:
        """The instruction, or the message on screen."""
        return self.status or text("instruction", lang)
