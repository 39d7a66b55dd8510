"""The board is a pure function of the server's events."""

from __future__ import annotations

from datetime import UTC

from hypothesis import given
from hypothesis import strategies as st

from display.board import EMPTY, in_zone, new_call, reduce, reduce_all, screen_view
from queue_server.client import ServerEvent

from .fakesse import counter, snapshot, ticket


def ev(event_id: int | None, event_type: str, data: dict) -> ServerEvent:
    return ServerEvent(event_id, event_type, data)


def called(event_id: int, tid: int, number: str, at: int = 1, recall: bool = False) -> ServerEvent:
    t = ticket(tid, number, counter=at)
    return ev(event_id, "ticket.recalled" if recall else "ticket.called",
              {"ticket": t, "counter": counter(at, "serving", t), "waiting": {"HT": 2, "VP": 1}})


def start() -> object:
    return reduce(EMPTY, ev(10, "snapshot", snapshot(last_event_id=10)))


def test_snapshot_builds_the_whole_board():
    state = start()
    assert state.synced and state.office_name.startswith("Trung tâm")
    assert [c.number for c in state.counters] == [1, 2, 3]
    assert [s.waiting for s in state.services] == [3, 1]
    assert state.last_event_id == 10 and state.latest_call is None


def test_a_call_updates_the_counter_the_waiting_counts_and_the_latest_call():
    before = start()
    after = reduce(before, called(11, 1, "A001"))
    assert after.counter(1).ticket_number == "A001" and after.counter(1).state == "serving"
    assert after.service("HT").waiting == 2
    assert after.latest_call.number == "A001" and after.latest_call.event_id == 11
    assert new_call(before, after) == after.latest_call


def test_a_replayed_event_changes_nothing_and_is_not_announced_again():
    once = reduce(start(), called(11, 1, "A001"))
    again = reduce(once, called(11, 1, "A001"))
    assert again is once
    assert new_call(once, again) is None


def test_calls_from_a_snapshot_are_shown_but_not_announced():
    t = ticket(5, "A005")
    state = reduce(EMPTY, ev(20, "snapshot", snapshot(20, recent=[t])))
    assert state.latest_call.number == "A005"
    assert new_call(EMPTY, state) is None


def test_a_recall_moves_the_ticket_to_the_top_without_duplicating_it():
    state = reduce_all(start(), [called(11, 1, "A001"), called(12, 2, "A002", at=2),
                                 called(13, 1, "A001", recall=True)])
    assert [c.number for c in state.recent_calls] == ["A001", "A002"]
    assert state.latest_call.recall


def test_a_paused_counter_shows_its_reason_and_resuming_clears_it():
    paused = reduce(start(), ev(11, "counter.paused", {"counter": counter(2, "paused", reason="Họp giao ban"),
                                                     "reason": "Họp giao ban", "waiting": {"HT": 3}}))
    assert paused.counter(2).pause_reason == "Họp giao ban"
    resumed = reduce(paused, ev(12, "counter.resumed", {"counter": counter(2, "idle"), "waiting": {"HT": 3}}))
    assert resumed.counter(2).state == "idle" and resumed.counter(2).pause_reason is None


def test_completing_a_ticket_empties_the_counter():
    state = reduce(start(), called(11, 1, "A001"))
    done = reduce(state, ev(12, "ticket.completed", {"ticket": ticket(1, "A001", status="done"),
                                                     "counter": counter(1, "idle"), "waiting": {"HT": 2}}))
    assert done.counter(1).ticket_number is None
    assert done.latest_call.number == "A001"  # still listed among recent calls


def test_unknown_events_are_tolerated_and_still_advance_the_id():
    state = reduce(start(), ev(11, "printer.out_of_paper", {"printer": "kiosk-1", "waiting": {"VP": 7}}))
    assert state.last_event_id == 11 and state.service("VP").waiting == 7


def test_a_new_day_clears_calls_and_counters():
    state = reduce(start(), called(11, 1, "A001"))
    state = reduce(state, ev(12, "day.started", {"day": "2026-11-24", "cancelled": 0, "waiting": {"HT": 0}}))
    assert state.day == "2026-11-24" and state.recent_calls == () and state.counter(1).ticket_number is None


def test_a_transfer_updates_the_source_counter():
    state = reduce(start(), called(11, 1, "A001"))
    moved = reduce(state, ev(12, "ticket.transferred", {"ticket": ticket(1, "A001", status="waiting", counter=None),
                                                        "counter": counter(1, "idle"), "waiting": {"HT": 3},
                                                        "from_service": "HT", "from_counter": 1, "to_counter": 3}))
    assert moved.counter(1).ticket_number is None and moved.service("HT").waiting == 3


def test_a_zone_shows_only_its_counters_fields_and_calls():
    state = reduce_all(start(), [called(11, 1, "A001"), called(12, 2, "B001", at=3)])
    view = screen_view(state, zone=(3,), recent=5)
    assert [c.number for c in view.counters] == [3]
    assert [c.number for c in view.recent_calls] == ["B001"]
    assert in_zone(state.recent_calls[0], (3,)) and not in_zone(state.recent_calls[1], (3,))


def test_the_board_keeps_numbers_only():
    t = dict(ticket(1, "A001"), citizen_name="Nguyễn Văn A", id_number="001234567890")
    state = reduce(start(), ev(11, "ticket.called", {"ticket": t, "counter": counter(1, "serving", t)}))
    assert "Nguyễn" not in repr(state) and "001234567890" not in repr(state)


events = st.lists(st.tuples(st.integers(1, 5), st.sampled_from(["A001", "A002", "B001"]), st.integers(1, 3),
                            st.booleans()), max_size=12)


@given(events)
def test_replaying_any_prefix_after_the_whole_stream_changes_nothing(calls):
    stream = [called(11 + i, tid, number, at, recall) for i, (tid, number, at, recall) in enumerate(calls)]
    final = reduce_all(start(), stream)
    assert reduce_all(final, stream) == final
    assert len({c.ticket_id for c in final.recent_calls}) == len(final.recent_calls)


def test_the_age_of_a_call_is_read_by_the_servers_clock():
    from datetime import datetime, timedelta

    from display.board import call_age_s, server_clock_offset_s

    state = reduce(start(), called(11, 1, "A001"))  # called_at 08:05 +07:00
    server_now = datetime(2026, 11, 23, 1, 7, tzinfo=UTC)
    assert call_age_s(state.latest_call, server_now) == 120.0
    local = datetime(2026, 11, 23, 1, 0, 30, tzinfo=UTC)
    assert server_clock_offset_s("2026-11-23T08:00:00+07:00", local) == 30.0
    assert server_clock_offset_s(None, local) == 0.0
    assert call_age_s(state.latest_call, server_now + timedelta(days=1)) > 86000
