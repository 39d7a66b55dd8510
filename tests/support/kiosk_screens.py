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


def answer_priority(d: Any, screen: Any, code: str = "") -> None:
    """Answer "Quý khách thuộc diện ưu tiên?" after a field was tapped: a group's code, or "" for "Không"."""
    d.wait_until(lambda: screen.asking, what="the priority question")
    d.tap(screen._priority_buttons[code] if code else screen.ids.no_priority_button)


def take_ticket(d: Any, screen: Any, index: int = 0, priority: str = "") -> None:
    """Tap the index-th field and answer the priority question, as a citizen does to get a ticket."""
    d.tap(field_button(screen, index))
    answer_priority(d, screen, priority)
