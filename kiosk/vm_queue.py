"""View-models of taking a number and of the ticket screen (pure, no Kivy, no network)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .texts import join_numbers, spell_ticket_number, tr, wait_sentence

PRINT_PENDING, PRINT_OK, PRINT_FAILED, PRINT_NONE = "printing", "printed", "failed", "no_printer"


@dataclass(frozen=True)
class ServiceRow:
    """One field's button on the take-a-number screen."""

    code: str
    name: str
    waiting_text: str
    wait_text: str
    counters_text: str
    accepting: bool = True  # False: no open counter takes it today, the card is greyed and gives no number


def is_accepting(service: dict[str, Any]) -> bool:
    """False only when the server says no counter open today takes this field (a server without the key: True)."""
    return service.get("accepting") is not False


def service_accepting(service_code: str, services: list[dict[str, Any]]) -> bool:
    """Whether a field takes tickets today, from the last services list (unknown: True, the server decides)."""
    return next((is_accepting(s) for s in services if s.get("code") == service_code), True)


def service_rows(services: list[dict[str, Any]], lang: str) -> list[ServiceRow]:
    """The services from ``GET /api/services`` as the buttons show them."""
    rows = []
    for service in services:
        counters = service.get("counters") or []
        waiting = int(service.get("waiting") or 0)
        if not is_accepting(service):
            rows.append(closed_row(service, lang))
            continue
        rows.append(ServiceRow(
            code=service["code"],
            name=service.get("name") or service["code"],
            waiting_text=tr("take.waiting", lang, n=waiting) if waiting else tr("take.nobody_waiting", lang),
            wait_text=wait_sentence("take.wait_estimate", service, lang) if waiting else "",
            counters_text=tr("take.counters", lang, counters=join_numbers(counters, lang)) if counters else "",
        ))
    return rows


def closed_row(service: dict[str, Any], lang: str) -> ServiceRow:
    """A field closed today: what to do instead of who waits (the tickets already waiting are still called)."""
    return ServiceRow(code=service["code"], name=service.get("name") or service["code"],
                      waiting_text=tr("take.closed_today", lang), wait_text="",
                      counters_text=tr("take.closed_today.hint", lang), accepting=False)


NO_PRIORITY = ""
"""The answer "Không" to the priority question: a normal ticket."""


@dataclass(frozen=True)
class PriorityChoice:
    """One big button under "Quý khách thuộc diện ưu tiên?"."""

    code: str  # an API priority code, or NO_PRIORITY
    label: str


def priority_choices(groups: tuple[str, ...] | list[str], lang: str) -> list[PriorityChoice]:
    """The answers to the priority question: the office's groups, then "Không".

    Asked after the field is tapped, so nobody gets a normal ticket by tapping
    the field before reading a strip of priority buttons below it.
    """
    choices = [PriorityChoice(code, tr(f"priority.{code}", lang)) for code in groups]
    return [*choices, PriorityChoice(NO_PRIORITY, tr("take.priority.none", lang))]


def priority_question_spoken(groups: tuple[str, ...] | list[str], lang: str) -> str:
    """The question read aloud with every group's words ("a / b" read as "a hoặc b")."""
    alternative = " hoặc " if lang == "vi" else " or "
    labels = [tr(f"priority.{code}", lang).replace(" / ", alternative) for code in groups]
    return tr("take.priority.spoken", lang, groups=", ".join(labels))


@dataclass
class TicketRequest:
    """One citizen's request for a ticket, kept with its idempotency key until it succeeds.

    Every retry sends the same key, so a request that reached the server but
    whose answer was lost never issues a second ticket.
    """

    service: str
    priority: str | None
    procedure: str | None
    key: str
    attempts: int = 0
    error: str = ""

    def body(self) -> dict[str, Any]:
        """Arguments for ``QueueClient.issue_ticket``."""
        return {"service": self.service, "priority": self.priority, "procedure": self.procedure,
                "idempotency_key": self.key}


class TicketRequester:
    """Issues at most one request at a time; retries unreachable ones with the same key.

    ``new_key`` makes a key for a *new* request; ``send(request)`` runs the call
    (off the UI thread, done by the caller). The screen asks ``status_text``.
    """

    def __init__(self, new_key: Callable[[], str]) -> None:
        self.new_key = new_key
        self.pending: TicketRequest | None = None
        self.retrying = False

    def start(self, service: str, priority: str | None, procedure: str | None = None) -> TicketRequest | None:
        """A tap on a field: a new request, or None while one is already under way."""
        if self.pending is not None:
            return None
        self.pending = TicketRequest(service, priority, procedure, self.new_key())
        self.retrying = False
        return self.pending

    def attempt(self) -> TicketRequest | None:
        """The request to send now (counts the attempt)."""
        if self.pending is not None:
            self.pending.attempts += 1
        return self.pending

    def unreachable(self) -> None:
        """No answer: keep the request and its key, retry later."""
        self.retrying = True

    def failed(self, message: str) -> None:
        """The server refused: drop the request (a new tap is a new request) and show why."""
        if self.pending is not None:
            self.pending.error = message
        self.pending = None
        self.retrying = False

    def succeeded(self) -> None:
        """The ticket exists: the key is spent."""
        self.pending = None
        self.retrying = False

    def abandon(self) -> None:
        """The citizen left the screen: forget the request and its key."""
        self.pending = None
        self.retrying = False

    def status_text(self, lang: str) -> str:
        """What the screen says while a request is under way."""
        if self.pending is None:
            return ""
        if self.retrying:
            return tr("take.retrying", lang, attempt=self.pending.attempts)
        return tr("take.issuing", lang)


@dataclass
class TicketView:
    """The ticket screen: number, field, counters, people ahead, QR and printing state."""

    ticket: dict[str, Any]
    service_name: str
    counters: list[int] = field(default_factory=list)
    print_state: str = PRINT_PENDING
    print_message: str = ""

    @property
    def number(self) -> str:
        """The big number."""
        return str(self.ticket.get("number", ""))

    @property
    def qr_url(self) -> str:
        """The ticket's public status page."""
        return str(self.ticket.get("status_url") or "")

    def lines(self, lang: str) -> dict[str, str]:
        """Every text of the screen, by role."""
        ahead = int(self.ticket.get("ahead") or 0)
        priority = self.ticket.get("priority")
        return {
            "title": tr("ticket.title", lang),
            "number": self.number,
            "service": tr("ticket.service", lang, service=self.service_name),
            "counters": (tr("ticket.counters", lang, counters=join_numbers(self.counters, lang))
                         if self.counters else ""),
            "ahead": tr("ticket.ahead", lang, n=ahead),
            "wait": wait_sentence("ticket.wait", self.ticket, lang),
            "priority": tr("ticket.priority", lang, priority=tr(f"priority.{priority}", lang)) if priority else "",
            "qr": tr("ticket.qr", lang),
            "print": self.print_text(lang),
        }

    def print_text(self, lang: str) -> str:
        """The printing line: under way, done, or failed with what to do."""
        if self.print_state == PRINT_PENDING:
            return tr("ticket.printing", lang)
        if self.print_state == PRINT_OK:
            return tr("ticket.printed", lang)
        if self.print_state == PRINT_NONE:
            return tr("ticket.no_printer", lang, number=self.number)
        text = tr("ticket.print_failed", lang, number=self.number)
        return f"{text}\n({self.print_message})" if self.print_message else text

    @property
    def print_failed(self) -> bool:
        """Whether the citizen has no paper ticket."""
        return self.print_state in (PRINT_FAILED, PRINT_NONE)

    def screen_seconds(self, normal: int, failed: int) -> int:
        """How long the ticket stays on screen: longer when there is no paper."""
        return failed if self.print_failed else normal

    def spoken(self, lang: str) -> str:
        """The ticket read aloud, the number digit by digit."""
        ahead = int(self.ticket.get("ahead") or 0)
        key = "ticket.spoken" if ahead else "ticket.spoken.nobody_ahead"  # never "Có 0 người"
        return tr(key, lang, number_spoken=spell_ticket_number(self.number), service=self.service_name,
                  counters=join_numbers(self.counters, lang), n=ahead)


def counters_of(service_code: str, services: list[dict[str, Any]]) -> list[int]:
    """The counters serving a field, from the last services list."""
    for service in services:
        if service.get("code") == service_code:
            return list(service.get("counters") or [])
    return []


def service_name(service_code: str, services: list[dict[str, Any]], ticket: dict[str, Any] | None = None) -> str:
    """A field's name, from the ticket itself or the services list."""
    if ticket and ticket.get("service_name"):
        return str(ticket["service_name"])
    for service in services:
        if service.get("code") == service_code:
            return str(service.get("name") or service_code)
    return service_code
