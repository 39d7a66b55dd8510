"""Invariants of the queue rules, checked over generated sequences of actions (hypothesis)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from queue_server.core import actions
from queue_server.core.errors import QueueError
from queue_server.core.model import CALLED, CANCELLED, DONE, IN_PROGRESS, NO_SHOW, SERVING, WAITING, Ticket
from queue_server.core.office import Office
from queue_server.core.selection import people_ahead

from .builders import PROPERTY, at, fingerprint, office, queue

# Every status change a ticket may make; anything else is a bug.
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    WAITING: {CALLED, CANCELLED},
    CALLED: {SERVING, DONE, NO_SHOW, WAITING, CANCELLED},  # WAITING: transferred
    SERVING: {DONE, NO_SHOW, WAITING, CANCELLED},
    NO_SHOW: {CALLED},  # called back within the grace
    DONE: set(),
    CANCELLED: set(),
}

SERVICES = ("HT", "VP")
THREE_COUNTERS = {1: ("HT",), 2: ("VP",), 3: ("HT", "VP")}


class Run:
    """Drives one office through generated actions with a clock that only moves forward."""

    def __init__(self, the_office: Office) -> None:
        self.office = the_office
        self.state = queue(the_office)
        self.now = at(0)
        self.tickets: list[Ticket] = []
        self.serial = 0

    def issue(self, service_code: str, priority: bool) -> Ticket:
        """Issue a ticket now (an "elderly" one when ``priority``)."""
        self.serial += 1
        ticket, _ = actions.issue_ticket(
            self.state, self.office, service_code, self.now,
            priority="elderly" if priority else None, status_token=f"p{self.serial}",
        )
        self.tickets.append(ticket)
        return ticket

    def wait(self, minutes: float) -> None:
        """Move the clock forward."""
        self.now += timedelta(minutes=minutes)

    def to_just_before_midnight(self) -> None:
        """Jump to 23:59:30 local, so that the next wait crosses the office's midnight."""
        zone = ZoneInfo(self.office.timezone)
        local = self.now.astimezone(zone)
        target = datetime.combine(local.date(), time(23, 59, 30), zone)
        if target <= self.now:
            target += timedelta(days=1)
        self.now = target

    def waiting(self, service_code: str) -> list[Ticket]:
        """The service's waiting tickets in issue order."""
        return self.state.waiting_in(service_code)


# -- strategies --------------------------------------------------------------------------

def scripts(table: list[Callable[[int], tuple]], min_actions: int, max_actions: int) -> st.SearchStrategy:
    """Lists of actions, drawn cheaply as two bytes per action: the first picks a row of ``table``,
    the second feeds it. (Drawing bytes is ~10x cheaper than nested one_of/tuples, which
    keeps 200 examples per property fast; the falsifying example still shows the actions.)
    Repeating a row in a table makes that action more frequent.
    """
    return st.binary(min_size=2 * min_actions, max_size=2 * max_actions).map(
        lambda raw: [table[raw[i] % len(table)](raw[i + 1]) for i in range(0, len(raw) - 1, 2)]
    )


def issue_row(b: int) -> tuple:
    """Issue a ticket: the byte picks the service and whether it is a priority ticket."""
    return ("issue", SERVICES[b % 2], bool(b & 2))


# Clerk actions name a counter by an index into the counters that hold a ticket
# (any counter when none does), so that most of them act on a real ticket.
MIXED_ACTIONS: list[Callable[[int], tuple]] = [
    issue_row,
    issue_row,
    issue_row,
    lambda b: ("call_next", 1 + b % 3),
    lambda b: ("call_next", 1 + b % 3),
    lambda b: ("call_ticket", 1 + b % 3, b // 3),
    lambda b: ("serve", b),
    lambda b: ("no_show", b),
    lambda b: ("no_show", b),
    lambda b: ("complete", b),
    lambda b: ("recall", b),
    lambda b: ("transfer_service", b // 2, SERVICES[b % 2]),
    lambda b: ("transfer_counter", b // 4, (1, 2, 3, 9)[b % 4]),
    lambda b: ("pause", 1 + b % 3, ("Nghỉ trưa", "", "x" * 201)[(b // 3) % 3]),
    lambda b: ("resume", 1 + b % 3),
    lambda b: ("close", 1 + b % 3),
    lambda b: ("wait", b % 41),
    lambda b: ("midnight",),
    lambda b: ("issue", "XX", False),  # unknown service: refused
]

policies = st.sampled_from(["priority_first", "every_n"])


def busy_counter(run: Run, index: int) -> int:
    """The index-th counter holding a ticket, or any counter when none does."""
    busy = sorted(n for n, c in run.state.counters.items() if c.current is not None)
    numbers = busy or sorted(run.state.counters)
    return numbers[index % len(numbers)]


def recent_ticket_id(run: Run, index: int) -> int:
    """A no-show ticket when there is one (to call it back), else any ticket seen so far."""
    no_shows = [t for t in run.tickets if t.status == NO_SHOW]
    candidates = no_shows or run.tickets
    return candidates[index % len(candidates)].id if candidates else 1


def apply_mixed(run: Run, action: tuple) -> None:
    """Run one generated action; rule errors propagate to the caller."""
    kind, *args = action
    s, o, now = run.state, run.office, run.now
    if kind == "issue":
        run.issue(args[0], args[1])
    elif kind == "call_next":
        actions.call_next(s, o, args[0], now)
    elif kind == "call_ticket":
        actions.call_ticket(s, o, args[0], recent_ticket_id(run, args[1]), now)
    elif kind == "serve":
        actions.start_serving(s, o, busy_counter(run, args[0]), now)
    elif kind == "no_show":
        actions.mark_no_show(s, o, busy_counter(run, args[0]), now)
    elif kind == "complete":
        actions.complete(s, o, busy_counter(run, args[0]), now)
    elif kind == "recall":
        actions.recall(s, o, busy_counter(run, args[0]), now)
    elif kind == "transfer_service":
        actions.transfer(s, o, busy_counter(run, args[0]), now, service_code=args[1])
    elif kind == "transfer_counter":
        actions.transfer(s, o, busy_counter(run, args[0]), now, to_counter=args[1])
    elif kind == "pause":
        actions.pause(s, o, args[0], args[1], now)
    elif kind == "resume":
        actions.resume(s, o, args[0], now)
    elif kind == "close":
        actions.close_counter(s, o, args[0], now)
    elif kind == "wait":
        run.wait(args[0])
    elif kind == "midnight":
        run.to_just_before_midnight()
    else:  # pragma: no cover - the strategy lists every kind
        raise AssertionError(kind)


def assert_consistent(run: Run) -> None:
    """The indexes agree with the tickets: lines hold exactly the waiting tickets, counters their current one."""
    s = run.state
    in_lines = {}
    for code, line in s.lines.items():
        for ticket_id in line.ids_in_order():
            assert ticket_id not in in_lines, "a ticket sits in two lines"
            in_lines[ticket_id] = code
    waiting = {t.id: t.service for t in s.tickets.values() if t.status == WAITING}
    assert in_lines == waiting
    for number, counter in s.counters.items():
        if counter.current is not None:
            current = s.tickets[counter.current]
            assert current.status in IN_PROGRESS and current.counter == number
    holders = [c.current for c in s.counters.values() if c.current is not None]
    assert len(holders) == len(set(holders)), "one ticket at two counters"
    for ticket in s.tickets.values():
        assert ticket.day == s.day


# -- (1) numbering, (5) transitions, and refused rules change nothing --------------------------


@PROPERTY
@given(
    policy=policies,
    every_n=st.integers(1, 4),
    refuse=st.booleans(),
    script=scripts(MIXED_ACTIONS, 20, 60),
)
def test_numbers_are_unique_and_gap_free_per_service_day_and_statuses_follow_allowed_transitions(
    policy, every_n, refuse, script
):
    o = office(policy, counters=THREE_COUNTERS, priority_every_n=every_n, aging_minutes=20,
               no_show_grace_minutes=10, call_with_current="refuse" if refuse else "complete")
    run = Run(o)
    seen: dict[int, tuple[str, datetime | None]] = {}
    for action in script:
        before = fingerprint(run.state)
        try:
            apply_mixed(run, action)
        except QueueError:
            assert fingerprint(run.state) == before, f"{action} raised but changed the state"
            continue
        assert_consistent(run)
        for ticket in run.tickets:
            assert ticket.queued_at == ticket.issued_at, "a ticket lost its place by issue time"
            old = seen.get(ticket.id)
            if old is not None and old[0] != ticket.status:
                assert ticket.status in ALLOWED_TRANSITIONS[old[0]], f"{old[0]} -> {ticket.status} after {action}"
                if old[0] == NO_SHOW:
                    assert run.now - old[1] <= timedelta(minutes=o.policy.no_show_grace_minutes)
            seen[ticket.id] = (ticket.status, ticket.finished_at)

    numbers = [(t.issued_service, t.day, t.seq) for t in run.tickets]
    assert len(numbers) == len(set(numbers))
    printed = [(t.issued_service, t.day, t.number) for t in run.tickets]
    assert len(printed) == len(set(printed))
    per_day: dict[tuple, list[int]] = defaultdict(list)
    for service_code, day, seq in numbers:
        per_day[(service_code, day)].append(seq)
    for (service_code, _), seqs in per_day.items():
        first = o.service(service_code).first_number
        assert seqs == list(range(first, first + len(seqs))), "numbers out of order or with a gap"


# -- (2) FIFO inside a group, one counter --------------------------------------------------

SINGLE_COUNTER_ACTIONS: list[Callable[[int], tuple]] = [
    lambda b: ("issue", bool(b & 1)),
    lambda b: ("issue", bool(b & 1)),
    lambda b: ("call_next",),
    lambda b: ("call_next",),
    lambda b: ("serve",),
    lambda b: ("complete",),
    lambda b: ("no_show",),
    lambda b: ("wait", b % 16),
]


def run_single_counter(run: Run, action: tuple, service_code: str = "HT", counter: int = 1) -> Ticket | None:
    """One action at a one-service, one-counter office; returns the ticket call_next called."""
    kind, *args = action
    try:
        if kind == "issue":
            run.issue(service_code, args[0])
        elif kind == "call_next":
            ticket, _ = actions.call_next(run.state, run.office, counter, run.now)
            return ticket
        elif kind == "serve":
            actions.start_serving(run.state, run.office, counter, run.now)
        elif kind == "complete":
            actions.complete(run.state, run.office, counter, run.now)
        elif kind == "no_show":
            actions.mark_no_show(run.state, run.office, counter, run.now)
        elif kind == "wait":
            run.wait(args[0])
    except QueueError:
        pass
    return None


@PROPERTY
@given(policy=policies, every_n=st.integers(1, 4), aging=st.integers(5, 40),
       script=scripts(SINGLE_COUNTER_ACTIONS, 10, 60))
def test_tickets_of_one_group_are_called_in_issue_order_at_a_single_counter(policy, every_n, aging, script):
    o = office(policy, services=["HT"], counters={1: ("HT",)}, priority_every_n=every_n, aging_minutes=aging)
    run = Run(o)
    for action in script:
        waiting_before = run.waiting("HT")
        called = run_single_counter(run, action)
        if called is None:
            continue
        same_group_before_it = [
            t for t in waiting_before if t.is_priority == called.is_priority and t.order_key() < called.order_key()
        ]
        assert same_group_before_it == [], f"{called.number} overtook {[t.number for t in same_group_before_it]}"


# -- (3) every_n: a normal ticket waits behind at most one priority ticket per N normal ones -------

EVERY_N_ACTIONS: list[Callable[[int], tuple]] = [
    issue_row,
    issue_row,
    issue_row,
    lambda b: ("call_next", 1 + b % 2),
    lambda b: ("call_next", 1 + b % 2),
    lambda b: ("complete", 1 + b % 2),
    lambda b: ("no_show", 1 + b % 2),
]


@PROPERTY
@given(every_n=st.integers(1, 4), script=scripts(EVERY_N_ACTIONS, 20, 80))
def test_every_n_a_normal_ticket_sees_at_most_one_priority_call_per_n_normal_calls(every_n, script):
    o = office("every_n", counters={1: ("HT",), 2: ("HT", "VP")}, priority_every_n=every_n)
    run = Run(o)
    priority_calls: dict[int, int] = defaultdict(int)
    normal_calls: dict[int, int] = defaultdict(int)
    for kind, *args in script:
        try:
            if kind == "issue":
                run.issue(args[0], args[1])
            elif kind == "call_next":
                waiting_normals = [t for code in SERVICES for t in run.waiting(code) if not t.is_priority]
                called, _ = actions.call_next(run.state, o, args[0], run.now)
                for t in waiting_normals:
                    if called is not None and called is not t and called.service == t.service:
                        counts = priority_calls if called.is_priority else normal_calls
                        counts[t.id] += 1
            elif kind == "complete":
                actions.complete(run.state, o, args[0], run.now)
            elif kind == "no_show":
                actions.mark_no_show(run.state, o, args[0], run.now)
        except QueueError:
            continue
    for t in run.tickets:
        if not t.is_priority:
            assert priority_calls[t.id] <= 1 + normal_calls[t.id] // every_n, t.number


# -- (4) priority_first with aging: once aged, a normal ticket is passed only by older tickets -----

AGING_ACTIONS: list[Callable[[int], tuple]] = [
    issue_row,
    issue_row,
    issue_row,
    lambda b: ("call_next", 1 + b % 3),
    lambda b: ("call_next", 1 + b % 3),
    lambda b: ("complete", 1 + b % 3),
    lambda b: ("no_show", 1 + b % 3),
    lambda b: ("transfer_service", 1 + b % 3, SERVICES[(b // 3) % 2]),
    lambda b: ("wait", b % 21),
    lambda b: ("wait", b % 21),
]


@PROPERTY
@given(aging=st.integers(1, 20), script=scripts(AGING_ACTIONS, 20, 80))
def test_priority_first_an_aged_normal_ticket_is_passed_only_by_tickets_issued_before_it(aging, script):
    o = office("priority_first", counters=THREE_COUNTERS, aging_minutes=aging)
    run = Run(o)
    for kind, *args in script:
        try:
            if kind == "issue":
                run.issue(args[0], args[1])
            elif kind == "call_next":
                takes = o.counter(args[0]).services
                cutoff = run.now - timedelta(minutes=aging)
                # Issue time and id never change: the bound must not rely on the rules' own queue key.
                aged = [
                    t for code in takes for t in run.waiting(code)
                    if not t.is_priority and t.issued_at <= cutoff and t.target_counter in (None, args[0])
                ]
                called, _ = actions.call_next(run.state, o, args[0], run.now)
                for t in aged:
                    assert called is not None
                    assert (called.issued_at, called.id) <= (t.issued_at, t.id), f"{called.number} passed {t.number}"
            elif kind == "complete":
                actions.complete(run.state, o, args[0], run.now)
            elif kind == "no_show":
                actions.mark_no_show(run.state, o, args[0], run.now)
            elif kind == "transfer_service":
                actions.transfer(run.state, o, args[0], run.now, service_code=args[1])
            elif kind == "wait":
                run.wait(args[0])
        except QueueError:
            continue


# -- people ahead is exactly the number called before a ticket ----------------------------------


@PROPERTY
@given(
    policy=policies,
    every_n=st.integers(1, 4),
    aging=st.integers(1, 30),
    # Each byte is one arrival: minutes since the previous one (0-10) and whether it is a priority ticket.
    arrivals=st.binary(min_size=1, max_size=25).map(lambda raw: [(b % 11, b >= 128) for b in raw]),
    called_first=st.integers(0, 25),
    later=st.integers(0, 60),
)
def test_people_ahead_is_the_number_of_tickets_called_before_it(policy, every_n, aging, arrivals, called_first, later):
    o = office(policy, services=["HT"], counters={1: ("HT",)}, priority_every_n=every_n, aging_minutes=aging)
    run = Run(o)
    for gap, priority in arrivals:
        run.wait(gap)
        run.issue("HT", priority)
    for _ in range(called_first):  # leaves the every_n memory in any state
        actions.call_next(run.state, o, 1, run.now)
    run.wait(later)
    predicted = {t.id: people_ahead(run.state, o, t, run.now) for t in run.waiting("HT")}
    order = []
    while (ticket := actions.call_next(run.state, o, 1, run.now)[0]) is not None:
        order.append(ticket.id)
    assert {ticket_id: position for position, ticket_id in enumerate(order)} == predicted
