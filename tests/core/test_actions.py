"""Clerk actions: call, recall, serve, no-show, complete, transfer, pause, resume, close."""

from __future__ import annotations

import pytest

from queue_server.core import actions, errors
from queue_server.core.model import CALLED, CANCELLED, DONE, NO_SHOW, SERVING, WAITING
from queue_server.core.selection import estimated_wait_s

from .builders import at, call_next, fingerprint, issue, office, queue, snapshot

ONE_COUNTER = {1: ("HT",)}


# -- call next ---------------------------------------------------------------------


def test_call_next_marks_the_ticket_called_at_the_counter():
    o = office()
    s = queue(o)
    ticket = issue(s, o, "HT")
    called, outcome = actions.call_next(s, o, 1, at(2), clerk="lan")
    assert called is ticket
    assert (ticket.status, ticket.counter, ticket.called_at) == (CALLED, 1, at(2))
    assert (s.counters[1].state, s.counters[1].current, s.counters[1].clerk) == ("serving", ticket.id, "lan")
    assert [e.type for e in outcome.events] == ["ticket.called"]
    assert s.waiting_count("HT") == 0


def test_call_next_with_nobody_waiting_leaves_the_counter_idle():
    o = office()
    s = queue(o)
    ticket, outcome = actions.call_next(s, o, 1, at(0))
    assert ticket is None
    assert s.counters[1].state == "idle"
    assert outcome.events == []


def test_call_next_completes_the_ticket_still_at_the_counter():
    o = office()
    s = queue(o)
    first = issue(s, o, "HT")
    second = issue(s, o, "HT")
    call_next(s, o, 1, minutes=1)
    _, outcome = actions.call_next(s, o, 1, at(7))
    assert (first.status, first.finished_at) == (DONE, at(7))
    assert second.status == CALLED
    assert [e.type for e in outcome.events] == ["ticket.completed", "ticket.called"]


def test_call_next_completes_the_current_ticket_even_when_nobody_else_waits():
    o = office()
    s = queue(o)
    first = issue(s, o, "HT")
    call_next(s, o, 1, minutes=1)
    assert call_next(s, o, 1, minutes=5) is None
    assert first.status == DONE
    assert (s.counters[1].state, s.counters[1].current) == ("idle", None)


def test_call_next_refuses_with_counter_busy_when_the_office_says_so():
    o = office(call_with_current="refuse")
    s = queue(o)
    issue(s, o, "HT")
    issue(s, o, "HT")
    call_next(s, o, 1, minutes=1)
    with pytest.raises(errors.CounterBusy):
        actions.call_next(s, o, 1, at(2))


def test_a_refused_call_next_changes_nothing():
    o = office(call_with_current="refuse")
    s = queue(o)
    issue(s, o, "HT")
    issue(s, o, "HT")
    call_next(s, o, 1, minutes=1)
    before = snapshot(s)
    with pytest.raises(errors.CounterBusy):
        actions.call_next(s, o, 1, at(2))
    assert fingerprint(s) == before


def test_call_next_with_refuse_calls_again_once_the_ticket_is_completed():
    o = office(call_with_current="refuse")
    s = queue(o)
    issue(s, o, "HT")
    second = issue(s, o, "HT")
    call_next(s, o, 1, minutes=1)
    actions.complete(s, o, 1, at(3))
    assert call_next(s, o, 1, minutes=4) is second


def test_call_next_counts_normal_tickets_for_every_n():
    o = office("every_n", counters=ONE_COUNTER)
    s = queue(o)
    issue(s, o, "HT")
    issue(s, o, "HT")
    call_next(s, o, 1)
    call_next(s, o, 1)
    assert s.services["HT"].normals_since_priority == 2


def test_call_next_resets_the_every_n_count_on_a_priority_ticket():
    o = office("every_n", counters=ONE_COUNTER, priority_every_n=1)
    s = queue(o)
    issue(s, o, "HT")
    issue(s, o, "HT", priority="merit")
    call_next(s, o, 1)
    call_next(s, o, 1)
    assert s.services["HT"].normals_since_priority == 0


def test_call_next_at_a_paused_counter_ends_the_pause():
    o = office()
    s = queue(o)
    ticket = issue(s, o, "HT")
    actions.pause(s, o, 1, "Nghỉ trưa", at(0))
    called, outcome = actions.call_next(s, o, 1, at(1))
    assert called is ticket
    assert (s.counters[1].state, s.counters[1].pause_reason) == ("serving", None)
    assert [e.type for e in outcome.events] == ["counter.resumed", "ticket.called"]


def test_call_next_at_an_unknown_counter_raises_unknown_counter():
    o = office()
    s = queue(o)
    with pytest.raises(errors.UnknownCounter):
        actions.call_next(s, o, 99, at(0))


# -- call a chosen ticket --------------------------------------------------------------


def test_call_ticket_calls_a_chosen_waiting_ticket_out_of_turn():
    o = office()
    s = queue(o)
    issue(s, o, "HT")
    chosen = issue(s, o, "HT")
    called, _ = actions.call_ticket(s, o, 1, chosen.id, at(1))
    assert called is chosen and chosen.status == CALLED


def test_call_ticket_calls_back_a_no_show_within_the_grace():
    o = office(no_show_grace_minutes=15)
    s = queue(o)
    ticket = issue(s, o, "HT")
    call_next(s, o, 1, minutes=0)
    actions.mark_no_show(s, o, 1, at(2))
    actions.call_ticket(s, o, 1, ticket.id, at(17))
    assert (ticket.status, ticket.counter, ticket.finished_at) == (CALLED, 1, None)


def test_call_ticket_refuses_a_no_show_after_the_grace():
    o = office(no_show_grace_minutes=15)
    s = queue(o)
    ticket = issue(s, o, "HT")
    call_next(s, o, 1, minutes=0)
    actions.mark_no_show(s, o, 1, at(2))
    with pytest.raises(errors.TicketNotCallable):
        actions.call_ticket(s, o, 1, ticket.id, at(17.01))


def test_call_ticket_refuses_a_completed_ticket():
    o = office()
    s = queue(o)
    ticket = issue(s, o, "HT")
    call_next(s, o, 1)
    actions.complete(s, o, 1, at(1))
    with pytest.raises(errors.TicketNotCallable):
        actions.call_ticket(s, o, 1, ticket.id, at(2))


def test_call_ticket_refuses_a_ticket_of_a_service_the_counter_does_not_take():
    o = office()
    s = queue(o)
    ticket = issue(s, o, "VP")
    with pytest.raises(errors.TicketNotCallable):
        actions.call_ticket(s, o, 1, ticket.id, at(1))


def test_call_ticket_refuses_a_ticket_sent_to_another_counter():
    o = office(counters={1: ("HT",), 2: ("HT",), 3: ("HT",)})
    s = queue(o)
    ticket = issue(s, o, "HT")
    call_next(s, o, 1)
    actions.transfer(s, o, 1, at(1), to_counter=3)
    with pytest.raises(errors.TicketNotCallable):
        actions.call_ticket(s, o, 2, ticket.id, at(2))


def test_call_ticket_lets_the_counter_a_ticket_was_sent_to_call_it():
    o = office(counters={1: ("HT",), 2: ("HT",), 3: ("HT",)})
    s = queue(o)
    ticket = issue(s, o, "HT")
    call_next(s, o, 1)
    actions.transfer(s, o, 1, at(1), to_counter=3)
    actions.call_ticket(s, o, 3, ticket.id, at(2))
    assert (ticket.status, ticket.counter) == (CALLED, 3)


def test_call_ticket_raises_unknown_ticket_for_an_id_not_in_todays_queue():
    o = office()
    s = queue(o)
    with pytest.raises(errors.UnknownTicket):
        actions.call_ticket(s, o, 1, 42, at(0))


def test_call_ticket_completes_the_ticket_still_at_the_counter():
    o = office()
    s = queue(o)
    first = issue(s, o, "HT")
    chosen = issue(s, o, "HT")
    call_next(s, o, 1)
    actions.call_ticket(s, o, 1, chosen.id, at(3))
    assert (first.status, chosen.status) == (DONE, CALLED)


def test_call_ticket_with_refuse_raises_counter_busy_and_changes_nothing():
    o = office(call_with_current="refuse")
    s = queue(o)
    issue(s, o, "HT")
    chosen = issue(s, o, "HT")
    call_next(s, o, 1)
    before = snapshot(s)
    with pytest.raises(errors.CounterBusy):
        actions.call_ticket(s, o, 1, chosen.id, at(3))
    assert fingerprint(s) == before


def test_a_refused_call_ticket_on_a_new_day_changes_nothing():
    # A ticket id from yesterday: the rule must raise before it rolls the day over.
    o = office()
    s = queue(o)
    yesterday = issue(s, o, "HT")
    before = snapshot(s)
    with pytest.raises(errors.UnknownTicket):
        actions.call_ticket(s, o, 1, yesterday.id, at(0, day=1))
    assert fingerprint(s) == before
    assert yesterday.status == WAITING


# -- recall, serve, no-show, complete -----------------------------------------------------


def test_recall_announces_the_current_ticket_again():
    o = office()
    s = queue(o)
    ticket = issue(s, o, "HT")
    call_next(s, o, 1)
    recalled, outcome = actions.recall(s, o, 1, at(1))
    assert recalled is ticket
    assert (ticket.recalls, ticket.status) == (1, CALLED)
    assert [(e.type, e.ticket_id, e.counter) for e in outcome.events] == [("ticket.recalled", ticket.id, 1)]


def test_recall_counts_every_recall():
    o = office()
    s = queue(o)
    ticket = issue(s, o, "HT")
    call_next(s, o, 1)
    for minute in range(3):
        actions.recall(s, o, 1, at(minute))
    assert ticket.recalls == 3


def test_recall_without_a_current_ticket_raises_no_current_ticket():
    o = office()
    s = queue(o)
    with pytest.raises(errors.NoCurrentTicket):
        actions.recall(s, o, 1, at(0))


def test_start_serving_marks_the_called_ticket_serving():
    o = office()
    s = queue(o)
    ticket = issue(s, o, "HT")
    call_next(s, o, 1)
    actions.start_serving(s, o, 1, at(1))
    assert (ticket.status, ticket.served_at) == (SERVING, at(1))


def test_start_serving_twice_is_a_conflict():
    o = office()
    s = queue(o)
    issue(s, o, "HT")
    call_next(s, o, 1)
    actions.start_serving(s, o, 1, at(1))
    with pytest.raises(errors.AlreadyServing):
        actions.start_serving(s, o, 1, at(2))


def test_mark_no_show_frees_the_counter():
    o = office()
    s = queue(o)
    ticket = issue(s, o, "HT")
    call_next(s, o, 1)
    _, outcome = actions.mark_no_show(s, o, 1, at(3))
    assert (ticket.status, ticket.finished_at) == (NO_SHOW, at(3))
    assert (s.counters[1].state, s.counters[1].current) == ("idle", None)
    assert [e.type for e in outcome.events] == ["ticket.no_show"]


def test_mark_no_show_acts_on_a_serving_ticket_too():
    o = office()
    s = queue(o)
    ticket = issue(s, o, "HT")
    call_next(s, o, 1)
    actions.start_serving(s, o, 1, at(1))
    actions.mark_no_show(s, o, 1, at(2))
    assert ticket.status == NO_SHOW


def test_a_no_show_does_not_feed_the_service_time_estimate():
    o = office()
    s = queue(o)
    issue(s, o, "HT")
    call_next(s, o, 1)
    actions.mark_no_show(s, o, 1, at(5))
    assert list(s.services["HT"].recent_service_s) == []


def test_complete_records_the_service_time_from_the_start_of_service():
    o = office()
    s = queue(o)
    ticket = issue(s, o, "HT")
    call_next(s, o, 1, minutes=0)
    actions.start_serving(s, o, 1, at(2))
    _, outcome = actions.complete(s, o, 1, at(9))
    assert (ticket.status, ticket.finished_at) == (DONE, at(9))
    assert list(s.services["HT"].recent_service_s) == [7 * 60]
    assert [e.type for e in outcome.events] == ["ticket.completed"]


def test_complete_without_a_current_ticket_raises_no_current_ticket():
    o = office()
    s = queue(o)
    with pytest.raises(errors.NoCurrentTicket):
        actions.complete(s, o, 1, at(0))


def test_the_service_time_window_keeps_only_the_most_recent_times():
    o = office(counters=ONE_COUNTER, service_time_window=2)
    s = queue(o)
    for _ in range(3):
        issue(s, o, "HT")
    for minute in (0, 1, 3, 6):
        call_next(s, o, 1, minutes=minute)
    assert list(s.services["HT"].recent_service_s) == [120, 180]


# -- transfer ---------------------------------------------------------------------


def test_transfer_to_a_service_puts_the_ticket_back_in_that_services_line():
    o = office()
    s = queue(o)
    ticket = issue(s, o, "HT")
    call_next(s, o, 1)
    moved, outcome = actions.transfer(s, o, 1, at(2), service_code="VP")
    assert moved is ticket
    assert (ticket.status, ticket.service, ticket.counter, ticket.called_at) == (WAITING, "VP", None, None)
    assert ticket.transfers == 1
    assert s.waiting_in("VP") == [ticket]
    assert (s.counters[1].state, s.counters[1].current) == ("idle", None)
    assert outcome.events[0].type == "ticket.transferred"
    assert outcome.events[0].data == {"from_service": "HT", "from_counter": 1, "to_counter": None}


def test_a_transferred_ticket_keeps_its_place_by_issue_time():
    o = office()
    s = queue(o)
    older = issue(s, o, "HT", minutes=0)
    newer_vp = [issue(s, o, "VP", minutes=m) for m in (1, 2)]
    call_next(s, o, 1, minutes=3)
    actions.transfer(s, o, 1, at(10), service_code="VP")
    assert older.queued_at == at(0)
    assert call_next(s, o, 2, minutes=11) is older
    assert call_next(s, o, 2, minutes=12) is newer_vp[0]


def test_a_transferred_ticket_goes_after_older_tickets_of_the_target_service():
    o = office()
    s = queue(o)
    older_vp = issue(s, o, "VP", minutes=0)
    ht = issue(s, o, "HT", minutes=1)
    call_next(s, o, 1, minutes=2)
    actions.transfer(s, o, 1, at(3), service_code="VP")
    assert s.waiting_in("VP") == [older_vp, ht]


def test_a_transferred_priority_ticket_stays_a_priority_ticket():
    o = office()
    s = queue(o)
    ticket = issue(s, o, "HT", priority="elderly")
    fresh_vp = issue(s, o, "VP", minutes=0)
    call_next(s, o, 1, minutes=1)
    actions.transfer(s, o, 1, at(2), service_code="VP")
    assert ticket.priority == "elderly"
    assert call_next(s, o, 2, minutes=3) is ticket
    assert fresh_vp.status == WAITING


def test_transfer_to_a_counter_marks_the_ticket_for_that_counter():
    o = office()
    s = queue(o)
    ticket = issue(s, o, "HT")
    call_next(s, o, 1)
    _, outcome = actions.transfer(s, o, 1, at(1), to_counter=3)
    assert (ticket.status, ticket.service, ticket.target_counter) == (WAITING, "HT", 3)
    assert outcome.events[0].data["to_counter"] == 3


def test_a_ticket_called_after_a_transfer_to_a_counter_is_no_longer_marked_for_it():
    o = office()
    s = queue(o)
    ticket = issue(s, o, "HT")
    call_next(s, o, 1)
    actions.transfer(s, o, 1, at(1), to_counter=3)
    call_next(s, o, 3, minutes=2)
    assert (ticket.counter, ticket.target_counter) == (3, None)


def test_transfer_to_the_same_counter_raises_invalid_request():
    o = office()
    s = queue(o)
    issue(s, o, "HT")
    call_next(s, o, 1)
    with pytest.raises(errors.InvalidRequest):
        actions.transfer(s, o, 1, at(1), to_counter=1)


def test_transfer_without_a_target_raises_invalid_request():
    o = office()
    s = queue(o)
    issue(s, o, "HT")
    call_next(s, o, 1)
    with pytest.raises(errors.InvalidRequest):
        actions.transfer(s, o, 1, at(1))


def test_transfer_to_a_service_and_a_counter_at_once_raises_invalid_request():
    o = office()
    s = queue(o)
    issue(s, o, "HT")
    call_next(s, o, 1)
    with pytest.raises(errors.InvalidRequest):
        actions.transfer(s, o, 1, at(1), service_code="VP", to_counter=2)


def test_transfer_to_an_unknown_service_raises_unknown_service():
    o = office()
    s = queue(o)
    issue(s, o, "HT")
    call_next(s, o, 1)
    with pytest.raises(errors.UnknownService):
        actions.transfer(s, o, 1, at(1), service_code="XX")


def test_transfer_to_an_unknown_counter_raises_unknown_counter():
    o = office()
    s = queue(o)
    issue(s, o, "HT")
    call_next(s, o, 1)
    with pytest.raises(errors.UnknownCounter):
        actions.transfer(s, o, 1, at(1), to_counter=9)


def paused_with_a_ticket(s, counter: int = 1, reason: str = "Họp") -> None:
    """A counter paused with a ticket still called there, as a database written before pause refused it holds."""
    s.counters[counter].state, s.counters[counter].pause_reason = "paused", reason


def test_transfer_keeps_a_paused_counter_paused():
    o = office()
    s = queue(o)
    issue(s, o, "HT")
    call_next(s, o, 1)
    paused_with_a_ticket(s)
    actions.transfer(s, o, 1, at(2), service_code="VP")
    assert (s.counters[1].state, s.counters[1].current) == ("paused", None)


# -- pause, resume, close ----------------------------------------------------------------


def test_pause_keeps_the_reason_for_the_lobby_screen():
    o = office()
    s = queue(o)
    outcome = actions.pause(s, o, 1, "  Nghỉ trưa  ", at(0))
    assert (s.counters[1].state, s.counters[1].pause_reason) == ("paused", "Nghỉ trưa")
    assert [(e.type, e.data) for e in outcome.events] == [("counter.paused", {"reason": "Nghỉ trưa"})]


def test_pause_with_a_called_ticket_is_refused_and_changes_nothing():
    o = office()
    s = queue(o)
    ticket = issue(s, o, "HT")
    call_next(s, o, 1)
    before = snapshot(s)
    with pytest.raises(errors.TicketInProgress, match="A001.*Hoàn thành, Vắng mặt hoặc Chuyển"):
        actions.pause(s, o, 1, "Tra cứu hồ sơ", at(1))
    assert fingerprint(s) == before
    assert (s.counters[1].state, s.counters[1].current, ticket.status) == ("serving", ticket.id, CALLED)


def test_pause_with_a_ticket_being_served_is_refused():
    o = office()
    s = queue(o)
    issue(s, o, "HT")
    call_next(s, o, 1)
    actions.start_serving(s, o, 1, at(1))
    with pytest.raises(errors.TicketInProgress):
        actions.pause(s, o, 1, "Nghỉ trưa", at(2))


def test_pause_is_taken_once_the_ticket_is_finished_absent_or_transferred():
    o = office()
    s = queue(o)
    for _ in range(3):
        issue(s, o, "HT")
    for finish in (lambda: actions.complete(s, o, 1, at(1)), lambda: actions.mark_no_show(s, o, 1, at(1)),
                   lambda: actions.transfer(s, o, 1, at(1), service_code="VP")):
        call_next(s, o, 1)
        finish()
        actions.pause(s, o, 1, "Nghỉ trưa", at(2))
        assert (s.counters[1].state, s.counters[1].current) == ("paused", None)


def test_pause_without_a_reason_raises_invalid_request():
    o = office()
    s = queue(o)
    with pytest.raises(errors.InvalidRequest):
        actions.pause(s, o, 1, "   ", at(0))


def test_pause_with_a_too_long_reason_raises_invalid_request():
    o = office()
    s = queue(o)
    with pytest.raises(errors.InvalidRequest):
        actions.pause(s, o, 1, "x" * (actions.MAX_REASON_LENGTH + 1), at(0))


def test_a_paused_counter_does_not_share_the_wait_estimate():
    o = office(counters={1: ("HT",), 2: ("HT",)})
    s = queue(o)
    call_next(s, o, 1)
    call_next(s, o, 2)
    assert estimated_wait_s(s, o, "HT", 2) == 2 * 600 // 2
    actions.pause(s, o, 2, "Nghỉ", at(0))
    assert estimated_wait_s(s, o, "HT", 2) == 2 * 600


def test_resume_returns_an_idle_counter_to_idle():
    o = office()
    s = queue(o)
    call_next(s, o, 1)
    actions.pause(s, o, 1, "Nghỉ", at(0))
    outcome = actions.resume(s, o, 1, at(1))
    assert (s.counters[1].state, s.counters[1].pause_reason) == ("idle", None)
    assert [e.type for e in outcome.events] == ["counter.resumed"]


def test_resume_returns_a_counter_with_a_ticket_to_serving():
    o = office()
    s = queue(o)
    issue(s, o, "HT")
    call_next(s, o, 1)
    paused_with_a_ticket(s, reason="Nghỉ")
    actions.resume(s, o, 1, at(1))
    assert s.counters[1].state == "serving"


def test_resume_of_a_counter_that_is_not_paused_raises_counter_not_paused():
    o = office()
    s = queue(o)
    with pytest.raises(errors.CounterNotPaused):
        actions.resume(s, o, 1, at(0))


def test_close_counter_completes_its_ticket_and_closes_it():
    o = office()
    s = queue(o)
    ticket = issue(s, o, "HT")
    call_next(s, o, 1, minutes=0)
    outcome = actions.close_counter(s, o, 1, at(5))
    assert ticket.status == DONE
    assert (s.counters[1].state, s.counters[1].current, s.counters[1].clerk) == ("closed", None, None)
    assert [e.type for e in outcome.events] == ["ticket.completed", "counter.closed"]


# -- issue ------------------------------------------------------------------------


def test_issue_ticket_puts_the_ticket_in_its_services_line():
    o = office()
    s = queue(o)
    ticket, outcome = actions.issue_ticket(s, o, "HT", at(0), priority="merit", procedure="1.001193",
                                           device="kiosk-1", status_token="abc")
    assert (ticket.status, ticket.priority) == (WAITING, "merit")
    assert (ticket.procedure, ticket.device) == ("1.001193", "kiosk-1")
    assert (ticket.issued_at, ticket.queued_at, ticket.issued_service) == (at(0), at(0), "HT")
    assert s.waiting_in("HT") == [ticket]
    assert [(e.type, e.ticket_id) for e in outcome.events] == [("ticket.issued", ticket.id)]


def test_issue_ticket_for_an_unknown_service_raises_unknown_service():
    o = office()
    s = queue(o)
    with pytest.raises(errors.UnknownService):
        actions.issue_ticket(s, o, "XX", at(0), status_token="t")


def test_issue_ticket_with_an_unknown_priority_raises_invalid_priority():
    o = office()
    s = queue(o)
    with pytest.raises(errors.InvalidPriority):
        actions.issue_ticket(s, o, "HT", at(0), priority="vip", status_token="t")


# -- every rule that raises leaves the state unchanged ---------------------------------------------


class Busy:
    """A busy office with refuse-on-busy: a called ticket at counter 1, a serving one at 2, counter 3 paused.

    ``missed`` is a no-show (grace 15 minutes, missed at minute 7) and ``done`` a completed ticket.
    """

    def __init__(self) -> None:
        o = self.office = office(call_with_current="refuse", no_show_grace_minutes=15)
        s = self.state = queue(o)
        issue(s, o, "HT", minutes=0)
        issue(s, o, "HT", minutes=1, priority="elderly")
        issue(s, o, "VP", minutes=2)
        self.missed = issue(s, o, "VP", minutes=3)
        issue(s, o, "HT", minutes=4)
        issue(s, o, "VP", minutes=5)
        actions.call_ticket(s, o, 2, self.missed.id, at(6))
        actions.mark_no_show(s, o, 2, at(7))
        call_next(s, o, 1, minutes=8)
        call_next(s, o, 2, minutes=8)
        actions.start_serving(s, o, 2, at(9))
        actions.complete(s, o, 2, at(10))
        call_next(s, o, 2, minutes=10)
        actions.start_serving(s, o, 2, at(11))
        actions.pause(s, o, 3, "Nghỉ", at(11))
        self.done = next(t for t in s.tickets.values() if t.status == DONE)


NOW = at(12)
REFUSED = {
    "issue_unknown_service": (
        errors.UnknownService, lambda b: actions.issue_ticket(b.state, b.office, "XX", NOW, status_token="x")),
    "issue_invalid_priority": (
        errors.InvalidPriority,
        lambda b: actions.issue_ticket(b.state, b.office, "HT", NOW, priority="vip", status_token="x")),
    "issue_on_a_new_day_with_an_unknown_service": (
        errors.UnknownService,
        lambda b: actions.issue_ticket(b.state, b.office, "XX", at(0, day=1), status_token="x")),
    "call_next_unknown_counter": (errors.UnknownCounter, lambda b: actions.call_next(b.state, b.office, 9, NOW)),
    "call_next_busy": (errors.CounterBusy, lambda b: actions.call_next(b.state, b.office, 1, NOW)),
    "call_ticket_unknown_counter": (
        errors.UnknownCounter, lambda b: actions.call_ticket(b.state, b.office, 9, b.missed.id, NOW)),
    "call_ticket_unknown_ticket": (errors.UnknownTicket, lambda b: actions.call_ticket(b.state, b.office, 3, 999, NOW)),
    "call_ticket_done": (errors.TicketNotCallable, lambda b: actions.call_ticket(b.state, b.office, 3, b.done.id, NOW)),
    "call_ticket_after_grace": (
        errors.TicketNotCallable, lambda b: actions.call_ticket(b.state, b.office, 3, b.missed.id, at(30))),
    "call_ticket_other_service": (
        errors.TicketNotCallable, lambda b: actions.call_ticket(b.state, b.office, 1, b.missed.id, NOW)),
    "call_ticket_busy": (errors.CounterBusy, lambda b: actions.call_ticket(b.state, b.office, 2, b.missed.id, NOW)),
    "call_ticket_yesterday": (
        errors.UnknownTicket, lambda b: actions.call_ticket(b.state, b.office, 3, b.missed.id, at(0, day=1))),
    "recall_nothing": (errors.NoCurrentTicket, lambda b: actions.recall(b.state, b.office, 3, NOW)),
    "recall_unknown_counter": (errors.UnknownCounter, lambda b: actions.recall(b.state, b.office, 9, NOW)),
    "serve_twice": (errors.AlreadyServing, lambda b: actions.start_serving(b.state, b.office, 2, NOW)),
    "serve_nothing": (errors.NoCurrentTicket, lambda b: actions.start_serving(b.state, b.office, 3, NOW)),
    "no_show_nothing": (errors.NoCurrentTicket, lambda b: actions.mark_no_show(b.state, b.office, 3, NOW)),
    "complete_nothing": (errors.NoCurrentTicket, lambda b: actions.complete(b.state, b.office, 3, NOW)),
    "transfer_no_target": (errors.InvalidRequest, lambda b: actions.transfer(b.state, b.office, 1, NOW)),
    "transfer_two_targets": (
        errors.InvalidRequest,
        lambda b: actions.transfer(b.state, b.office, 1, NOW, service_code="VP", to_counter=2)),
    "transfer_nothing": (
        errors.NoCurrentTicket, lambda b: actions.transfer(b.state, b.office, 3, NOW, service_code="VP")),
    "transfer_unknown_service": (
        errors.UnknownService, lambda b: actions.transfer(b.state, b.office, 1, NOW, service_code="XX")),
    "transfer_unknown_counter": (
        errors.UnknownCounter, lambda b: actions.transfer(b.state, b.office, 1, NOW, to_counter=9)),
    "transfer_same_counter": (
        errors.InvalidRequest, lambda b: actions.transfer(b.state, b.office, 1, NOW, to_counter=1)),
    "pause_no_reason": (errors.InvalidRequest, lambda b: actions.pause(b.state, b.office, 1, "", NOW)),
    "pause_long_reason": (errors.InvalidRequest, lambda b: actions.pause(b.state, b.office, 1, "x" * 201, NOW)),
    "pause_unknown_counter": (errors.UnknownCounter, lambda b: actions.pause(b.state, b.office, 9, "Nghỉ", NOW)),
    "resume_not_paused": (errors.CounterNotPaused, lambda b: actions.resume(b.state, b.office, 1, NOW)),
    "resume_unknown_counter": (errors.UnknownCounter, lambda b: actions.resume(b.state, b.office, 9, NOW)),
    "close_unknown_counter": (errors.UnknownCounter, lambda b: actions.close_counter(b.state, b.office, 9, NOW)),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_rule_that_raises_leaves_the_state_unchanged(case):
    error, rule = REFUSED[case]
    busy = Busy()
    before = snapshot(busy.state)
    with pytest.raises(error):
        rule(busy)
    assert fingerprint(busy.state) == before


def test_every_core_error_is_a_queue_error_with_a_stable_code():
    core_errors = [cls for cls in errors.QueueError.__subclasses__() if cls.__module__ == errors.__name__]
    codes = {cls.code for cls in core_errors}
    assert "queue_error" not in codes
    assert len(codes) == len(core_errors)


def test_rollover_cancels_a_ticket_called_yesterday_and_frees_its_counter():
    o = office()
    s = queue(o)
    ticket = issue(s, o, "HT")
    call_next(s, o, 1)
    called, _ = actions.call_next(s, o, 1, at(0, day=1))
    assert called is None
    assert ticket.status == CANCELLED
