"""Rating, optional: a comment typed on the on-screen Vietnamese keyboard."""

from __future__ import annotations

from typing import Any

from kivy.properties import StringProperty

from ..texts import tr
from ..vm_rating import MAX_COMMENT
from ..vnkeys import type_key
from .base import KioskScreen, load_kv

load_kv(__file__)


class RateCommentScreen(KioskScreen):
    """A comment box and the keyboard; Done returns to the rating."""

    comment = StringProperty("")

    def on_kv_post(self, base_widget: Any) -> None:
        """Hook the keyboard."""
        self.ids.keyboard.bind(on_key=lambda _kb, key: self.press(key))

    def on_pre_enter(self, *_args) -> None:
        """Start from the draft's comment."""
        self.comment = self.app.screens["rate_subject"].draft.comment
        lang = self.app.lang
        self.ids.keyboard.labels = [tr("key.space", lang), tr("key.backspace", lang)]

    def press(self, key: str) -> None:
        """One key."""
        text = type_key(self.comment, key)
        self.comment = text[:MAX_COMMENT]
        self.app.screens["rate_subject"].draft.comment = self.comment

    def done(self) -> None:
        """Back to the rating."""
        self.app.go_back()

    def spoken_text(self, lang: str) -> str:
        """What was typed so far."""
        return self.comment or tr("rate.comment", lang)
