"""What the live feed gives lobby boards (issue 14.1, 14.2): each event's own time, the mark before a
resume's replay, and the office's notices in the snapshot and as ``notice.changed`` after every change.

In-process app on a fake clock; tests/display/test_board_recalls.py and test_board_notices.py follow
the same feed on the real boards.
"""

from __future__ import annotations

from tests.support.servers import InProcess, act, issue


def notice(api: InProcess, text: str, **fields) -> int:
    answer = api.client.post("/api/notices", json={"text": text, **fields}, headers=api.auth("admin"))
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["notice"]["id"]


def test_every_event_carries_the_servers_time_of_the_event(api: InProcess, feeds) -> None:
    issue(api, "HT", "a")
    act(api, 1, "call-next")
    feed = feeds(api)
    assert feed.next().data["at"] == "2026-03-02T08:00:00+07:00"
    api.clock.advance(minutes=3)
    act(api, 1, "recall")
    recall = feed.next()
    assert recall.type == "ticket.recalled"
    assert recall.data["at"] == "2026-03-02T08:03:00+07:00"  # the recall's time, not the first call's
    assert recall.data["ticket"]["called_at"] == "2026-03-02T08:00:00+07:00"


def test_a_resume_marks_what_it_replays_and_nothing_after(api: InProcess, feeds) -> None:
    issue(api, "HT", "a")
    first = feeds(api)
    seen = first.next()
    first.close()
    act(api, 1, "call-next")  # missed while away
    api.clock.advance(minutes=3)
    act(api, 1, "recall")
    resumed = feeds(api, seen.id)
    missed = resumed.take(2)
    raw = "".join(resumed.raw)
    assert raw.index("event: replay\ndata: {") < raw.index("event: ticket.called")
    assert '"until":3' in raw and '"at":"2026-03-02T08:03:00+07:00"' in raw
    assert [(e.type, e.replayed) for e in missed] == [("ticket.called", True), ("ticket.recalled", True)]
    act(api, 1, "recall")  # live again
    live = resumed.next()
    assert (live.type, live.id, live.replayed) == ("ticket.recalled", 4, False)


def test_a_fresh_subscriber_and_a_resume_with_nothing_missed_get_no_replay_mark(api: InProcess, feeds) -> None:
    issue(api, "HT", "a")
    fresh = feeds(api)
    assert fresh.next().type == "snapshot"
    assert "event: replay" not in "".join(fresh.raw)
    chunks = iter(feeds(api, 1).response.response)
    assert next(chunks) == b"retry: 2000\n\n"
    assert next(chunks) == b": ping\n\n"  # nothing missed: no mark, no replay
    issue(api, "HT", "b")
    assert next(chunks).startswith(b"id: 2\nevent: ticket.issued\n")


def test_the_snapshot_carries_the_notices_a_board_may_show(api: InProcess, feeds) -> None:
    second = notice(api, "Thứ hai", position=2)
    first = notice(api, "Thứ nhất", position=1)
    later = notice(api, "Từ mai", starts_on="2026-03-03")
    notice(api, "Đã hết hạn", ends_on="2026-03-01")
    off = notice(api, "Tắt")
    api.client.patch(f"/api/notices/{off}", json={"active": False}, headers=api.auth("admin"))
    snapshot = feeds(api).next()
    assert snapshot.data["notices"] == [
        {"id": later, "text": "Từ mai", "position": 0, "starts_on": "2026-03-03", "ends_on": None},
        {"id": first, "text": "Thứ nhất", "position": 1, "starts_on": None, "ends_on": None},
        {"id": second, "text": "Thứ hai", "position": 2, "starts_on": None, "ends_on": None},
    ]


def test_adding_changing_and_deleting_a_notice_pushes_the_whole_list(api: InProcess, feeds) -> None:
    feed = feeds(api)
    assert feed.next().data["notices"] == []
    added = notice(api, "Nghỉ lễ 2/9", ends_on="2026-03-02")
    pushed = feed.next()
    assert pushed.type == "notice.changed" and pushed.id == 1
    assert pushed.data["notices"] == [{"id": added, "text": "Nghỉ lễ 2/9", "position": 0, "starts_on": None,
                                       "ends_on": "2026-03-02"}]
    api.client.patch(f"/api/notices/{added}", json={"text": "Nghỉ lễ Quốc khánh"}, headers=api.auth("admin"))
    assert [n["text"] for n in feed.next().data["notices"]] == ["Nghỉ lễ Quốc khánh"]
    assert api.client.delete(f"/api/notices/{added}", headers=api.auth("admin")).status_code == 200
    deleted = feed.next()
    assert (deleted.type, deleted.data["notices"]) == ("notice.changed", [])
    assert api.client.delete(f"/api/notices/{added}", headers=api.auth("admin")).status_code == 404
    issue(api, "HT", "a")
    assert feed.next().type == "ticket.issued"  # the refused delete pushed nothing


def test_a_refused_notice_pushes_nothing(api: InProcess, feeds) -> None:
    feed = feeds(api)
    feed.next()
    refused = api.client.post("/api/notices", json={"text": "x", "starts_on": "2026-03-05", "ends_on": "2026-03-04"},
                              headers=api.auth("admin"))
    assert refused.status_code == 422
    issue(api, "HT", "a")
    assert feed.next().type == "ticket.issued"
