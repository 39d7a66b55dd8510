"""Local midnight through the real engine and database, with a fake clock."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from queue_server import engine as engine_module
from queue_server.config import load_config
from queue_server.core import actions
from queue_server.engine import QueueEngine
from tests.support.clock import FakeClock
from tests.support.live_server import COMMUNE
from tests.support.servers import OfficeDb, counting_tokens, issue

# 23:59 in Hà Nội (UTC+7) on Monday 2 March 2026.
BEFORE_MIDNIGHT = datetime(2026, 3, 2, 16, 59, tzinfo=UTC)
CONFIG = load_config(COMMUNE)


class Office:
    """Engines on one database: start, stop, start again, as a server would."""

    def __init__(self, db: OfficeDb, clock: FakeClock) -> None:
        self.db, self.clock = db, clock
        self.tokens = counting_tokens()
        self.engine: QueueEngine | None = None

    def start(self) -> QueueEngine:
        self.engine = QueueEngine(CONFIG, self.db.path, clock=self.clock, new_token=self.tokens).start()
        return self.engine

    def stop(self) -> None:
        if self.engine is not None:
            self.engine.stop()
            self.engine = None

    @property
    def running(self) -> QueueEngine:
        """The engine now serving: asking for it after ``stop()`` is a mistake in the test."""
        assert self.engine is not None, "the office is stopped"
        return self.engine

    def issue(self, service: str) -> str:
        """A ticket's number, issued through the engine as the API does."""
        def run(ctx):
            ticket, outcome = actions.issue_ticket(ctx.state, ctx.office, service, ctx.now, status_token=self.tokens())
            ctx.apply(outcome)
            return ticket.number
        return self.running.execute(run)

    def call_next(self, counter: int) -> str | None:
        def run(ctx):
            ticket, outcome = actions.call_next(ctx.state, ctx.office, counter, ctx.now, clerk="quay1")
            ctx.apply(outcome)
            return ticket.number if ticket else None
        return self.running.execute(run)

    def rows(self, sql: str, *args) -> list[tuple]:
        with self.db.connect() as conn:
            return conn.execute(sql, args).fetchall()


@pytest.fixture
def office(office_db: OfficeDb) -> Iterator[Office]:
    made = Office(office_db, FakeClock(BEFORE_MIDNIGHT))
    yield made
    made.stop()


def test_numbering_restarts_at_local_midnight_and_leftovers_are_cancelled(office: Office) -> None:
    office.start()
    assert [office.issue("HT"), office.issue("HT"), office.issue("VP")] == ["A001", "A002", "B001"]
    assert office.call_next(1) == "A001"
    office.clock.advance(minutes=2)  # 00:01 local on Tuesday; still Monday in UTC
    assert office.issue("HT") == "A001"
    assert office.issue("VP") == "B001"
    assert office.rows("SELECT number, day, status FROM tickets ORDER BY id") == [
        ("A001", "2026-03-02", "cancelled"), ("A002", "2026-03-02", "cancelled"), ("B001", "2026-03-02", "cancelled"),
        ("A001", "2026-03-03", "waiting"), ("B001", "2026-03-03", "waiting"),
    ]
    started = office.rows("SELECT data FROM events WHERE type = 'day.started'")
    assert len(started) == 1
    data = json.loads(started[0][0])
    assert (data["day"], sorted(data["cancelled"])) == ("2026-03-03", [1, 2, 3])
    assert office.rows("SELECT DISTINCT state FROM counters") == [("closed",)]
    types = [row[0] for row in office.rows("SELECT type FROM events ORDER BY id")]
    assert types.index("day.started") == types.index("ticket.called") + 1  # before the new day's first ticket


def test_the_day_rolls_over_even_when_nobody_acts(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "DAY_CHECK_SECONDS", 0.02)
    office.start()
    office.issue("HT")
    office.clock.advance(minutes=2)
    deadline = time.monotonic() + 3
    while not office.rows("SELECT 1 FROM events WHERE type = 'day.started'") and time.monotonic() < deadline:
        time.sleep(0.02)
    assert office.rows("SELECT status FROM tickets") == [("cancelled",)]
    # The lobby screens hear of it at once.
    assert office.running.broker.last_id == office.rows("SELECT MAX(id) FROM events")[0][0]
    # Stopping is prompt even while the ticker is busy (it used to wait for a writer already gone).
    started = time.monotonic()
    office.stop()
    assert time.monotonic() - started < 4  # it used to take the 5-s join time-out


def test_a_restart_mid_day_continues_the_numbering(office: Office) -> None:
    office.clock.now = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)  # 09:00 local
    office.start()
    assert [office.issue("HT") for _ in range(3)] == ["A001", "A002", "A003"]
    office.call_next(1)
    office.stop()
    office.clock.advance(minutes=30)
    office.start()
    assert office.issue("HT") == "A004"
    assert office.issue("DC") == "C001"
    # The ticket called before the restart is still at counter 1; the rest still wait.
    assert office.rows("SELECT number, status FROM tickets WHERE day = '2026-03-03' ORDER BY id")[:4] == [
        ("A001", "called"), ("A002", "waiting"), ("A003", "waiting"), ("A004", "waiting")]
    assert office.call_next(1) == "A002"


def test_a_server_down_over_midnight_starts_the_new_day_on_restart(office: Office) -> None:
    office.start()
    office.issue("HT")
    office.stop()
    office.clock.advance(hours=9)  # 08:59 the next morning
    office.start()
    assert office.issue("HT") == "A001"
    assert office.rows("SELECT status FROM tickets ORDER BY id") == [("cancelled",), ("waiting",)]


def test_a_clock_stepped_back_over_midnight_never_repeats_a_number(office: Office) -> None:
    office.start()
    office.clock.advance(minutes=2)
    assert office.issue("HT") == "A001"
    office.clock.now = BEFORE_MIDNIGHT  # NTP steps the clock back
    assert office.issue("HT") == "A002"
    office.clock.advance(minutes=3)
    assert office.issue("HT") == "A003"
    numbers = office.rows("SELECT issued_service, day, seq FROM tickets")
    assert len(set(numbers)) == len(numbers) == 3


def test_idempotency_keys_are_forgotten_after_two_days(make_app) -> None:
    """A retry comes within seconds; a key from days ago is a new request."""
    api = make_app()
    first = issue(api, "HT", "morning-key").get_json()["ticket"]
    api.clock.advance(days=1)
    assert issue(api, "HT", "next-day").status_code == 201
    replay = issue(api, "HT", "morning-key")
    assert (replay.status_code, replay.get_json()["ticket"]["id"]) == (200, first["id"])
    api.clock.advance(days=2)
    assert issue(api, "HT", "third-day").status_code == 201  # the rollover prunes the old keys
    again = issue(api, "HT", "morning-key")
    assert again.status_code == 201 and again.get_json()["ticket"]["id"] != first["id"]
    with api.db.connect() as conn:
        keys = [row[0] for row in conn.execute("SELECT key FROM idempotency_keys ORDER BY created_at")]
    assert keys == ["next-day", "third-day", "morning-key"]  # two days back, to the minute
