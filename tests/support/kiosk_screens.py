"""Steps through the kiosk's real screens in the end-to-end tests (the ``d`` driver of tests/kiosk/conftest.py)."""

from __future__ import annotations

from typing import Any


def field_button(screen: Any, index: int = 0) -> Any:
    """The index-th field button on the take-number screen, in the order a person reads them."""
    screen_buttons = list(reversed(screen.ids.services.children))
    return screen_buttons[index]


def wait_fields(d: Any) -> Any:
    """The take-number screen once its fields have loaded from the server."""
    screen = d.at("take_number")
    d.wait_until(lambda: screen.ids.services.children and not screen.loading, what="fields")
    return screen
