"""Thank you: a big smile, then home by itself."""

from __future__ import annotations

from kivy.clock import Clock

from ..texts import tr
from .base import KioskScreen, load_kv

load_kv(__file__)


class ThanksScreen(KioskScreen):
    """Shown after a rating is recorded."""

    _event = None

    def on_enter(self, *_args) -> None:
        """Home after a few seconds."""
        self._event = Clock.schedule_once(lambda _dt: self._leave(), self.app.settings.thanks_seconds)

    def _leave(self) -> None:
        if self.manager is not None and self.manager.current == self.name:
            self.app.go_home()

    def on_leave(self, *_args) -> None:
        """Cancel the timer."""
        if self._event is not None:
            self._event.cancel()
            self._event = None

    def spoken_text(self, lang: str) -> str:
        """Thanks."""
        return tr("thanks.spoken", lang)
