"""A counter closed for today from /admin (core.today_counters): out of routing and estimates, refused while it
serves someone or would strand a waiting ticket, and never a waiting ticket only closed counters could call."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from queue_server.core import actions, open_counters, today_counters, views
from queue_server.core.errors import (
    CounterClosedToday,
    InvalidRequest,
    QueueError,
    ServiceClosedToday,
    TicketInProgress,
    TicketsLeftUnserved,
)
from queue_server.core.model import WAITING, QueueState
from queue_server.core.office import Office

from .builders import PROPERTY, at, call_next, fingerprint, issue, office, queue, snapshot

# Counter 1 takes HT, counter 2 VP, counter 3 both (builders.DEFAULT_COUNTERS).


def close(state: QueueState, the_office: Office, number: int, minutes: float = 0) -> None:
    today_counters.close_for_today(state, the_office, number, at(minutes))


def test_a_closed_counter_calls_nobody_and_its_fields_go_to_the_others() -> None:
    o = office()
    s = queue(o)
    first = issue(s, o, "HT")
    close(s, o, 1)
    with pytest.raises(CounterClosedToday, match="Mở quầy"):
        call_next(s, o, 1)
    assert call_next(s, o, 3) is first  # counter 3 takes HT too
    services = {v["code"]: v for v in views.services_view(s, o, at(0))}
    assert services["HT"]["counters"] == [3] and services["HT"]["accepting"] is True
    assert views.counter_view(s, o, 1, at(0))["closed_today"] is True


def test_the_estimate_leaves_a_closed_counter_out() -> None:
    o = office()
    s = queue(o)
    assert call_next(s, o, 1) is None and call_next(s, o, 3) is None  # both open, idle
    for minutes in range(3):
        issue(s, o, "HT", minutes / 10)
    assert views.services_view(s, o, at(1))[0]["estimated_wait_s"] == 600  # two counters: 0, 0, 10, 10 min
    close(s, o, 1, 1)
    assert views.services_view(s, o, at(1))[0]["estimated_wait_s"] == 1800  # counter 3 alone: 0, 10, 20, 30


def test_a_field_no_open_counter_takes_is_refused_at_the_kiosk_and_its_transfers_too() -> None:
    o = office()
    s = queue(o)
    close(s, o, 2)  # before the day's first ticket: closing starts the day, which must not open it again
    close(s, o, 3)
    assert [x.code for x in open_counters.unserved_today(s, o)] == ["VP"]
    before = snapshot(s)
    with pytest.raises(ServiceClosedToday, match="Văn phòng – Thống kê"):
        issue(s, o, "VP")
    assert fingerprint(s) == before
    issue(s, o, "HT")
    call_next(s, o, 1)
    with pytest.raises(ServiceClosedToday):
        actions.transfer(s, o, 1, at(1), service_code="VP")
    with pytest.raises(CounterClosedToday):
        actions.transfer(s, o, 1, at(1), to_counter=3)
    assert views.services_view(s, o, at(1))[1]["accepting"] is False


def test_closing_is_refused_while_the_counter_serves_or_would_strand_a_waiting_ticket() -> None:
    o = office()
    s = queue(o)
    issue(s, o, "HT")
    call_next(s, o, 1)
    with pytest.raises(TicketInProgress, match="A001"):
        close(s, o, 1)
    issue(s, o, "VP")
    close(s, o, 2)  # counter 3 still takes VP
    before = snapshot(s)
    with pytest.raises(TicketsLeftUnserved, match="1 số Văn phòng – Thống kê"):
        close(s, o, 3)
    assert fingerprint(s) == before
    with pytest.raises(TicketsLeftUnserved):
        today_counters.reassign(s, o, 3, ("HT",))  # the same strand by moving the fields away


def test_tickets_sent_to_a_closing_counter_go_back_to_their_field() -> None:
    o = office()
    s = queue(o)
    issue(s, o, "HT")
    call_next(s, o, 1)
    sent, _ = actions.transfer(s, o, 1, at(1), to_counter=3)
    close(s, o, 3, 2)
    assert sent.target_counter is None and sent.id not in s.targeted
    assert call_next(s, o, 1, 3) is sent


def test_opening_undoes_it_and_the_next_day_opens_every_counter() -> None:
    o = office()
    s = queue(o)
    close(s, o, 1)
    with pytest.raises(InvalidRequest):
        close(s, o, 1)
    today_counters.open_for_today(s, o, 1, at(1))
    assert s.counters[1].closed_today is False and call_next(s, o, 1, 2) is None
    with pytest.raises(InvalidRequest):
        today_counters.open_for_today(s, o, 1, at(2))
    close(s, o, 2, 3)
    issue(s, o, "VP", now=at(0) + timedelta(days=1))  # the next day: counter 2 takes VP again
    assert s.counters[2].closed_today is False


# -- the invariant ------------------------------------------------------------------------------


def _row(b: int) -> tuple:
    kinds = ("issue", "issue", "call", "call", "complete", "transfer_counter", "transfer_service",
             "close", "close", "open", "reassign", "wait")
    kind = kinds[b % len(kinds)]
    return (kind, b // len(kinds))


def _busy(s: QueueState, index: int) -> int:
    busy = sorted(n for n, c in s.counters.items() if c.current is not None) or sorted(s.counters)
    return busy[index % len(busy)]


FIELD_SETS = (("HT",), ("VP",), ("HT", "VP"))


def _apply(s: QueueState, o: Office, kind: str, arg: int, now) -> Office:
    """One generated step; QueueErrors propagate (and must change nothing)."""
    counter = 1 + arg % 3
    if kind == "issue":
        actions.issue_ticket(s, o, ("HT", "VP")[arg % 2], now, status_token=f"t{len(s.tickets)}-{arg}")
    elif kind == "call":
        actions.call_next(s, o, counter, now)
    elif kind == "complete":
        actions.complete(s, o, _busy(s, arg), now)
    elif kind == "transfer_counter":
        actions.transfer(s, o, _busy(s, arg), now, to_counter=1 + (arg // 3) % 3)
    elif kind == "transfer_service":
        actions.transfer(s, o, _busy(s, arg), now, service_code=("HT", "VP")[arg % 2])
    elif kind == "close":
        today_counters.close_for_today(s, o, counter, now)
    elif kind == "open":
        today_counters.open_for_today(s, o, counter, now)
    elif kind == "reassign":
        return today_counters.reassign(s, o, counter, FIELD_SETS[(arg // 3) % 3])
    return o


def _callable_by_an_open_counter(s: QueueState, o: Office) -> list[str]:
    """The waiting tickets no counter open today may call (must be none)."""
    stranded = []
    for ticket in s.tickets.values():
        if ticket.status != WAITING:
            continue
        callers = [c for c in o.counters if not s.counters[c.number].closed_today
                   and (ticket.target_counter == c.number
                        or (ticket.target_counter is None and ticket.service in c.services))]
        if not callers:
            stranded.append(ticket.number)
    return stranded


@PROPERTY
@given(script=st.binary(min_size=10, max_size=80).map(lambda raw: [_row(b) for b in raw]))
def test_no_waiting_ticket_is_ever_left_to_closed_counters_only(script) -> None:
    o = office()
    s = queue(o)
    now = at(0)
    for kind, arg in script:
        if kind == "wait":
            now += timedelta(minutes=arg % 7)
            continue
        before = snapshot(s)
        try:
            o = _apply(s, o, kind, arg, now)
        except QueueError:
            assert fingerprint(s) == before, f"a refused {kind} changed the state"
        assert _callable_by_an_open_counter(s, o) == []
        for number, counter in s.counters.items():
            if counter.closed_today:
                assert counter.current is None and counter.state == "closed"
                assert number not in {t.target_counter for t in s.tickets.values() if t.status == WAITING}
