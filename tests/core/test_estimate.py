"""The wait promise (issue 14.5): the service in progress, the open counters, the working hours."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from queue_server.core import actions
from queue_server.core.estimate import (
    NOTE_AFTER_BREAK,
    NOTE_BEFORE_OPENING,
    NOTE_MAY_MISS_TODAY,
    WaitEstimate,
    estimate_wait,
    flat_wait_s,
)
from queue_server.core.model import QueueState
from queue_server.core.office import Office
from queue_server.core.selection import estimated_wait_s, people_ahead

from .builders import PROPERTY, at, issue, office, queue, service

LAND = service("DC", "C", default_service_minutes=15)
ONE_LAND_COUNTER = {1: ("DC",)}


def local(hour: int, minute: int = 0) -> datetime:
    """An instant of the test's first day, office time (08:00 is ``at(0)``)."""
    return at((hour - 8) * 60 + minute)


def serving_since(state: QueueState, the_office: Office, counter: int, code: str, started: datetime) -> None:
    """A citizen of ``code`` called to ``counter`` and served from ``started``."""
    issue(state, the_office, code, now=started)
    actions.call_next(state, the_office, counter, started)
    actions.start_serving(state, the_office, counter, started)


def test_the_only_counter_mid_way_through_a_15_minute_service_makes_a_new_ticket_wait_the_rest():
    o = office(services=(LAND,), counters=ONE_LAND_COUNTER)
    s = queue(o)
    serving_since(s, o, 1, "DC", local(9, 0))
    now = local(9, 7)
    assert flat_wait_s(s, o, "DC", 0) == 0  # the old promise: "dưới 1 phút"
    assert estimate_wait(s, o, "DC", 0, now) == WaitEstimate(8 * 60)


def test_people_ahead_wait_for_the_rest_of_the_service_then_one_usual_time_each():
    o = office(services=(LAND,), counters=ONE_LAND_COUNTER)
    s = queue(o)
    serving_since(s, o, 1, "DC", local(9, 0))
    assert estimated_wait_s(s, o, "DC", 2, now=local(9, 5)) == (10 + 2 * 15) * 60


def test_a_service_past_its_usual_time_still_has_a_quarter_of_it_left():
    o = office(services=(LAND,), counters=ONE_LAND_COUNTER)
    s = queue(o)
    serving_since(s, o, 1, "DC", local(9, 0))
    assert estimate_wait(s, o, "DC", 0, local(9, 40)).wait_s == 15 * 60 // 4


def test_the_service_in_progress_is_timed_by_its_own_field():
    short = service("KQ", "K", default_service_minutes=3)
    o = office(services=(LAND, short), counters={1: ("DC", "KQ")})
    s = queue(o)
    serving_since(s, o, 1, "DC", local(9, 0))
    assert estimate_wait(s, o, "KQ", 0, local(9, 5)).wait_s == 10 * 60


def test_the_first_free_of_two_counters_takes_the_next_citizen():
    o = office(services=(LAND,), counters={1: ("DC",), 2: ("DC",)})
    s = queue(o)
    serving_since(s, o, 1, "DC", local(9, 0))
    serving_since(s, o, 2, "DC", local(9, 10))
    now = local(9, 12)
    # Counter 1 is free at 9:15 (the one ahead), counter 2 at 9:25 (this ticket).
    assert estimate_wait(s, o, "DC", 1, now).wait_s == 13 * 60


def test_a_counter_shared_with_another_field_spreads_that_fields_waiting_work():
    short = service("KQ", "K", default_service_minutes=3)
    o = office(services=(LAND, short), counters={1: ("DC", "KQ")})
    s = queue(o)
    actions.call_next(s, o, 1, local(9, 0))  # nobody waits: the counter opens idle
    issue(s, o, "DC", now=local(9, 0))
    issue(s, o, "DC", now=local(9, 0))
    issue(s, o, "KQ", now=local(9, 0))
    # The KQ ahead is called now; it and this ticket share two DC files (30 min): 3 + 15 min per KQ call.
    assert estimate_wait(s, o, "KQ", 1, local(9, 0)).wait_s == (3 + 30 // 2) * 60


def test_closed_and_paused_counters_call_nobody():
    o = office(counters={1: ("HT",), 2: ("HT",)})
    s = queue(o)
    actions.call_next(s, o, 1, local(9, 0))
    actions.call_next(s, o, 2, local(9, 0))
    assert estimate_wait(s, o, "HT", 2, local(9, 0)).wait_s == 10 * 60  # two idle counters: two at once, then this
    actions.pause(s, o, 2, "Họp", local(9, 0))
    assert estimate_wait(s, o, "HT", 2, local(9, 0)).wait_s == 2 * 10 * 60


def test_with_every_counter_closed_in_working_hours_one_is_expected_to_open():
    o = office(counters={1: ("HT",), 2: ("HT",)})
    s = queue(o)
    assert estimate_wait(s, o, "HT", 2, local(9, 0)) == WaitEstimate(2 * 10 * 60)


def test_a_ticket_taken_before_opening_says_when_the_counters_open():
    o = office(counters={1: ("HT",), 2: ("HT",)})
    s = queue(o)
    estimate = estimate_wait(s, o, "HT", 2, local(7, 0))
    # Both counters open at 7:30 and take the two ahead; this ticket follows at 7:40.
    assert estimate == WaitEstimate(40 * 60, NOTE_BEFORE_OPENING, local(7, 40))


def test_a_ticket_taken_at_11_25_is_promised_the_afternoon_not_minutes_across_lunch():
    o = office(counters={1: ("HT",)})
    s = queue(o)
    serving_since(s, o, 1, "HT", local(11, 20))  # ends about 11:30: nobody more is called this morning
    estimate = estimate_wait(s, o, "HT", 1, local(11, 25))
    assert estimate == WaitEstimate((2 * 60 + 15) * 60, NOTE_AFTER_BREAK, local(13, 40))
    assert estimate.called_at is not None and estimate.called_at.strftime("%H:%M") == "13:40"


def test_a_ticket_called_before_lunch_gets_plain_minutes():
    o = office(counters={1: ("HT",)})
    s = queue(o)
    serving_since(s, o, 1, "HT", local(11, 10))
    assert estimate_wait(s, o, "HT", 0, local(11, 15)) == WaitEstimate(5 * 60)


def test_a_ticket_taken_in_the_lunch_break_is_called_after_it():
    o = office(counters={1: ("HT",)})
    s = queue(o)
    actions.call_next(s, o, 1, local(11, 0))
    assert estimate_wait(s, o, "HT", 0, local(12, 0)) == WaitEstimate(90 * 60, NOTE_AFTER_BREAK, local(13, 30))


def test_a_ticket_taken_at_16_55_behind_others_may_not_be_served_today():
    o = office(counters={1: ("HT",)})
    s = queue(o)
    serving_since(s, o, 1, "HT", local(16, 50))
    estimate = estimate_wait(s, o, "HT", 1, local(16, 55))
    assert estimate == WaitEstimate(5 * 60, NOTE_MAY_MISS_TODAY)


def test_a_ticket_called_before_closing_is_still_promised_its_minutes():
    o = office(counters={1: ("HT",)})
    s = queue(o)
    actions.call_next(s, o, 1, local(16, 50))
    assert estimate_wait(s, o, "HT", 0, local(16, 55)) == WaitEstimate(0)


def test_a_normal_ticket_waits_behind_a_priority_ticket_that_came_later():
    o = office(counters={1: ("HT",)})
    s = queue(o)
    actions.call_next(s, o, 1, local(9, 0))
    normal = issue(s, o, "HT", now=local(9, 0))
    elderly = issue(s, o, "HT", now=local(9, 1), priority="elderly")
    now = local(9, 2)
    wait = {t.number: estimate_wait(s, o, "HT", people_ahead(s, o, t, now), now).wait_s for t in (normal, elderly)}
    assert wait == {elderly.number: 0, normal.number: 10 * 60}


# -- invariants ---------------------------------------------------------------------------------------------------

COUNTER_STATES = st.sampled_from(("closed", "idle", "serving", "paused"))


@st.composite
def offices_at_a_moment(draw: st.DrawFn) -> tuple[Office, QueueState, datetime]:
    """Two fields, three counters in any state, services begun any time before, at any minute of the day."""
    o = office(services=(service("HT", "A"), LAND), counters={1: ("HT",), 2: ("HT", "DC"), 3: ("DC",)})
    s = queue(o)
    start = local(0, 0) + timedelta(minutes=draw(st.integers(0, 24 * 60 - 90)))
    for number in (1, 2, 3):
        wanted = draw(COUNTER_STATES)
        if wanted == "closed":
            continue
        code = "HT" if number == 1 else "DC"
        begun = start + timedelta(minutes=draw(st.integers(0, 60)))
        if wanted == "serving":
            serving_since(s, o, number, code, begun)
        else:
            actions.call_next(s, o, number, begun)
            if wanted == "paused":
                actions.pause(s, o, number, "Họp", begun)
    for _ in range(draw(st.integers(0, 6))):
        issue(s, o, draw(st.sampled_from(("HT", "DC"))), now=start + timedelta(minutes=61))
    return o, s, start + timedelta(minutes=draw(st.integers(61, 90)))


@PROPERTY
@given(offices_at_a_moment(), st.sampled_from(("HT", "DC")), st.integers(0, 60))
def test_the_promise_is_never_negative(setup: tuple[Office, QueueState, datetime], code: str, ahead: int) -> None:
    o, s, now = setup
    estimate = estimate_wait(s, o, code, ahead, now)
    assert estimate.wait_s >= 0
    assert (estimate.called_at is not None) == (estimate.note in (NOTE_AFTER_BREAK, NOTE_BEFORE_OPENING))


@PROPERTY
@given(offices_at_a_moment(), st.sampled_from(("HT", "DC")), st.integers(0, 60))
def test_one_more_person_ahead_never_shortens_the_promise(setup: tuple[Office, QueueState, datetime], code: str,
                                                         ahead: int) -> None:
    o, s, now = setup
    fewer, more = estimate_wait(s, o, code, ahead, now), estimate_wait(s, o, code, ahead + 1, now)
    assert more.wait_s >= fewer.wait_s
    # Once today's service may end first, more people ahead cannot bring it back.
    assert fewer.note != NOTE_MAY_MISS_TODAY or more.note == NOTE_MAY_MISS_TODAY
