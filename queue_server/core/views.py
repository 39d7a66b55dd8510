"""The public shapes of tickets, counters, services and events (docs/api.md).

Pure functions from state to JSON-ready dicts. Nothing here names a person:
a ticket is a number, a field and a counter.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from wording import wait_promise

from .estimate import WaitEstimate, estimate_wait
from .model import DONE, WAITING, Event, QueueState, Ticket
from .office import Office
from .open_counters import open_counters_for
from .selection import estimated_wait_s, people_ahead


def local_iso(moment: datetime | None, office: Office) -> str | None:
    """ISO 8601 with the office's offset, or None."""
    if moment is None:
        return None
    return moment.astimezone(office.tz).isoformat(timespec="seconds")


def status_url(office: Office, ticket: Ticket, base_url: str = "") -> str:
    """The public page of a ticket: carries an unguessable token, not the id.

    The office's ``public_url`` wins (a DNS name or a reverse proxy the operator set); else
    ``base_url``, the address the caller reached the server at (the web layer passes it in);
    else the path alone, for ``complete_status_url`` to finish at the edge.
    """
    base = office.public_url or base_url
    return f"{base.rstrip('/')}/t/{ticket.status_token}"


def complete_status_url(view: dict[str, Any], base_url: str) -> dict[str, Any]:
    """A ticket view whose status link is a bare path (built with no request, e.g. in the
    writer thread) made absolute with ``base_url``; any other view is returned as it is."""
    link = view.get("status_url")
    if not base_url or not isinstance(link, str) or not link.startswith("/"):
        return view
    return {**view, "status_url": base_url.rstrip("/") + link}


def ticket_view(state: QueueState, office: Office, ticket: Ticket, now: datetime,
                base_url: str = "") -> dict[str, Any]:
    """A ticket as the API shows it, with people ahead, the estimated wait and its status link (see ``status_url``)."""
    service = office.service(ticket.service)
    if ticket.status == WAITING and ticket.day == state.day:
        ahead = people_ahead(state, office, ticket, now)
        estimate = estimate_wait(state, office, ticket.service, ahead, now)
    else:
        ahead, estimate = 0, WaitEstimate(0)
    counter = office.counter(ticket.counter) if ticket.counter is not None else None
    return {
        "id": ticket.id,
        "number": ticket.number,
        "service": ticket.service,
        "service_name": service.name if service else ticket.service,
        "priority": ticket.priority,
        "status": ticket.status,
        "issued_at": local_iso(ticket.issued_at, office),
        "called_at": local_iso(ticket.called_at, office),
        "finished_at": local_iso(ticket.finished_at, office),
        "counter": ticket.counter,
        "counter_name": counter.name if counter else None,
        "target_counter": ticket.target_counter,
        "procedure": ticket.procedure,
        "recalls": ticket.recalls,
        "transfers": ticket.transfers,
        "ahead": ahead,
        **wait_fields(estimate, office),
        "status_url": status_url(office, ticket, base_url),
    }


def wait_fields(estimate: WaitEstimate, office: Office) -> dict[str, Any]:
    """The promise as the API carries it: seconds, and the note the texts say instead of bare minutes.

    ``wait_note`` is null, "after_break" (say "Sau giờ nghỉ trưa, khoảng HH:MM" from
    ``expected_call_at``) or "may_miss_today" (say "Có thể không kịp phục vụ hôm nay").
    ``wait_text`` is that promise in words (``wording``), so web pages say what the kiosk and paper say.
    """
    called_at = local_iso(estimate.called_at, office)
    return {"estimated_wait_s": estimate.wait_s, "wait_note": estimate.note, "expected_call_at": called_at,
            "wait_text": wait_promise(estimate.wait_s, estimate.note, called_at)}


PRIVATE_TICKET_FIELDS = ("status_url", "procedure")
"""Only the issuing device and staff see these: the status link is the key to the ticket's page
(the ids are sequential), and the procedure says why the citizen came."""


def public_ticket_view(view: dict[str, Any]) -> dict[str, Any]:
    """A ticket view for anyone (screens, the live feed, anonymous reads): same shape, private fields null."""
    return {**view, **dict.fromkeys(PRIVATE_TICKET_FIELDS)}


def clerk_ticket_view(state: QueueState, office: Office, ticket: Ticket, now: datetime,
                      base_url: str = "") -> dict[str, Any]:
    """A ticket as the counter's clerk sees it: the whole view, how long the citizen has waited against the
    field's target, where a transfer sent it from and the sending clerk's note. Staff only, never public."""
    service = office.service(ticket.service)
    target_s = (service.target_wait_minutes if service else 0) * 60
    waited_s = int(max(0.0, (waited_until(ticket, now) - ticket.issued_at).total_seconds()))
    return {
        **ticket_view(state, office, ticket, now, base_url),
        "waited_s": waited_s,
        "target_wait_s": target_s,
        "over_target": bool(target_s) and waited_s > target_s,
        "transferred_from": transfer_origin(office, ticket),
        "transfer_note": ticket.transfer_note,
    }


def waited_until(ticket: Ticket, now: datetime) -> datetime:
    """When the citizen's wait ended: the call (their turn came), or ``now`` while they still wait."""
    if ticket.status == WAITING or ticket.called_at is None:
        return now
    return ticket.called_at


def transfer_origin(office: Office, ticket: Ticket) -> dict[str, Any] | None:
    """Where the last transfer came from ("từ Quầy 1 (Hộ tịch)"), or None for a ticket never transferred."""
    if ticket.transferred_from is None:
        return None
    counter = office.counter(ticket.transferred_from)
    code = ticket.transferred_from_service or ""
    service = office.service(code)
    return {
        "counter": ticket.transferred_from,
        "counter_name": counter.name if counter else f"Quầy {ticket.transferred_from}",
        "service": code or None,
        "service_name": service.name if service else (code or None),
    }


def served_at_counter(state: QueueState, counter_number: int) -> list[Ticket]:
    """Today's tickets completed at this counter, the latest first (the clerk's own record of the day)."""
    served = [t for t in state.tickets.values()
              if t.status == DONE and t.counter == counter_number and t.day == state.day and t.finished_at]
    served.sort(key=lambda t: (t.finished_at, t.id), reverse=True)
    return served


def services_view(state: QueueState, office: Office, now: datetime | None = None) -> list[dict[str, Any]]:
    """Every service with its counters, how many wait, and the wait of a new ticket.

    With ``now`` the wait is the projection (``estimate.estimate_wait``) with its note; without a clock,
    the flat estimate and no note.
    """
    views = []
    for service in office.services:
        waiting = state.waiting_count(service.code)
        estimate = estimate_wait(state, office, service.code, waiting, now) if now is not None else \
            WaitEstimate(estimated_wait_s(state, office, service.code, waiting))
        views.append(
            {
                "code": service.code,
                "name": service.name,
                "prefix": service.prefix,
                # The counters that call it today: a counter closed from /admin is left out, and a field
                # none is open for is refused at the kiosk (``accepting``).
                "counters": [c.number for c in open_counters_for(state, office, service.code)],
                "accepting": bool(open_counters_for(state, office, service.code)),
                "waiting": waiting,
                **wait_fields(estimate, office),
                "target_wait_minutes": service.target_wait_minutes,
            }
        )
    return views


def counter_view(state: QueueState, office: Office, number: int, now: datetime) -> dict[str, Any]:
    """One counter: its services, state, pause reason and current ticket."""
    config = office.counter(number)
    assert config is not None
    counter = state.counters[number]
    current = state.current_ticket(number)
    return {
        "number": number,
        "name": config.name,
        "services": list(config.services),
        "state": counter.state,
        "pause_reason": counter.pause_reason,
        "closed_today": counter.closed_today,
        "current": public_ticket_view(ticket_view(state, office, current, now)) if current else None,
    }


def counters_view(state: QueueState, office: Office, now: datetime) -> list[dict[str, Any]]:
    """Every counter in configuration order."""
    return [counter_view(state, office, c.number, now) for c in office.counters]


def waiting_counts(state: QueueState, office: Office) -> dict[str, int]:
    """How many wait per service code."""
    return {s.code: state.waiting_count(s.code) for s in office.services}


def event_view(state: QueueState, office: Office, event: Event, now: datetime,
               view_of: Callable[[Ticket], dict[str, Any]] | None = None) -> dict[str, Any]:
    """An event's data as sent to subscribers (anyone): the public ticket, the counter, the waiting counts.

    ``view_of`` may be given to reuse ticket views already computed for this instant.
    """
    data: dict[str, Any] = dict(event.data)
    if event.ticket_id is not None and event.ticket_id in state.tickets:
        ticket = state.tickets[event.ticket_id]
        data["ticket"] = public_ticket_view(view_of(ticket) if view_of else ticket_view(state, office, ticket, now))
    if event.counter is not None:
        data["counter"] = counter_view(state, office, event.counter, now)
    data["waiting"] = waiting_counts(state, office)
    return data


SNAPSHOT_WAITING_LIMIT = 100  # per service: a screen shows far fewer; keeps snapshots small


def ticket_brief(ticket: Ticket, office: Office) -> dict[str, Any]:
    """A waiting ticket in a list: number, field, priority, issue time."""
    return {
        "id": ticket.id,
        "number": ticket.number,
        "service": ticket.service,
        "priority": ticket.priority,
        "issued_at": local_iso(ticket.issued_at, office),
        "target_counter": ticket.target_counter,
    }


def recent_calls(state: QueueState, office: Office, now: datetime, limit: int = 10) -> list[dict[str, Any]]:
    """The latest called tickets, newest first, for lobby screens."""
    called = [(t.called_at, t) for t in state.tickets.values() if t.called_at is not None]
    called.sort(key=lambda pair: pair[0], reverse=True)
    return [public_ticket_view(ticket_view(state, office, t, now)) for _, t in called[:limit]]


def snapshot_view(state: QueueState, office: Office, now: datetime) -> dict[str, Any]:
    """Everything a screen needs to draw the queue from scratch."""
    waiting: list[dict[str, Any]] = []
    for service in office.services:
        queue = state.waiting_in(service.code)[:SNAPSHOT_WAITING_LIMIT]
        waiting.extend(ticket_brief(t, office) for t in queue)
    return {
        "office": {"name": office.name, "timezone": office.timezone, "hotline": office.hotline},
        "day": state.day.isoformat() if state.day else None,
        "services": services_view(state, office, now),
        "counters": counters_view(state, office, now),
        "waiting_tickets": waiting,
        "recent_calls": recent_calls(state, office, now),
        "last_event_id": state.last_event_id,
        "at": local_iso(now, office),
    }
