"""The wall clock stepping (issue 17.12): the queue's day and order do not follow a clock that jumps.

A ``Desk`` plays the engine: before every rule it takes a clock reading with
the real seconds since the last one (``observe_clock``). ``run`` lets real
time pass (wall and steady clocks together); ``set_clock`` moves the wall
clock only, as a person or NTP setting the time does.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from queue_server.core import actions
from queue_server.core.clock import CLOCK_JUMP_S, DAY_CONFIRM_S, day_change_held, observe_clock
from queue_server.core.model import CANCELLED, Event, Ticket
from queue_server.core.office import Office

from .builders import PROPERTY, office, queue, utc

MORNING = utc(2, 0)  # 09:00 in Hà Nội on Monday 2 March 2026
BEFORE_MIDNIGHT = utc(16, 58)  # 23:58 local


class Desk:
    """One office driven as the engine drives it, with a wall clock and a steady clock."""

    def __init__(self, start: datetime = MORNING, the_office: Office | None = None) -> None:
        self.office = the_office or office()
        self.state = queue(self.office)
        self.wall, self.steady = start, 0.0
        self.read_at: float | None = None
        self.events: list[Event] = []
        self.tickets: list[Ticket] = []
        self.called: list[Ticket] = []

    def run(self, **delta: float) -> None:
        """Real time passes: both clocks move."""
        self.wall += timedelta(**delta)
        self.steady += timedelta(**delta).total_seconds()

    def set_clock(self, **delta: float) -> None:
        """Someone sets the wall clock; no real time passes."""
        self.wall += timedelta(**delta)

    def read(self) -> None:
        """The engine's reading before a batch: clock first, then the day."""
        elapsed = None if self.read_at is None else self.steady - self.read_at
        self.read_at = self.steady
        self.events += observe_clock(self.state, self.office, self.wall, elapsed).events
        self.events += actions.start_day_if_new(self.state, self.office, self.wall).events

    def issue(self, service: str = "HT") -> str:
        self.read()
        ticket, outcome = actions.issue_ticket(self.state, self.office, service, self.wall,
                                               status_token=f"t{len(self.tickets)}")
        self.events += outcome.events
        self.tickets.append(ticket)
        return ticket.number

    def call(self, counter: int = 1) -> str | None:
        self.read()
        ticket, outcome = actions.call_next(self.state, self.office, counter, self.wall)
        self.events += outcome.events
        if ticket is not None:
            self.called.append(ticket)
        return ticket.number if ticket else None

    def types(self) -> list[str]:
        return [e.type for e in self.events]


def test_a_clock_set_a_day_ahead_and_back_cancels_nothing_and_numbers_on() -> None:
    desk = Desk()
    assert [desk.issue(), desk.issue()] == ["A001", "A002"]
    desk.set_clock(days=1)
    assert desk.issue() == "A003"  # still Monday's queue: the jump into Tuesday is held
    desk.run(minutes=1)
    desk.set_clock(days=-1)
    assert desk.issue() == "A004"
    assert [t.status for t in desk.tickets] == ["waiting"] * 4
    assert {t.day.isoformat() for t in desk.tickets} == {"2026-03-02"}
    assert "day.started" not in desk.types()
    assert [desk.call() for _ in range(4)] == ["A001", "A002", "A003", "A004"]


def test_a_clock_stepped_back_two_hours_calls_the_older_tickets_first() -> None:
    desk = Desk()
    desk.issue()
    desk.run(minutes=5)
    desk.issue()
    desk.set_clock(hours=-2)  # 07:05 now, before both tickets' issue times
    desk.run(minutes=1)
    desk.issue()
    assert [desk.call(), desk.call(), desk.call()] == ["A001", "A002", "A003"]


def test_a_clock_stepped_back_over_midnight_never_repeats_a_number() -> None:
    desk = Desk(BEFORE_MIDNIGHT)
    assert desk.issue() == "A001"
    desk.run(minutes=4)  # 00:02 Tuesday: the clock ran over midnight, so the day changes at once
    assert desk.issue() == "A001"
    desk.set_clock(minutes=-10)  # 23:52 Monday again
    assert [desk.issue(), desk.issue()] == ["A002", "A003"]
    numbers = [(t.issued_service, t.day, t.seq) for t in desk.tickets]
    assert len(set(numbers)) == len(numbers)
    assert str(desk.state.day) == "2026-03-03"
    assert desk.types().count("day.started") == 1


def test_a_clock_running_over_midnight_starts_the_new_day_at_once() -> None:
    desk = Desk(BEFORE_MIDNIGHT)
    desk.issue()
    desk.run(minutes=3)
    assert desk.issue() == "A001"
    assert desk.tickets[0].status == CANCELLED
    assert "clock.jumped" not in desk.types()


def test_a_later_day_reached_by_a_jump_is_believed_after_five_real_minutes() -> None:
    desk = Desk()
    desk.issue()
    desk.set_clock(days=1)
    desk.read()
    assert day_change_held(desk.state)
    desk.run(seconds=DAY_CONFIRM_S - 30)
    assert desk.issue() == "A002"  # not yet believed
    desk.run(seconds=30)
    assert desk.issue() == "A001"  # the clock kept showing Tuesday: it is Tuesday
    assert [t.status for t in desk.tickets] == [CANCELLED, CANCELLED, "waiting"]
    desk.run(minutes=1)
    desk.set_clock(days=-1)
    assert desk.issue() == "A002"  # and a day never goes back
    assert str(desk.state.day) == "2026-03-03"


def test_a_jump_is_recorded_for_the_admin_and_drift_is_not() -> None:
    desk = Desk()
    desk.issue()
    desk.run(minutes=1)
    desk.set_clock(seconds=CLOCK_JUMP_S - 1)  # NTP-sized corrections are no jump
    desk.issue()
    assert "clock.jumped" not in desk.types()
    before = desk.wall
    desk.set_clock(hours=-2)
    desk.issue()
    jumps = [e for e in desk.events if e.type == "clock.jumped"]
    assert [e.data for e in jumps] == [{"from": "2026-03-02T09:01:59+07:00", "to": "2026-03-02T07:01:59+07:00",
                                        "seconds": -7200}]
    assert desk.state.clock.last_jump == (before, desk.wall, -7200.0)


def test_without_a_steady_clock_the_wall_clock_is_believed() -> None:
    """Callers without real time (simulations, reports) keep the old rule: a later date is a new day."""
    the_office = office()
    state = queue(the_office)
    actions.issue_ticket(state, the_office, "HT", MORNING, status_token="a")
    observe_clock(state, the_office, MORNING, None)
    assert observe_clock(state, the_office, MORNING + timedelta(days=1), None).events == []
    ticket, _ = actions.issue_ticket(state, the_office, "HT", MORNING + timedelta(days=1), status_token="b")
    assert ticket.number == "A001"


STEPS = st.lists(st.one_of(
    st.tuples(st.just("run"), st.integers(min_value=1, max_value=180)),  # minutes of real time
    st.tuples(st.just("set"), st.integers(min_value=-48 * 60, max_value=48 * 60)),  # the clock set by minutes
    st.tuples(st.just("issue"), st.sampled_from(["HT", "VP"])),
    st.tuples(st.just("call"), st.sampled_from([1, 2, 3])),
), max_size=40)


@PROPERTY
@given(steps=STEPS)
def test_whatever_the_clock_does_numbers_are_unique_and_calls_keep_issue_order(steps) -> None:
    desk = Desk(BEFORE_MIDNIGHT)
    days = []
    for kind, value in steps:
        if kind == "run":
            desk.run(minutes=value)
        elif kind == "set":
            desk.set_clock(minutes=value)
        elif kind == "issue":
            desk.issue(value)
        else:
            desk.call(value)
        days.append(desk.state.day)
    numbers = [(t.issued_service, t.day, t.seq) for t in desk.tickets]
    assert len(set(numbers)) == len(numbers)
    # The service day never goes back (nor is lost once it began).
    assert all(b is not None and a <= b for a, b in pairwise(days) if a is not None)
    for service in ("HT", "VP"):  # FIFO: within a day and a service, tickets are called in issue order
        for day in {t.day for t in desk.called}:
            ids = [t.id for t in desk.called if t.service == service and t.day == day]
            assert ids == sorted(ids)
    for ticket in desk.tickets:  # no waiting ticket is lost: only a new day cancels what is left
        if ticket.status == CANCELLED:
            assert desk.state.day is not None and ticket.day < desk.state.day
