"""The lobby board's colours, shared by ``board_view.py`` and ``board_view.kv`` (``#:import theme``).

Plain tuples, no Kivy: the kv rules pass them through ``list(...)`` as Kivy's
colour properties want lists.
"""

from __future__ import annotations

Colour = tuple[float, float, float, float]

NAVY: Colour = (0.03, 0.08, 0.18, 1)
HEADER_RED: Colour = (0.6, 0.06, 0.06, 1)
GOLD: Colour = (1.0, 0.84, 0.25, 1)
WHITE: Colour = (1, 1, 1, 1)
GREY: Colour = (0.6, 0.64, 0.7, 1)
AMBER: Colour = (1.0, 0.62, 0.15, 1)
ROSE: Colour = (1.0, 0.54, 0.5, 1)  # a counter closed for today: nobody will come, unlike grey "Chưa mở quầy"
ROW_A: Colour = (0.07, 0.15, 0.32, 1)
ROW_B: Colour = (0.05, 0.11, 0.25, 1)
GRID_HEAD: Colour = (0.12, 0.25, 0.5, 1)
FLASH_ON: Colour = (0.78, 0.05, 0.05, 1)
FLASH_OFF: Colour = (0.02, 0.05, 0.12, 1)
TICKER_BG: Colour = (0.04, 0.09, 0.2, 1)
