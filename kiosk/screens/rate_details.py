"""Rating, step 3: why (at the low levels), optional criteria and comment, then send."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

from queue_server.client import ApiError, ServerUnreachable

from .. import theme
from ..texts import RATING_LEVELS, label_for, tr
from ..widgets import KButton
from .base import KioskScreen, load_kv

load_kv(__file__)


class CriterionFace(KButton):
    """A small face to rate one criterion."""

    level = StringProperty("neutral")


class RateDetailsScreen(KioskScreen):
    """Reasons as big toggles; each criterion with four small faces; a comment; Send."""

    asks_why = BooleanProperty(False)
    overall_text = StringProperty("")
    comment_text = StringProperty("")
    error = StringProperty("")
    sending = BooleanProperty(False)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._reason_buttons: dict[str, KButton] = {}
        self._criterion_buttons: dict[tuple[str, str], KButton] = {}
        self._retry_event = None
        self._attempts = 0
        self._built_for: tuple | None = None

    @property
    def draft(self) -> Any:
        """The rating being built (held by step 1)."""
        return self.app.screens["rate_subject"].draft

    def on_pre_enter(self, *_args) -> None:
        """Build the reasons and criteria in the current language."""
        self.error = ""
        self._build()
        self._show()

    def _build(self) -> None:
        """The buttons, once per language and size: rebuilt on every visit they cost the tap's frame
        a few dozen widgets and a new texture for every label."""
        lang, scale = self.app.lang, self.app.scale
        settings = self.app.settings
        if self._built_for == (lang, scale, settings):
            return
        self._built_for = (lang, scale, settings)
        reasons = self.ids.reasons
        reasons.clear_widgets()
        self._reason_buttons = {}
        for code in settings.reasons:
            button = KButton(text=label_for("reason", code, lang, settings.labels), key=code, size_hint_y=None,
                             height=110 * scale, font_size=theme.BODY * scale)
            button.bind(on_release=lambda b: self.toggle_reason(b.key))
            self._reason_buttons[code] = button
            reasons.add_widget(button)
        criteria = self.ids.criteria
        criteria.clear_widgets()
        self._criterion_buttons = {}
        for code in settings.criteria:
            row = BoxLayout(size_hint_y=None, height=theme.TOUCH_MIN * scale, spacing=10 * scale)
            row.add_widget(Label(text=label_for("criterion", code, lang, settings.labels), color=theme.TEXT,
                                 font_size=theme.BODY * scale, halign="left", valign="middle",
                                 size_hint_x=2.6, text_size=(None, None)))
            row.children[0].bind(size=lambda label, size: setattr(label, "text_size", size))
            for level in RATING_LEVELS:
                button = CriterionFace(key=f"{code}|{level}", level=level)
                button.bind(on_release=lambda b: self.rate_criterion(*b.key.split("|")))
                self._criterion_buttons[(code, level)] = button
                row.add_widget(button)
            criteria.add_widget(row)

    def toggle_reason(self, code: str) -> None:
        """A reason on or off."""
        self.draft.toggle_reason(code)
        self._show()

    def rate_criterion(self, code: str, level: str) -> None:
        """One criterion's level (again: cleared)."""
        self.draft.rate_criterion(code, level)
        self._show()

    def _show(self) -> None:
        draft, lang = self.draft, self.app.lang
        self.asks_why = draft.asks_why()
        self.overall_text = f"{draft.subject_text(lang)} — {tr(f'rate.{draft.overall}', lang)}" if draft.overall else ""
        self.comment_text = draft.comment
        for code, button in self._reason_buttons.items():
            chosen = code in draft.reasons
            button.selected = chosen
            button.bg = theme.ORANGE if chosen else theme.SELECTED
            button.fg = theme.WHITE if chosen else theme.TEXT
        for (code, level), button in self._criterion_buttons.items():
            button.selected = draft.criteria.get(code) == level

    def send(self) -> None:
        """Post the rating; an unreachable server is retried with the same body."""
        if self.sending:
            return
        self.sending = True
        self.error = ""
        self._attempts = 0
        self._post()

    def _post(self, *_args) -> None:
        self._retry_event = None
        self._attempts += 1
        body = self.draft.body()
        client = self.app.client
        self.call(lambda: client.rate(body), lambda _r: self._sent(), self._failed)

    def _sent(self) -> None:
        self.sending = False
        self.app.go("thanks")

    def _failed(self, error: ApiError, message: str) -> None:
        if not self.sending:
            return
        if isinstance(error, ServerUnreachable):
            self.error = tr("rate.error", self.app.lang, message=message) + " " + tr("offline.banner", self.app.lang)
            self._retry_event = Clock.schedule_once(self._post, self.app.settings.retry_seconds)
            return
        if error.status == 409 and self._attempts > 1:
            return self._sent()  # our earlier attempt arrived; its answer was lost
        self.sending = False
        shown = error.message and message != error.message  # the server's own words, when they say more
        detail = f" [{error.status} {error.code}: {error.message}]" if shown else ""
        self.error = tr("rate.error", self.app.lang, message=message) + detail

    def on_leave(self, *_args) -> None:
        """Stop retrying when the citizen leaves."""
        if self._retry_event is not None:
            self._retry_event.cancel()
            self._retry_event = None
        self.sending = False

    def spoken_text(self, lang: str) -> str:
        """Why, when asked; otherwise how to send."""
        if self.error:
            return self.error
        return tr("rate.details.spoken", lang)
