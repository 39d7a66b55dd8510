"""Rating, step 1: which service is rated — the ticket number (typed or scanned) or the counter."""

from __future__ import annotations

from typing import Any

from kivy.core.window import Window
from kivy.properties import BooleanProperty, StringProperty

from .. import theme
from ..texts import tr
from ..vm_rating import RatingDraft, clean_ticket_input
from ..widgets import KButton
from .base import KioskScreen, load_kv

load_kv(__file__)

ENTER_KEYS = (13, 271)  # Return and keypad Enter: a barcode scanner ends its input with one


class RateSubjectScreen(KioskScreen):
    """Keypad for the ticket number, or a counter button."""

    ticket_text = StringProperty("")
    ready = BooleanProperty(False)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.draft = RatingDraft()
        self._counter_buttons: dict[int, KButton] = {}
        self._scanned = ""

    def on_kv_post(self, base_widget: Any) -> None:
        """Hook the keypad."""
        self.ids.keypad.bind(on_key=lambda _pad, key: self.press(key))

    def on_pre_enter(self, *_args) -> None:
        """Offer the office's prefixes and counters; listen to a scanner."""
        prefixes = sorted({s.get("prefix") for s in self.app.services_cache if s.get("prefix")})
        if prefixes:
            self.ids.keypad.prefixes = prefixes[:5]
        if not self._counter_buttons:
            for number in self.app.settings.counters:
                button = KButton(text=tr("rate.counter", self.app.lang, n=number), key=str(number), bg=theme.BLUE,
                                 size_hint_y=None, height=120 * self.app.scale)
                button.bind(on_release=lambda b: self.choose_counter(int(b.key)))
                self._counter_buttons[number] = button
                self.ids.counters.add_widget(button)
        for number, button in self._counter_buttons.items():
            button.text = tr("rate.counter", self.app.lang, n=number)
        Window.bind(on_textinput=self._scanner_text, on_key_down=self._scanner_key)
        self._show()

    def on_leave(self, *_args) -> None:
        """Stop listening to the scanner."""
        Window.unbind(on_textinput=self._scanner_text, on_key_down=self._scanner_key)

    def _scanner_text(self, _window: Any, text: str) -> None:
        self._scanned += text

    def _scanner_key(self, _window: Any, key: int, *_args: Any) -> None:
        if key in ENTER_KEYS and self._scanned:
            self.draft.ticket, self.draft.counter = clean_ticket_input(self._scanned), None
            self._scanned = ""
            self._show()
            if self.draft.subject_ready():
                self.next()

    def press(self, key: str) -> None:
        """Keypad input."""
        self.draft.type_ticket(key)
        self._show()

    def choose_counter(self, number: int) -> None:
        """Rate a counter instead of a ticket, and go on."""
        self.draft.choose_counter(number)
        self._show()
        self.next()

    def next(self) -> None:
        """To the overall question."""
        if self.draft.subject_ready():
            self.app.go("rate_overall")

    def _show(self) -> None:
        self.ticket_text = self.draft.ticket
        self.ready = self.draft.subject_ready()
        for number, button in self._counter_buttons.items():
            button.selected = self.draft.counter == number

    def reset(self) -> None:
        """A new citizen, a new draft."""
        self.draft = RatingDraft()
        self._scanned = ""
        self._show()

    def spoken_text(self, lang: str) -> str:
        """The instruction."""
        return tr("rate.ticket.spoken", lang)
