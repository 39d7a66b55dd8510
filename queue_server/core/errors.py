"""Named errors raised by the queue rules.

Each carries a stable ``code`` (used in the API's error shape) and a message
that tells a person what to do. The HTTP layer maps them to statuses in one
table (``queue_server.web.errors``).
"""

from __future__ import annotations


class QueueError(Exception):
    """Base of every rule violation a client can cause."""

    code = "queue_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnknownService(QueueError):
    """The service code is not configured in this office."""

    code = "unknown_service"


class UnknownCounter(QueueError):
    """The counter number is not configured in this office."""

    code = "unknown_counter"


class UnknownTicket(QueueError):
    """No ticket has this id."""

    code = "unknown_ticket"


class InvalidPriority(QueueError):
    """The priority code is not one this office accepts."""

    code = "invalid_priority"


class InvalidRequest(QueueError):
    """A value is present but not acceptable (empty reason, same counter…)."""

    code = "invalid_request"


class NoCurrentTicket(QueueError):
    """The counter has no called or serving ticket to act on."""

    code = "no_current_ticket"


class CounterBusy(QueueError):
    """The counter still has a ticket in progress and the office refuses to skip it."""

    code = "counter_busy"


class TicketNotCallable(QueueError):
    """The ticket cannot be called now (already served, grace over, other counter)."""

    code = "ticket_not_callable"


class CounterNotPaused(QueueError):
    """Resume was pressed on a counter that is not paused."""

    code = "counter_not_paused"


class AlreadyServing(QueueError):
    """"Start" was pressed for a ticket already being served."""

    code = "already_serving"


class TicketInProgress(QueueError):
    """Pause was pressed while the counter still has a called or serving ticket: that citizen would be
    sent to a paused counter."""

    code = "ticket_in_progress"


class CounterClosedToday(QueueError):
    """The admin closed this counter for today (/admin "Quầy hôm nay"): it calls nobody and takes no transfer."""

    code = "counter_closed_today"


class ServiceClosedToday(QueueError):
    """No counter open today takes this field: a ticket for it would wait for nobody."""

    code = "service_closed_today"


class TicketsLeftUnserved(QueueError):
    """Closing the counter (or moving its fields) would leave waiting tickets that no open counter may call."""

    code = "tickets_left_unserved"
