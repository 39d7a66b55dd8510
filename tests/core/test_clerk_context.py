"""The clerk's context (issue 14.4): where a transfer came from and its note, pause only with no citizen
called, calling one number out of order, how long each has waited, and the day's served tickets."""

from __future__ import annotations

import contextlib
import json
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from queue_server.core import actions, errors, views
from queue_server.core.model import CALLED, DONE, IN_PROGRESS, WAITING
from queue_server.core.office import Service

from .builders import PROPERTY, at, call_next, fingerprint, issue, office, queue, snapshot

NOTE = "Thiếu bản sao CCCD, đã hẹn bổ sung"


# -- transfer: from where, and the note ---------------------------------------------------


def test_a_transferred_ticket_remembers_the_counter_and_field_it_came_from():
    o = office()
    s = queue(o)
    ticket = issue(s, o, "HT")
    call_next(s, o, 1)
    actions.transfer(s, o, 1, at(3), service_code="VP")
    assert views.transfer_origin(o, ticket) == {
        "counter": 1, "counter_name": "Quầy 1", "service": "HT", "service_name": "Tư pháp – Hộ tịch"}


def test_a_ticket_never_transferred_has_no_origin():
    o = office()
    s = queue(o)
    ticket = issue(s, o, "HT")
    assert views.transfer_origin(o, ticket) is None
    assert views.clerk_ticket_view(s, o, ticket, at(0))["transferred_from"] is None


def test_the_transfer_note_is_kept_in_nfc_and_trimmed():
    o = office()
    s = queue(o)
    ticket = issue(s, o, "HT")
    call_next(s, o, 1)
    actions.transfer(s, o, 1, at(3), to_counter=2, note="  " + unicodedata.normalize("NFD", NOTE) + "\n")
    assert ticket.transfer_note == NOTE
    assert unicodedata.is_normalized("NFC", ticket.transfer_note)


def test_a_blank_transfer_note_is_no_note():
    o = office()
    s = queue(o)
    ticket = issue(s, o, "HT")
    call_next(s, o, 1)
    actions.transfer(s, o, 1, at(3), to_counter=2, note="   ")
    assert ticket.transfer_note is None


def test_a_too_long_transfer_note_is_refused_and_changes_nothing():
    o = office()
    s = queue(o)
    issue(s, o, "HT")
    call_next(s, o, 1)
    before = snapshot(s)
    with pytest.raises(errors.InvalidRequest, match="tối đa 200 ký tự"):
        actions.transfer(s, o, 1, at(3), to_counter=2, note="x" * (actions.MAX_TRANSFER_NOTE_LENGTH + 1))
    assert fingerprint(s) == before


def test_a_decomposed_note_is_measured_after_nfc():
    long_but_fits = unicodedata.normalize("NFD", "ệ" * actions.MAX_TRANSFER_NOTE_LENGTH)
    assert len(long_but_fits) > actions.MAX_TRANSFER_NOTE_LENGTH
    assert actions.clean_transfer_note(long_but_fits) == "ệ" * actions.MAX_TRANSFER_NOTE_LENGTH


def test_a_second_transfer_replaces_the_origin_and_the_note():
    o = office()
    s = queue(o)
    ticket = issue(s, o, "HT")
    call_next(s, o, 1)
    actions.transfer(s, o, 1, at(1), to_counter=3, note=NOTE)
    call_next(s, o, 3)
    actions.transfer(s, o, 3, at(2), service_code="VP")
    assert (ticket.transferred_from, ticket.transferred_from_service, ticket.transfer_note) == (3, "HT", None)


def test_the_receiving_clerk_sees_the_note_and_no_public_view_or_event_carries_it():
    o = office()
    s = queue(o)
    ticket = issue(s, o, "HT")
    call_next(s, o, 1)
    _, outcome = actions.transfer(s, o, 1, at(3), to_counter=2, note=NOTE)
    clerk = views.clerk_ticket_view(s, o, ticket, at(3))
    assert (clerk["transfer_note"], clerk["transferred_from"]["counter_name"]) == (NOTE, "Quầy 1")
    public = [views.ticket_view(s, o, ticket, at(3)), views.snapshot_view(s, o, at(3)),
              *(views.event_view(s, o, event, at(3)) for event in outcome.events)]
    assert NOTE not in json.dumps(public, ensure_ascii=False)
    assert outcome.events[0].data == {"from_service": "HT", "from_counter": 1, "to_counter": 2}


# -- pause only when nobody is called here --------------------------------------------------


STEPS = ("issue", "issue", "next", "next", "serve", "done", "absent", "transfer", "pause", "pause", "resume")
"""Kiosk and clerk actions, tickets and calls weighted so that a pause often meets a called citizen."""


@PROPERTY
@given(st.lists(st.tuples(st.sampled_from(STEPS), st.sampled_from((1, 2, 3, 3))), max_size=40))
def test_no_counter_is_ever_paused_with_a_citizen_called_to_it(steps):
    o = office()
    s = queue(o)
    for minute, (step, counter) in enumerate(steps):
        with contextlib.suppress(errors.QueueError):  # refused steps are part of the mix
            _run(s, o, step, counter, at(minute))
        for state in s.counters.values():
            current = s.current_ticket(state.number)
            assert not (state.state == "paused" and current is not None and current.status in IN_PROGRESS)


def _run(s, o, step: str, counter: int, now) -> None:
    """One clerk or kiosk action of the property above."""
    if step == "issue":
        actions.issue_ticket(s, o, ("HT", "VP")[counter % 2], now, status_token=f"t{now.timestamp()}")
    elif step == "next":
        actions.call_next(s, o, counter, now)
    elif step == "serve":
        actions.start_serving(s, o, counter, now)
    elif step == "done":
        actions.complete(s, o, counter, now)
    elif step == "absent":
        actions.mark_no_show(s, o, counter, now)
    elif step == "transfer":
        actions.transfer(s, o, counter, now, to_counter=counter % 3 + 1, note=NOTE)
    elif step == "pause":
        actions.pause(s, o, counter, "Nghỉ trưa", now)
    else:
        actions.resume(s, o, counter, now)


# -- call this number ---------------------------------------------------------------------


def test_a_clerk_calls_a_waiting_number_out_of_order_like_any_call():
    o = office()
    s = queue(o)
    first = issue(s, o, "HT")
    third = [issue(s, o, "HT") for _ in range(2)][-1]
    called, outcome = actions.call_ticket_number(s, o, 1, " a003 ", at(5), clerk="lan")
    assert called is third
    assert (third.status, third.counter, s.counters[1].clerk) == (CALLED, 1, "lan")
    assert [(e.type, e.ticket_id, e.counter) for e in outcome.events] == [("ticket.called", third.id, 1)]
    assert first.status == WAITING and call_next(s, o, 1) is first


def test_calling_a_number_of_another_field_is_refused():
    o = office()
    s = queue(o)
    issue(s, o, "VP")
    before = snapshot(s)
    with pytest.raises(errors.TicketNotCallable, match="lĩnh vực khác"):
        actions.call_ticket_number(s, o, 1, "B001", at(1))
    assert fingerprint(s) == before


def test_calling_a_number_nobody_holds_today_is_unknown():
    o = office()
    s = queue(o)
    issue(s, o, "HT")
    with pytest.raises(errors.UnknownTicket, match="A009"):
        actions.call_ticket_number(s, o, 1, "a009", at(1))


def test_calling_a_number_already_served_is_refused():
    o = office()
    s = queue(o)
    issue(s, o, "HT")
    call_next(s, o, 1)
    actions.complete(s, o, 1, at(2))
    with pytest.raises(errors.TicketNotCallable):
        actions.call_ticket_number(s, o, 1, "A001", at(3))


def test_a_number_shared_by_two_fields_calls_the_one_still_waiting():
    o = office(services=(Service("HT", "Hộ tịch", "A"), Service("DC", "Địa chính", "A")),
               counters={1: ("HT", "DC")})
    s = queue(o)
    issue(s, o, "HT")
    call_next(s, o, 1)
    actions.complete(s, o, 1, at(1))
    waiting = issue(s, o, "DC")
    assert waiting.number == "A001"
    assert actions.call_ticket_number(s, o, 1, "A001", at(2))[0] is waiting


# -- waits against the target -----------------------------------------------------------


def test_a_waiting_chip_says_how_long_and_whether_the_target_is_passed():
    o = office(services=(Service("HT", "Hộ tịch", "A", target_wait_minutes=20),), counters={1: ("HT",)})
    s = queue(o)
    ticket = issue(s, o, "HT", minutes=0)
    assert {k: views.clerk_ticket_view(s, o, ticket, at(20))[k] for k in ("waited_s", "target_wait_s", "over_target")} \
        == {"waited_s": 1200, "target_wait_s": 1200, "over_target": False}
    assert views.clerk_ticket_view(s, o, ticket, at(21))["over_target"] is True


def test_the_wait_stops_counting_at_the_call():
    o = office()
    s = queue(o)
    ticket = issue(s, o, "HT", minutes=0)
    call_next(s, o, 1, minutes=7)
    assert views.clerk_ticket_view(s, o, ticket, at(50))["waited_s"] == 7 * 60


# -- served today ------------------------------------------------------------------------


def test_served_today_lists_this_counters_finished_tickets_latest_first():
    o = office()
    s = queue(o)
    for _ in range(3):
        issue(s, o, "HT")
    issue(s, o, "VP")
    actions.call_next(s, o, 1, at(1))
    actions.call_next(s, o, 1, at(2))  # completes A001
    actions.mark_no_show(s, o, 1, at(3))  # A002 absent: not served
    actions.call_next(s, o, 1, at(4))
    actions.complete(s, o, 1, at(9))  # A003
    actions.call_next(s, o, 2, at(5))
    actions.complete(s, o, 2, at(6))  # B001, at another counter
    served = views.served_at_counter(s, 1)
    assert [(t.number, t.status) for t in served] == [("A003", DONE), ("A001", DONE)]


def test_served_today_forgets_yesterday():
    o = office()
    s = queue(o)
    issue(s, o, "HT")
    call_next(s, o, 1)
    actions.complete(s, o, 1, at(2))
    issue(s, o, "HT", now=at(0, day=1))
    assert views.served_at_counter(s, 1) == []
