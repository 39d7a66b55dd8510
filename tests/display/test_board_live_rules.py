"""The Kivy board's rules for recalls and notices, without Kivy (issue 14.1, 14.2): what is live, what shows.

The e2e tests beside it (test_board_recalls.py, test_board_notices.py) run the real boards on a real feed.
"""

from __future__ import annotations

from display.board import EMPTY, Notice, new_call, notices_showing, reduce, screen_view
from queue_server.client import ServerEvent, parse_event_stream

from .fakesse import counter, snapshot, ticket

NOTICES = [
    {"id": 1, "text": "Nghỉ họp chiều nay", "position": 0, "starts_on": None, "ends_on": "2026-11-23"},
    {"id": 2, "text": "Từ mai: lệ phí qua mã QR", "position": 1, "starts_on": "2026-11-24", "ends_on": None},
    {"id": 3, "text": "  ", "position": 2, "starts_on": None, "ends_on": None},
]


def called(event_id: int, tid: int, number: str, recall: bool = False, replayed: bool = False) -> ServerEvent:
    t = ticket(tid, number, counter=1)
    return ServerEvent(event_id, "ticket.recalled" if recall else "ticket.called",
                       {"ticket": t, "counter": counter(1, "serving", t), "waiting": {"HT": 0}}, replayed=replayed)


def test_a_recall_long_after_the_call_is_a_new_call_on_top_of_the_recent_ones():
    state = reduce(EMPTY, ServerEvent(10, "snapshot", snapshot(10)))
    state = reduce(state, called(11, 1, "A001"))
    state = reduce(state, called(12, 2, "A002"))
    before = state
    after = reduce(before, called(13, 1, "A001", recall=True))  # its ticket's called_at is the first call's
    call = new_call(before, after)
    assert call is not None and (call.number, call.recall, call.event_id) == ("A001", True, 13)
    assert [c.number for c in screen_view(after).recent_calls] == ["A001", "A002"]  # moved up, not twice


def test_the_server_s_replay_mark_makes_the_missed_events_replayed_and_not_the_live_ones():
    lines = ["event: replay", 'data: {"until":12,"at":"2026-11-23T08:03:00+07:00"}', "",
             "id: 12", "event: ticket.recalled", 'data: {"at":"2026-11-23T08:02:00+07:00"}', "",
             "id: 13", "event: ticket.recalled", 'data: {"at":"2026-11-23T08:04:00+07:00"}', ""]
    events = list(parse_event_stream(iter(lines)))
    assert [(e.id, e.replayed) for e in events] == [(12, True), (13, False)]
    assert events[0] == ServerEvent(12, "ticket.recalled", events[0].data)  # the mark is not part of the event


def test_notices_come_with_the_snapshot_and_show_by_the_server_s_day():
    state = reduce(EMPTY, ServerEvent(10, "snapshot", {**snapshot(10), "notices": NOTICES}))
    assert state.notices == (Notice(1, "Nghỉ họp chiều nay", None, "2026-11-23"),
                             Notice(2, "Từ mai: lệ phí qua mã QR", "2026-11-24", None))  # a blank one is skipped
    assert notices_showing(state) == ("Nghỉ họp chiều nay",)
    tomorrow = reduce(state, ServerEvent(11, "day.started", {"day": "2026-11-24", "cancelled": []}))
    assert notices_showing(tomorrow) == ("Từ mai: lệ phí qua mã QR",)  # one ended, the other began


def test_a_notice_change_replaces_the_whole_list():
    state = reduce(EMPTY, ServerEvent(10, "snapshot", {**snapshot(10), "notices": NOTICES}))
    changed = reduce(state, ServerEvent(11, "notice.changed", {"notices": [NOTICES[0]]}))
    assert notices_showing(changed) == ("Nghỉ họp chiều nay",) and len(changed.notices) == 1
    emptied = reduce(changed, ServerEvent(12, "notice.changed", {"notices": []}))
    assert emptied.notices == () and emptied.last_event_id == 12
    assert reduce(emptied, ServerEvent(12, "notice.changed", {"notices": NOTICES})) is emptied  # a replay by id


def test_a_snapshot_without_a_day_takes_the_date_of_its_server_time():
    data = {**snapshot(10), "day": None, "notices": NOTICES}
    assert notices_showing(reduce(EMPTY, ServerEvent(10, "snapshot", data))) == ("Nghỉ họp chiều nay",)
