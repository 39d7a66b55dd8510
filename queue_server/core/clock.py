"""Believe the office clock only as far as it behaves like a clock (issue 17.12).

An office PC without NTP or with a dead CMOS battery is set by hand, or
stepped by NTP when it comes back: the wall clock jumps. The queue compares
how far the clock moved between two readings with how much real time passed
(the caller measures it with a steady clock) and:

- records a jump (a ``clock.jumped`` event and ``state.clock.last_jump`` for
  the admin) when the two differ by more than ``CLOCK_JUMP_S``;
- holds a new service day reached by a jump until the clock has shown it for
  ``DAY_CONFIRM_S`` of real time: a date set wrong and put right within that
  time cancels nothing and numbers nothing on the wrong day. A clock that
  runs over midnight changes the day at once, and a day never goes back
  (``actions.start_day_if_new``).

Pure: the caller passes ``now`` and the real seconds since its last reading.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .actions import service_day
from .model import Event, Outcome, QueueState
from .office import Office

CLOCK_JUMP_S = 60.0
"""A wall clock that moved a minute more (or less) than real time was set, not run: NTP slews smaller errors."""
DAY_CONFIRM_S = 300.0
"""A later day reached by a jump is believed once shown for five real minutes: time to notice and fix a wrong date."""


def observe_clock(state: QueueState, office: Office, now: datetime, elapsed_s: float | None) -> Outcome:
    """Take one clock reading: note a jump, hold or release a day change. Call it before the day's rules.

    ``elapsed_s`` is the real time since the previous reading; None when the
    caller has no steady clock, and then the wall clock is believed as it is.
    """
    watch = state.clock
    last, watch.last_now = watch.last_now, now
    outcome = Outcome()
    if last is None:
        return outcome  # the first reading after a start is believed: a server off overnight wakes on a new day
    moved_s = (now - last).total_seconds()
    real_s = moved_s if elapsed_s is None else max(elapsed_s, 0.0)
    jump_s = moved_s - real_s
    jumped = abs(jump_s) > CLOCK_JUMP_S
    if jumped:
        expected = last + timedelta(seconds=real_s)  # what a clock that ran would show now
        watch.last_jump = (expected, now, jump_s)
        outcome.events.append(Event("clock.jumped", {
            "from": expected.astimezone(office.tz).isoformat(), "to": now.astimezone(office.tz).isoformat(),
            "seconds": round(jump_s)}))
    _hold_or_release_day(state, office, now, jumped, real_s)
    return outcome


def _hold_or_release_day(state: QueueState, office: Office, now: datetime, jumped: bool, real_s: float) -> None:
    """A later day reached by a jump waits DAY_CONFIRM_S; one reached by running time, or confirmed, does not."""
    watch = state.clock
    if state.day is None or service_day(office, now) <= state.day:
        watch.held_day, watch.held_s = None, 0.0  # back in the service day: nothing to hold
    elif jumped:
        watch.held_day, watch.held_s = service_day(office, now), 0.0
    elif watch.held_day is not None:
        watch.held_s += real_s
        if watch.held_s >= DAY_CONFIRM_S:
            watch.held_day, watch.held_s = None, 0.0


def day_change_held(state: QueueState) -> bool:
    """True while a later day reached by a clock jump waits for confirmation."""
    return state.clock.held_day is not None
