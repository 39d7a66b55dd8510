"""Rating, step 2: the overall question on the 4-level scale, as large coloured faces."""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from ..texts import RATING_LEVELS, tr
from .base import KioskScreen, load_kv

load_kv(__file__)


class FaceButton(ButtonBehavior, BoxLayout):
    """A face with its words under it."""

    level = StringProperty("neutral")
    label = StringProperty("")
    selected = BooleanProperty(False)


class RateOverallScreen(KioskScreen):
    """Four faces: Rất hài lòng, Hài lòng, Bình thường, Không hài lòng."""

    subject = StringProperty("")

    def on_kv_post(self, base_widget: Any) -> None:
        """One face per level."""
        for level in RATING_LEVELS:
            button = FaceButton(level=level)
            button.bind(on_release=lambda b: self.choose(b.level))
            self.ids.faces.add_widget(button)

    def on_pre_enter(self, *_args) -> None:
        """Name what is rated, label the faces in the current language."""
        draft = self.app.screens["rate_subject"].draft
        self.subject = draft.subject_text(self.app.lang)
        for button in self.ids.faces.children:
            button.label = tr(f"rate.{button.level}", self.app.lang)
            button.selected = draft.overall == button.level

    def choose(self, level: str) -> None:
        """The answer; then details (and why, at the low levels)."""
        self.app.screens["rate_subject"].draft.choose_overall(level)
        self.app.go("rate_details")

    def spoken_text(self, lang: str) -> str:
        """The question and how to answer."""
        return tr("rate.question", lang) + " " + tr("rate.spoken", lang)
