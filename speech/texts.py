"""What is said for a call: the call sentences (pure text, no audio), with ``wording``'s number reading."""

from __future__ import annotations

from wording import read_digits, read_number, read_ticket_number
from wording.numbers import DIGITS

__all__ = ["DIGITS", "announcement_text", "english_text", "read_digits", "read_number", "read_ticket_number"]
"""The number reading lives in ``wording`` (one vocabulary for the kiosk, the boards and the server)."""


def announcement_text(number: str, counter: int | str, mode: str = "digits") -> str:
    """The Vietnamese call: "Xin mời công dân có số thứ tự … đến quầy số …"."""
    counter_words = read_number(int(counter)) if str(counter).isdigit() else str(counter)
    return f"Xin mời công dân có số thứ tự {read_ticket_number(number, mode)}, đến quầy số {counter_words}."


def english_text(number: str, counter: int | str) -> str:
    """The optional English line."""
    spelled = " ".join(number.strip())
    return f"Ticket number {spelled}, please come to counter {counter}."
