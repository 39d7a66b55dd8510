"""A board that holds the live feed open all day keeps a recent last contact (issue 15).

Before, only the stream's opening and closing stamped ``devices.last_seen_at``:
after hours of streaming /admin (and the hub, which only sees the stamp)
showed an old "last contact" for a board that was connected all along. The
feed's loop now stamps an open device again about once a minute, on the
queue's clock (a FakeClock here, moved minutes ahead; no wall clock).
"""

from __future__ import annotations

from typing import Any

from queue_server.web.live_devices import RESTAMP_EVERY
from tests.support.servers import InProcess, issue


def board(api: InProcess) -> dict[str, Any]:
    listing = api.client.get("/api/devices", headers=api.auth("admin"))
    assert listing.status_code == 200
    return {d["name"]: d for d in listing.get_json()["devices"]}["display-1"]


def read_until(chunks: Any, wanted: str) -> str:
    """The stream's chunks up to one with ``wanted`` (heartbeats skipped): the loop has turned once more."""
    for chunk in chunks:
        text = chunk.decode() if isinstance(chunk, bytes) else chunk
        if wanted in text:
            return text
    raise AssertionError("the stream ended")


def next_delivery(chunks: Any) -> str:
    return read_until(chunks, "event: ticket.issued")


def test_an_open_stream_stamps_its_board_again_once_a_minute_not_on_every_turn(api: InProcess) -> None:
    stream = api.client.get("/api/events", headers=api.auth("display"), buffered=False)
    chunks = iter(stream.response)
    try:
        read_until(chunks, "event: snapshot")  # the stream has begun: stamped on opening
        opened_at = board(api)["last_seen_at"]
        api.clock.advance(seconds=20)
        assert issue(api, key="a").status_code == 201
        next_delivery(chunks)
        assert board(api)["last_seen_at"] == opened_at  # within the minute: no write for it

        api.clock.advance(minutes=3)
        assert issue(api, key="b").status_code == 201
        next_delivery(chunks)
        later = board(api)
        assert later["connected"] is True and later["last_seen_at"] > opened_at
        stamped = later["last_seen_at"]

        api.clock.advance(seconds=RESTAMP_EVERY.total_seconds() - 1)
        assert issue(api, key="c").status_code == 201
        next_delivery(chunks)
        assert board(api)["last_seen_at"] == stamped

        api.clock.advance(seconds=2)
        assert issue(api, key="d").status_code == 201
        next_delivery(chunks)
        assert board(api)["last_seen_at"] > stamped
    finally:
        stream.close()
    assert board(api)["connected"] is False
