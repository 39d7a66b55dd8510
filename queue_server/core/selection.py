"""Who is called next, and how many people are ahead of a ticket.

Inside a group (priority or normal) the queue is strictly FIFO by original
issue time. Between groups the office's policy decides:

- ``priority_first``: priority tickets go first, but a normal ticket that has
  waited ``aging_minutes`` joins the priority group by its issue time, so a
  steady flow of priority tickets cannot starve it.
- ``every_n``: one priority ticket after every N normal ones of the same
  service; with no normal ticket waiting, priority tickets go straight away.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import datetime, timedelta

from .estimate import estimate_wait, flat_wait_s
from .model import QueueState, Ticket, WaitingLine
from .office import Office, QueuePolicy

_LAST_ID = 2**63  # sorts after any ticket id at the same instant


def aging_cutoff(policy: QueuePolicy, now: datetime) -> datetime:
    """Normal tickets queued at or before this instant rank with priority ones."""
    return now - timedelta(minutes=policy.aging_minutes)


def ranks_as_priority(ticket: Ticket, policy: QueuePolicy, now: datetime) -> bool:
    """True when the ticket competes in the priority group under this policy."""
    if ticket.is_priority:
        return True
    return policy.priority_policy == "priority_first" and ticket.queued_at <= aging_cutoff(policy, now)


def pick_for_service(
    state: QueueState,
    service_code: str,
    policy: QueuePolicy,
    now: datetime,
    counter_number: int | None = None,
) -> tuple[Ticket, bool] | None:
    """The ticket this service would serve next at a counter, and whether it is a priority pick."""
    line = state.line(service_code)
    oldest_priority = _first_eligible(state, line.priority, counter_number)
    oldest_normal = _first_eligible(state, line.normal, counter_number)
    if oldest_priority is None:
        if oldest_normal is None:
            return None
        aged = ranks_as_priority(oldest_normal, policy, now)
        return oldest_normal, aged
    if oldest_normal is None:
        return oldest_priority, True
    if policy.priority_policy == "priority_first":
        if ranks_as_priority(oldest_normal, policy, now) and oldest_normal.order_key() < oldest_priority.order_key():
            return oldest_normal, True
        return oldest_priority, True
    normals_since = state.services[service_code].normals_since_priority
    if normals_since >= policy.priority_every_n:
        return oldest_priority, True
    return oldest_normal, False


def _first_eligible(state: QueueState, group: list[tuple[datetime, int]], counter_number: int | None) -> Ticket | None:
    """The oldest ticket of a group that this counter may call."""
    for _, ticket_id in group:
        ticket = state.tickets[ticket_id]
        if counter_number is None or ticket.target_counter in (None, counter_number):
            return ticket
    return None


def choose_next(state: QueueState, office: Office, counter_number: int, now: datetime) -> Ticket | None:
    """The ticket a counter should call now, or None when nobody waits for it.

    Each service the counter takes proposes its own pick; a priority pick
    beats a normal one, then the earliest issue time wins. Tickets moved to
    a counter by a transfer are called only by that counter, whatever their
    service.
    """
    counter = office.counter(counter_number)
    assert counter is not None
    proposals: list[tuple[int, datetime, int, Ticket]] = []
    for code in _services_to_look_at(state, counter.services, counter_number):
        pick = pick_for_service(state, code, office.policy, now, counter_number)
        if pick is not None:
            ticket, is_priority_pick = pick
            proposals.append((0 if is_priority_pick else 1, ticket.queued_at, ticket.id, ticket))
    if not proposals:
        return None
    return min(proposals, key=lambda p: p[:3])[3]


def _services_to_look_at(state: QueueState, services: Iterable[str], counter_number: int) -> list[str]:
    """The counter's services plus any service holding a ticket transferred to this counter."""
    codes = list(services)
    for ticket_id in state.targeted:
        ticket = state.tickets[ticket_id]
        if ticket.target_counter == counter_number and ticket.service not in codes:
            codes.append(ticket.service)
    return codes


def people_ahead(state: QueueState, office: Office, ticket: Ticket, now: datetime) -> int:
    """How many waiting tickets of the same service will be called before this one."""
    policy = office.policy
    line = state.line(ticket.service)
    key = ticket.order_key()
    normals_before = bisect_left(line.normal, key)
    priorities_before = bisect_left(line.priority, key)
    if policy.priority_policy == "priority_first":
        aged = bisect_right(line.normal, (aging_cutoff(policy, now), _LAST_ID))
        if ranks_as_priority(ticket, policy, now):
            return priorities_before + min(aged, normals_before)
        return len(line.priority) + normals_before
    normals_since = state.services[ticket.service].normals_since_priority
    return _ahead_every_n(line, ticket, normals_before, priorities_before, policy.priority_every_n, normals_since)


def _ahead_every_n(line: WaitingLine, ticket: Ticket, normals_before: int, priorities_before: int,
                   n: int, normals_since: int) -> int:
    """Position under "one priority after every n normal": count the interleaving."""
    normals_waiting = len(line.normal) - (0 if ticket.is_priority else 1)
    priorities_waiting = len(line.priority) - (1 if ticket.is_priority else 0)
    first_slot = max(0, n - normals_since)  # normals still due before the next priority
    if ticket.is_priority:
        return priorities_before + min(normals_waiting, first_slot + priorities_before * n)
    if normals_before < first_slot:
        return normals_before
    priority_slots = (normals_before - first_slot) // n + 1
    return normals_before + min(priorities_waiting, priority_slots)


def estimated_wait_s(state: QueueState, office: Office, service_code: str, ahead: int,
                     now: datetime | None = None) -> int:
    """Seconds until a ticket with ``ahead`` people before it is likely called.

    With ``now``, the projection of ``estimate.estimate_wait``: the services in progress, the open
    counters of the field and the working hours. Without a clock, the flat share of the usual
    service time among the open counters (``estimate.flat_wait_s``).
    """
    if now is None:
        return flat_wait_s(state, office, service_code, ahead)
    return estimate_wait(state, office, service_code, ahead, now).wait_s
