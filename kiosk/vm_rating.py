"""View-model of rating the service (pure): who is rated, the overall level, reasons, details."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from .texts import LOW_RATING_LEVELS, RATING_LEVELS, tr

TICKET_NUMBER = re.compile(r"^[A-Z]{0,2}\d{1,6}$")
"""What a ticket number looks like (prefix letters and digits: A012, 1002)."""

MAX_COMMENT = 500


def clean_ticket_input(raw: str) -> str:
    """A typed or scanned ticket: a number in upper case (a004 → A004); a scanned status URL keeps
    its token (the last part of the path, case kept), which the ratings API accepts too."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFC", raw))
    if "/" in text:
        return text.rstrip("/").rsplit("/", 1)[-1]
    return text.upper() if len(text) <= 8 else text


@dataclass
class RatingDraft:
    """A rating being built on screen."""

    ticket: str = ""
    counter: int | None = None
    overall: str | None = None
    reasons: list[str] = field(default_factory=list)
    criteria: dict[str, str] = field(default_factory=dict)
    comment: str = ""

    def subject_ready(self) -> bool:
        """Whether the citizen has said which service they rate (ticket or counter)."""
        return self.counter is not None or bool(TICKET_NUMBER.match(self.ticket) or len(self.ticket) > 8)

    def type_ticket(self, key: str) -> None:
        """Keypad input for the ticket number (``backspace`` and ``clear`` edit)."""
        if key == "backspace":
            self.ticket = self.ticket[:-1]
        elif key == "clear":
            self.ticket = ""
        elif len(self.ticket) < 8:
            self.ticket = clean_ticket_input(self.ticket + key)
        self.counter = None

    def choose_counter(self, number: int) -> None:
        """The citizen picks the counter instead of the ticket."""
        self.counter, self.ticket = number, ""

    def choose_overall(self, level: str) -> None:
        """The overall answer; a higher level drops reasons given for a lower one."""
        if level not in RATING_LEVELS:
            raise ValueError(level)
        self.overall = level
        if not self.asks_why():
            self.reasons = []

    def asks_why(self) -> bool:
        """At the two lowest levels the kiosk asks why."""
        return self.overall in LOW_RATING_LEVELS

    def toggle_reason(self, code: str) -> None:
        """Tap a reason on or off."""
        if code in self.reasons:
            self.reasons.remove(code)
        else:
            self.reasons.append(code)

    def rate_criterion(self, code: str, level: str) -> None:
        """A detailed criterion; the same level again clears it."""
        if self.criteria.get(code) == level:
            del self.criteria[code]
        else:
            self.criteria[code] = level

    def subject_text(self, lang: str) -> str:
        """"Phiếu A012" or "Quầy 3"."""
        if self.counter is not None:
            return tr("rate.for_counter", lang, counter=self.counter)
        return tr("rate.for_ticket", lang, ticket=self.ticket)

    def body(self) -> dict[str, Any]:
        """The ``POST /api/ratings`` body (docs/api.md), plus ``counter`` and ``reasons`` beside it."""
        if self.overall is None:
            raise ValueError("no overall level chosen")
        body: dict[str, Any] = {"overall": self.overall}
        if self.counter is not None:
            body["counter"] = self.counter
        else:
            body["ticket"] = self.ticket
        if self.criteria:
            body["criteria"] = dict(self.criteria)
        if self.reasons:
            body["reasons"] = list(self.reasons)
        comment = unicodedata.normalize("NFC", self.comment).strip()[:MAX_COMMENT]
        if comment:
            body["comment"] = comment
        return body
