"""How long a ticket will likely wait: the promise the kiosk, the paper and the phone make.

The flat formula (people ahead × usual service time ÷ open counters) says
"dưới 1 phút" while the only counter is mid-way through a 15-minute
service, and promises minutes across lunch. This one plays the next calls
forward instead: each open counter that takes the field is free when its
service in progress is likely over (the usual time of that ticket's field
minus what has already elapsed), then calls one citizen per usual service
time, slower when it shares its time with other fields that have people
waiting. Calls happen only inside the working periods: a call that falls
in the lunch break waits for the afternoon, and one past closing may not
happen today. Pure: the state, the office, the people ahead and ``now``
come in as arguments; nothing is read.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from .model import QueueState
from .office import Office
from .open_counters import open_counters_for

MIN_SERVICE_SHARE = 0.25
"""Tickets clicked through in seconds must not make the lobby promise one-minute waits: a service is
never counted shorter than a quarter of the field's configured time."""

MIN_REMAINING_SHARE = 0.25
"""A service already past its usual time still has some left: a quarter of the usual time (a long
file does not end the moment it passes the average)."""

OPEN_STATES = ("idle", "serving")
"""Paused and closed counters call nobody."""

NOTE_AFTER_BREAK = "after_break"
"""The likely call comes after the lunch break: say when, not how many minutes."""
NOTE_BEFORE_OPENING = "before_opening"
"""The ticket is taken before the office opens: the wait counts from opening, say when."""
NOTE_MAY_MISS_TODAY = "may_miss_today"
"""The likely call falls after closing: today's service may end before this ticket."""


@dataclass(frozen=True)
class WorkingHours:
    """The office's working periods of a day, local time; the gaps between them are breaks."""

    periods: tuple[tuple[time, time], ...] = ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0)))


OFFICE_HOURS = WorkingHours()
"""Hours of a Vietnamese commune office (Decree 61 one-stop centres: 7:30–11:30 and 13:30–17:00)."""


@dataclass(frozen=True)
class WaitEstimate:
    """A promised wait: seconds, and what the texts must say beside them.

    ``note`` is None when the minutes can be promised as they are; ``called_at`` is the likely call
    (office time) when the wait crosses a break, for "Sau giờ nghỉ trưa, khoảng 13:40".
    """

    wait_s: int
    note: str | None = None
    called_at: datetime | None = None


@dataclass
class _Lane:
    """One counter as the projection sees it: when it is next free, and how long one call of the field takes."""

    free_s: float
    step_s: float


def usual_service_s(state: QueueState, office: Office, service_code: str) -> float:
    """The field's usual service time: the mean of recent ones (the configured time until there is history)."""
    service = office.service(service_code)
    assert service is not None
    default_s = service.default_service_minutes * 60
    recent = state.services[service_code].recent_service_s
    mean_s = sum(recent) / len(recent) if recent else default_s
    return max(mean_s, default_s * MIN_SERVICE_SHARE)


def flat_wait_s(state: QueueState, office: Office, service_code: str, ahead: int) -> int:
    """The former estimate, kept for a caller without a clock and for the bench's comparison."""
    open_counters = sum(1 for c in open_counters_for(state, office, service_code)
                        if state.counters[c.number].state in OPEN_STATES)
    return round(ahead * usual_service_s(state, office, service_code) / max(open_counters, 1))


def estimate_wait(state: QueueState, office: Office, service_code: str, ahead: int, now: datetime,
                  hours: WorkingHours = OFFICE_HOURS) -> WaitEstimate:
    """When a ticket with ``ahead`` people before it is likely called, from ``now``."""
    periods = _periods_s(office, now, hours)
    lanes = _lanes(state, office, service_code, now, periods)
    heap = [(lane.free_s, index) for index, lane in enumerate(lanes)]
    heapq.heapify(heap)
    for position in range(max(ahead, 0) + 1):
        free_s, index = heapq.heappop(heap)
        call_s = _next_call_s(free_s, periods)
        if call_s is None:
            return WaitEstimate(round(max(periods[-1][1], 0.0)) if periods else 0, NOTE_MAY_MISS_TODAY)
        if position == ahead:
            opening_ahead = len(periods) == len(hours.periods) and periods[0][0] > 0
            return _promise(call_s, periods, now, office, opening_ahead)
        heapq.heappush(heap, (call_s + lanes[index].step_s, index))
    raise AssertionError("unreachable: the loop returns at position == ahead")


def _promise(call_s: float, periods: list[tuple[float, float]], now: datetime, office: Office,
             opening_ahead: bool) -> WaitEstimate:
    """The estimate of a call ``call_s`` seconds from now; noted when a break (or the opening) lies between.

    Only the last period begun before the call matters: a call after lunch on a ticket taken before
    opening is still "after the break" (the morning's calls came first).
    """
    wait_s = round(call_s)
    begun = [index for index, (start, _) in enumerate(periods) if 0 < start <= call_s]
    if not begun:
        return WaitEstimate(wait_s)
    note = NOTE_BEFORE_OPENING if opening_ahead and begun[-1] == 0 else NOTE_AFTER_BREAK
    return WaitEstimate(wait_s, note, (now + timedelta(seconds=wait_s)).astimezone(office.tz))


def _periods_s(office: Office, now: datetime, hours: WorkingHours) -> list[tuple[float, float]]:
    """Today's working periods as (start, end) seconds from ``now``, those not yet over."""
    local = now.astimezone(office.tz)
    spans = []
    for start, end in hours.periods:
        begin_s = (datetime.combine(local.date(), start, office.tz) - local).total_seconds()
        end_s = (datetime.combine(local.date(), end, office.tz) - local).total_seconds()
        if end_s > 0:
            spans.append((begin_s, end_s))
    return spans


def _next_call_s(free_s: float, periods: list[tuple[float, float]]) -> float | None:
    """The first moment at or after ``free_s`` inside a working period, or None after closing."""
    for start, end in periods:
        if free_s < end:
            return max(free_s, start)
    return None


def _lanes(state: QueueState, office: Office, service_code: str, now: datetime,
           periods: list[tuple[float, float]]) -> list[_Lane]:
    """The counters that will call this field, with when each is next free.

    Before opening and in the lunch break every counter of the field is expected to open at the next
    period; inside a period only the open ones count, and with none open the estimate assumes one will
    open rather than promising nothing. A counter the admin closed for today never counts.
    """
    usual_s = usual_service_s(state, office, service_code)
    between_periods = bool(periods) and periods[0][0] > 0
    lanes = []
    for counter in open_counters_for(state, office, service_code):
        counter_state = state.counters[counter.number]
        if counter_state.state in OPEN_STATES:
            step_s = _step_s(state, office, counter.services, service_code, usual_s)
            lanes.append(_Lane(_busy_for_s(state, office, counter.number, now), step_s))
        elif between_periods:
            lanes.append(_Lane(0.0, _step_s(state, office, counter.services, service_code, usual_s)))
    return lanes or [_Lane(0.0, usual_s)]


def _busy_for_s(state: QueueState, office: Office, counter_number: int, now: datetime) -> float:
    """How long the counter's service in progress likely lasts: its field's usual time minus the elapsed."""
    current = state.current_ticket(counter_number)
    if current is None:
        return 0.0
    started = current.served_at or current.called_at
    usual_s = usual_service_s(state, office, current.service)
    elapsed_s = (now - started).total_seconds() if started is not None else 0.0
    return max(usual_s - elapsed_s, usual_s * MIN_REMAINING_SHARE)


def _step_s(state: QueueState, office: Office, services: tuple[str, ...], service_code: str, usual_s: float) -> float:
    """How long a counter takes per call of this field when it also calls its other fields.

    The counter calls by issue time across its fields, so the work waiting in the other fields is
    spread over this field's calls: its usual time plus that work shared among the people waiting
    here (the ticket being estimated counts as one of them, so the share is never zero).
    """
    own = state.waiting_count(service_code) + 1
    others_s = sum(state.waiting_count(code) * usual_service_s(state, office, code)
                   for code in services if code != service_code)
    return usual_s + others_s / own
