"""A counter closed for today from /admin ("Đóng quầy hôm nay"), and what routing makes of it.

A commune office closes a counter for the day when its clerk is on leave or
at a meeting. The counter then calls nobody and takes no transfer; its
fields go on with the other open counters that take them, and the waits are
estimated without it. A field that no open counter takes is refused at the
kiosk instead of numbering tickets nobody will call. The invariant every rule
here keeps: **no waiting ticket is left that only closed counters could call**,
so closing is refused while it would strand someone. The next service day
opens every counter again (``actions.start_day_if_new``).
"""

from __future__ import annotations

from datetime import datetime

from . import errors
from .actions import start_day_if_new
from .model import COUNTER_CLOSED, IN_PROGRESS, CounterState, Event, Outcome, QueueState
from .office import Office, with_counter_services
from .open_counters import counter_name, refuse_stranding


def close_for_today(state: QueueState, office: Office, number: int, now: datetime) -> Outcome:
    """Take a counter out of today's routing; refused while it serves someone or would strand a waiting ticket.

    Tickets transferred to this counter go back to their field's line (any
    open counter of the field may call them), keeping their place.
    """
    counter = _require(state, office, number)
    outcome = start_day_if_new(state, office, now)  # else the day's first ticket would open it again
    if counter.closed_today:
        raise errors.InvalidRequest(f"{counter_name(office, number)} đã đóng hôm nay rồi.")
    current = state.current_ticket(number)
    if current is not None and current.status in IN_PROGRESS:
        raise errors.TicketInProgress(
            f"{counter_name(office, number)} đang phục vụ số {current.number}: xin đợi cán bộ bấm Hoàn thành, Vắng mặt "
            "hoặc Chuyển phiếu rồi đóng quầy."
        )
    refuse_stranding(state, office, f"đóng {counter_name(office, number)}", also_closed=(number,))
    for ticket_id in sorted(state.targeted):
        ticket = state.tickets[ticket_id]
        if ticket.target_counter == number:
            ticket.target_counter = None
            outcome.touch_ticket(ticket)
    state.targeted.difference_update(outcome.tickets)
    counter.state, counter.current, counter.pause_reason, counter.clerk = COUNTER_CLOSED, None, None, None
    counter.closed_today = True
    outcome.touch_counter(counter)
    outcome.events.append(Event("counter.changed", {"closed_today": True}, counter=number))
    return outcome


def open_for_today(state: QueueState, office: Office, number: int, now: datetime) -> Outcome:
    """Undo ``close_for_today``: the counter is back in routing, and opens when its clerk first calls."""
    counter = _require(state, office, number)
    if not counter.closed_today:
        raise errors.InvalidRequest(f"{counter_name(office, number)} đang mở hôm nay, không cần mở lại.")
    counter.closed_today = False
    outcome = Outcome()
    outcome.touch_counter(counter)
    outcome.events.append(Event("counter.changed", {"closed_today": False}, counter=number))
    return outcome


def reassign(state: QueueState, office: Office, number: int, services: tuple[str, ...]) -> Office:
    """The office with a counter's new fields (``office.with_counter_services``), refused when the tickets
    waiting in a field it gives up would be left with no open counter."""
    changed = with_counter_services(office, number, services)
    refuse_stranding(state, changed, f"đổi lĩnh vực của {counter_name(office, number)}")
    return changed


def _require(state: QueueState, office: Office, number: int) -> CounterState:
    if office.counter(number) is None:
        raise errors.UnknownCounter(f"Không có quầy {number}.")
    return state.counters[number]
