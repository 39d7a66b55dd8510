"""Ticket numbers: per service, per local day, gap-free, reset at the office's midnight."""

from __future__ import annotations

from datetime import UTC, date, datetime

from queue_server.core import actions
from queue_server.core.model import CANCELLED, DONE, NO_SHOW

from .builders import at, call_next, issue, office, queue, service, utc


def test_first_ticket_of_the_day_gets_the_services_first_number():
    o = office()
    s = queue(o)
    ticket = issue(s, o, "HT")
    assert (ticket.seq, ticket.number) == (1, "A001")


def test_each_service_numbers_its_own_tickets():
    o = office()
    s = queue(o)
    numbers = [issue(s, o, code).number for code in ("HT", "VP", "HT", "VP", "HT")]
    assert numbers == ["A001", "B001", "A002", "B002", "A003"]


def test_numbers_follow_each_other_without_gaps():
    o = office()
    s = queue(o)
    seqs = [issue(s, o, "HT", minutes=m).seq for m in range(12)]
    assert seqs == list(range(1, 13))


def test_no_number_is_issued_twice_in_a_service_day():
    o = office()
    s = queue(o)
    numbers = [issue(s, o, "HT", minutes=m // 3).number for m in range(50)]
    assert len(set(numbers)) == len(numbers)


def test_numbering_starts_at_the_configured_first_number_with_its_digits():
    o = office(services=[service("HT", prefix="1", first_number=1, digits=3), service("VP", first_number=0, digits=4)])
    s = queue(o)
    assert [issue(s, o, "HT").number, issue(s, o, "VP").number, issue(s, o, "VP").number] == ["1001", "V0000", "V0001"]


def test_calling_and_finishing_tickets_does_not_reuse_their_numbers():
    o = office()
    s = queue(o)
    first = issue(s, o, "HT")
    call_next(s, o, 1)
    actions.mark_no_show(s, o, 1, at(1))
    assert issue(s, o, "HT", minutes=2).seq == first.seq + 1


def test_a_transferred_ticket_keeps_its_number_and_does_not_take_one_from_the_target_service():
    o = office()
    s = queue(o)
    ht = issue(s, o, "HT")
    call_next(s, o, 1)
    actions.transfer(s, o, 1, at(1), service_code="VP")
    vp = issue(s, o, "VP", minutes=2)
    assert (ht.number, ht.issued_service, ht.service) == ("A001", "HT", "VP")
    assert vp.number == "B001"


def test_the_ticket_day_is_the_offices_local_date_not_the_utc_date():
    o = office()
    s = queue(o)
    # 18:30 UTC on 2 March is 01:30 on 3 March in Hà Nội.
    ticket = issue(s, o, "HT", now=utc(18, 30, day=2))
    assert ticket.day == date(2026, 3, 3)


def test_numbering_restarts_at_the_offices_local_midnight():
    o = office()
    s = queue(o)
    late = issue(s, o, "HT", now=utc(16, 59, day=2))  # 23:59 local, 2 March
    issue(s, o, "HT", now=utc(16, 59, day=2))
    after = issue(s, o, "HT", now=utc(17, 0, day=2))  # 00:00 local, 3 March
    assert (late.day, late.seq) == (date(2026, 3, 2), 1)
    assert (after.day, after.seq) == (date(2026, 3, 3), 1)


def test_numbering_does_not_restart_at_utc_midnight():
    o = office()
    s = queue(o)
    before = issue(s, o, "HT", now=utc(23, 59, day=2))  # 06:59 local, 3 March
    after = issue(s, o, "HT", now=utc(0, 0, day=3))  # 07:00 local, 3 March
    assert before.day == after.day == date(2026, 3, 3)
    assert after.seq == before.seq + 1


def test_numbering_follows_the_configured_time_zone():
    o = office(timezone_name="UTC")
    s = queue(o)
    issue(s, o, "HT", now=utc(17, 0, day=2))
    assert issue(s, o, "HT", now=utc(23, 59, day=2)).seq == 2
    assert issue(s, o, "HT", now=utc(0, 0, day=3)).seq == 1


def test_leftover_tickets_of_the_previous_day_are_cancelled_on_rollover():
    o = office()
    s = queue(o)
    waiting = issue(s, o, "HT")
    in_progress = issue(s, o, "VP")
    call_next(s, o, 2)
    outcome = actions.start_day_if_new(s, o, at(0, day=1))
    assert waiting.status == in_progress.status == CANCELLED
    assert set(outcome.tickets) == {waiting.id, in_progress.id}
    assert [e.type for e in outcome.events] == ["day.started"]
    assert outcome.events[0].data == {"day": "2026-03-03", "cancelled": [waiting.id, in_progress.id]}


def test_finished_tickets_of_the_previous_day_keep_their_status_on_rollover():
    o = office()
    s = queue(o)
    done = issue(s, o, "HT")
    missed = issue(s, o, "HT")
    call_next(s, o, 1)
    call_next(s, o, 1)
    actions.mark_no_show(s, o, 1, at(1))
    actions.start_day_if_new(s, o, at(0, day=1))
    assert (done.status, missed.status) == (DONE, NO_SHOW)


def test_rollover_empties_the_waiting_lines_and_closes_the_counters():
    o = office()
    s = queue(o)
    issue(s, o, "HT")
    issue(s, o, "VP")
    call_next(s, o, 1)
    actions.start_day_if_new(s, o, at(0, day=1))
    assert s.tickets == {}
    assert (s.waiting_count("HT"), s.waiting_count("VP")) == (0, 0)
    assert {c.state for c in s.counters.values()} == {"closed"}
    assert all(c.current is None for c in s.counters.values())


def test_issuing_the_first_ticket_of_a_new_day_rolls_the_queue_over():
    o = office()
    s = queue(o)
    yesterday = issue(s, o, "HT")
    _, outcome = actions.issue_ticket(s, o, "HT", at(0, day=1), status_token="t")
    assert yesterday.status == CANCELLED
    assert [e.type for e in outcome.events] == ["day.started", "ticket.issued"]


def test_a_new_day_keeps_ticket_ids_unique():
    o = office()
    s = queue(o)
    first = issue(s, o, "HT")
    second = issue(s, o, "HT", now=at(0, day=1))
    assert second.id > first.id


def test_the_first_day_of_a_fresh_queue_starts_without_a_rollover_event():
    o = office()
    s = queue(o)
    outcome = actions.start_day_if_new(s, o, at(0))
    assert (s.day, outcome.events) == (date(2026, 3, 2), [])


def test_start_day_is_a_no_op_within_the_same_local_day():
    o = office()
    s = queue(o)
    ticket = issue(s, o, "HT")
    outcome = actions.start_day_if_new(s, o, utc(16, 59, day=2))
    assert (outcome.events, outcome.tickets, ticket.status) == ([], {}, "waiting")


def test_a_clock_stepping_back_over_midnight_does_not_restart_numbering():
    o = office()
    s = queue(o)
    issue(s, o, "HT", now=utc(16, 50, day=2))  # 23:50 local, 2 March: A001 of 2 March
    today = issue(s, o, "HT", now=utc(17, 1, day=2))  # 00:01 local, 3 March: A001 of 3 March
    # The clock is stepped back two minutes (NTP): still 3 March for the office.
    stepped_back = issue(s, o, "HT", now=datetime(2026, 3, 2, 16, 59, 30, tzinfo=UTC))
    later = issue(s, o, "HT", now=utc(17, 5, day=2))
    assert today.status == "waiting"
    assert [(t.day, t.seq) for t in (today, stepped_back, later)] == [
        (date(2026, 3, 3), 1), (date(2026, 3, 3), 2), (date(2026, 3, 3), 3)
    ]


def test_the_every_n_count_starts_afresh_each_day():
    o = office("every_n", priority_every_n=3)
    s = queue(o)
    for minute in range(2):
        issue(s, o, minutes=minute)
    call_next(s, o, 1)
    call_next(s, o, 1)
    assert s.services["HT"].normals_since_priority == 2
    outcome = actions.start_day_if_new(s, o, at(0, day=1))
    assert s.services["HT"].normals_since_priority == 0
    assert outcome.services["HT"] is s.services["HT"]
