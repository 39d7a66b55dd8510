"""Home: office name, clock, three very large buttons, hotline, language and read-aloud."""

from __future__ import annotations

from ..texts import home_spoken
from .base import KioskScreen, load_kv

load_kv(__file__)


class HomeScreen(KioskScreen):
    """The kiosk's resting screen."""

    def spoken_text(self, lang: str) -> str:
        """A welcome that names each button by its words (and its real colour)."""
        return home_spoken(lang)
