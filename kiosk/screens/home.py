"""Home: office name, clock, three very large buttons, hotline, language and read-aloud."""

from __future__ import annotations

from ..texts import tr
from .base import KioskScreen, load_kv

load_kv(__file__)


class HomeScreen(KioskScreen):
    """The kiosk's resting screen."""

    def spoken_text(self, lang: str) -> str:
        """A welcome that says which button does what, by colour."""
        return tr("home.spoken", lang)
