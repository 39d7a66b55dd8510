"""Fixtures of the server tests only; the shared ones are in tests/support/fixtures_server.py."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest

from tests.support.event_feed import Feed
from tests.support.servers import InProcess

LIVE_FIXTURES = {"shared_server", "start_server", "start_server_on_disk", "server"}
MIDNIGHT_MARGIN_S = 120


@pytest.fixture(autouse=True)
def away_from_local_midnight(request: pytest.FixtureRequest) -> None:
    """Real servers number by the office's real local day (midnight is 17:00 UTC in Hà Nội):
    a test that straddles it would see the numbering restart. Wait it out (at most 2 minutes a day)."""
    if not LIVE_FIXTURES & set(request.fixturenames):
        return
    from zoneinfo import ZoneInfo

    local = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    to_midnight = (local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1) - local).total_seconds()
    if to_midnight < MIDNIGHT_MARGIN_S:
        time.sleep(to_midnight + 2)


@pytest.fixture
def feeds(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Feed]]:
    """Open feeds, closed after the test; quiet feeds send a heartbeat every 0.3 s."""
    from queue_server.web import api_events

    monkeypatch.setattr(api_events, "HEARTBEAT_SECONDS", 0.3)
    opened: list[Feed] = []

    def open_feed(api: InProcess, last_event_id: int | str | None = None) -> Feed:
        feed = Feed(api, last_event_id)
        opened.append(feed)
        return feed

    yield open_feed
    for feed in opened:
        feed.close()
