"""The queue's state: tickets, counters and per-service policy counters.

Plain mutable dataclasses owned by one writer. Rules in ``actions`` validate
everything before they change anything, so a rule that raises leaves the
state untouched.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime
from heapq import merge
from typing import Any

WAITING = "waiting"
CALLED = "called"
SERVING = "serving"
DONE = "done"
NO_SHOW = "no_show"
TRANSFERRED = "transferred"
CANCELLED = "cancelled"

TICKET_STATUSES = (WAITING, CALLED, SERVING, DONE, NO_SHOW, TRANSFERRED, CANCELLED)
IN_PROGRESS = (CALLED, SERVING)

COUNTER_CLOSED = "closed"
COUNTER_IDLE = "idle"
COUNTER_SERVING = "serving"
COUNTER_PAUSED = "paused"


@dataclass
class Ticket:
    """One queue ticket. ``queued_at`` orders the queue and survives transfers."""

    id: int
    service: str
    seq: int
    number: str
    day: date
    issued_at: datetime
    queued_at: datetime
    status_token: str
    priority: str | None = None
    status: str = WAITING
    procedure: str | None = None
    device: str | None = None
    called_at: datetime | None = None
    served_at: datetime | None = None
    finished_at: datetime | None = None
    counter: int | None = None
    target_counter: int | None = None
    recalls: int = 0
    transfers: int = 0
    issued_service: str = ""
    # Where the last transfer came from and the sending clerk's note: for the receiving clerk only
    # (the note is staff-only; ``views.clerk_ticket_view`` shows it, no public view carries it).
    transferred_from: int | None = None
    transferred_from_service: str | None = None
    transfer_note: str | None = None

    def __post_init__(self) -> None:
        # The service a ticket was numbered in never changes, even after a
        # transfer: (issued_service, day, seq) is the ticket's unique number.
        if not self.issued_service:
            self.issued_service = self.service

    @property
    def is_priority(self) -> bool:
        """True when the ticket belongs to a priority group."""
        return self.priority is not None

    def order_key(self) -> tuple[datetime, int]:
        """FIFO key: original queue time, then id.

        ``queued_at`` never goes back within a day, so this is issue order.
        """
        return (self.queued_at, self.id)


@dataclass
class CounterState:
    """What a counter is doing now."""

    number: int
    state: str = COUNTER_CLOSED
    current: int | None = None
    pause_reason: str | None = None
    clerk: str | None = None
    # The admin closed it for the day (/admin "Quầy hôm nay"): out of routing and estimates until
    # opened again or the next day (``today_counters``); ``state`` stays "closed" for older screens.
    closed_today: bool = False


@dataclass
class ServiceState:
    """Per-service memory of the priority policy and recent service times."""

    code: str
    normals_since_priority: int = 0
    recent_service_s: deque[float] = field(default_factory=lambda: deque(maxlen=20))


@dataclass(frozen=True)
class Event:
    """Something that happened, as pushed to displays and stored in the event log."""

    type: str
    data: dict[str, Any]
    ticket_id: int | None = None
    counter: int | None = None


@dataclass
class Outcome:
    """What a rule changed: events to publish and records to persist."""

    events: list[Event] = field(default_factory=list)
    tickets: dict[int, Ticket] = field(default_factory=dict)
    counters: dict[int, CounterState] = field(default_factory=dict)
    services: dict[str, ServiceState] = field(default_factory=dict)

    def touch_ticket(self, ticket: Ticket) -> None:
        """Mark a ticket as changed."""
        self.tickets[ticket.id] = ticket

    def touch_counter(self, counter: CounterState) -> None:
        """Mark a counter as changed."""
        self.counters[counter.number] = counter

    def merge(self, other: Outcome) -> None:
        """Fold another outcome into this one, events in order."""
        self.events.extend(other.events)
        self.tickets.update(other.tickets)
        self.counters.update(other.counters)
        self.services.update(other.services)


class WaitingLine:
    """The waiting tickets of one service, kept sorted by queue key in two groups.

    Sorted lists of ``(queued_at, id)`` make "who is oldest" and "how many are
    before this key" binary searches, so counting people ahead stays fast
    even with thousands waiting.
    """

    def __init__(self) -> None:
        self.priority: list[tuple[datetime, int]] = []
        self.normal: list[tuple[datetime, int]] = []

    def _group(self, ticket: Ticket) -> list[tuple[datetime, int]]:
        return self.priority if ticket.is_priority else self.normal

    def add(self, ticket: Ticket) -> None:
        """Insert a ticket at its place by issue time."""
        insort(self._group(ticket), ticket.order_key())

    def remove(self, ticket: Ticket) -> None:
        """Take a ticket out of the line (no-op when absent)."""
        group = self._group(ticket)
        key = ticket.order_key()
        index = bisect_left(group, key)
        if index < len(group) and group[index] == key:
            del group[index]

    def __len__(self) -> int:
        return len(self.priority) + len(self.normal)

    def ids_in_order(self) -> list[int]:
        """All waiting ids by issue time, whatever their group."""
        return [key[1] for key in merge(self.priority, self.normal)]


@dataclass
class ClockWatch:
    """What the queue remembers of the office clock, to tell a clock that runs from one that was set.

    ``held_day`` is a later day the clock reached by a jump, not believed yet;
    ``held_s`` is how long (real seconds) it has been seen since; ``last_jump``
    is the latest jump, ``(what a running clock would show, what it showed, seconds)``, for the admin.
    """

    last_now: datetime | None = None
    held_day: date | None = None
    held_s: float = 0.0
    last_jump: tuple[datetime, datetime, float] | None = None


@dataclass
class QueueState:
    """The whole live queue of one office for its current service day.

    ``lines`` index waiting tickets per service so that choosing and counting
    never scan the whole day's tickets; change a ticket's status or service
    only through ``set_status`` and ``move_to_service``.
    """

    day: date | None
    tickets: dict[int, Ticket] = field(default_factory=dict)
    counters: dict[int, CounterState] = field(default_factory=dict)
    services: dict[str, ServiceState] = field(default_factory=dict)
    last_seq: dict[str, int] = field(default_factory=dict)
    lines: dict[str, WaitingLine] = field(default_factory=dict)
    by_token: dict[str, int] = field(default_factory=dict)
    targeted: set[int] = field(default_factory=set)  # waiting tickets sent to one counter
    next_ticket_id: int = 1
    last_event_id: int = 0
    last_queued_at: datetime | None = None  # the queue's time never goes back within a day (see issue_ticket)
    clock: ClockWatch = field(default_factory=ClockWatch)

    def line(self, service_code: str) -> WaitingLine:
        """The waiting line of a service (created empty on first use)."""
        line = self.lines.get(service_code)
        if line is None:
            line = self.lines[service_code] = WaitingLine()
        return line

    def add_ticket(self, ticket: Ticket) -> None:
        """Put a ticket (new or loaded) into the state and its line."""
        self.tickets[ticket.id] = ticket
        self.by_token[ticket.status_token] = ticket.id
        if ticket.status == WAITING:
            self.line(ticket.service).add(ticket)
        self._index_target(ticket)

    def set_status(self, ticket: Ticket, status: str) -> None:
        """Change a ticket's status, keeping the waiting lines right."""
        if ticket.status == WAITING:
            self.line(ticket.service).remove(ticket)
        ticket.status = status
        if status == WAITING:
            self.line(ticket.service).add(ticket)
        self._index_target(ticket)

    def _index_target(self, ticket: Ticket) -> None:
        """Keep ``targeted`` to the waiting tickets that only one counter may call."""
        if ticket.status == WAITING and ticket.target_counter is not None:
            self.targeted.add(ticket.id)
        else:
            self.targeted.discard(ticket.id)

    def move_to_service(self, ticket: Ticket, service_code: str) -> None:
        """Change a ticket's service, keeping the waiting lines right."""
        was_waiting = ticket.status == WAITING
        if was_waiting:
            self.line(ticket.service).remove(ticket)
        ticket.service = service_code
        if was_waiting:
            self.line(service_code).add(ticket)

    def waiting_in(self, service_code: str) -> list[Ticket]:
        """Waiting tickets of one service in FIFO order."""
        return [self.tickets[i] for i in self.line(service_code).ids_in_order()]

    def waiting_count(self, service_code: str) -> int:
        """How many tickets of this service wait."""
        return len(self.line(service_code))

    def today_by_number(self, number: str) -> int | None:
        """The id of today's ticket printed with ``number``: a callable one (waiting, absent) first, then the latest.

        Numbers restart each day and two fields may share a prefix; a waiting ticket is the one a clerk means.
        """
        wanted = number.strip().upper()
        matches = [t for t in self.tickets.values() if t.number == wanted and t.day == self.day]
        if not matches:
            return None
        return max(matches, key=lambda t: (t.status in (WAITING, NO_SHOW), t.id)).id

    def current_ticket(self, counter_number: int) -> Ticket | None:
        """The ticket called or served at this counter, if any."""
        counter = self.counters[counter_number]
        if counter.current is None:
            return None
        return self.tickets.get(counter.current)
