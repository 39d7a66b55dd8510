"""The wall clock stepping through the real engine and database (issue 17.12), with injected clocks.

The engine is given a wall clock and a steady clock the test moves: ``run``
moves both (time passes), ``set_clock`` only the wall clock (someone sets the
time). Nothing reads the machine's clock.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from queue_server.config import load_config
from queue_server.core import actions
from queue_server.engine import QueueEngine
from queue_server.reports.live import live_view
from tests.support.live_server import COMMUNE

CONFIG = load_config(COMMUNE)
MORNING = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội, Monday 2 March 2026


class SteppedOffice:
    """An engine on the test's database (``office_db``) with a wall clock and a steady clock."""

    def __init__(self, db) -> None:
        self.db, self.now, self.steady = db, MORNING, 0.0
        self.tokens = (f"tok{n}" for n in itertools.count(1)).__next__
        self.engine = self.start()

    def start(self) -> QueueEngine:
        return QueueEngine(CONFIG, self.db.path, clock=lambda: self.now, steady=lambda: self.steady,
                           new_token=self.tokens).start()

    def run(self, **delta: float) -> None:
        self.now += timedelta(**delta)
        self.steady += timedelta(**delta).total_seconds()

    def set_clock(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def issue(self, service: str = "HT") -> str:
        def run(ctx):
            ticket, outcome = actions.issue_ticket(ctx.state, ctx.office, service, ctx.now, status_token=self.tokens())
            ctx.apply(outcome)
            return ticket.number
        return self.engine.execute(run)

    def call_next(self, counter: int = 1) -> str | None:
        def run(ctx):
            ticket, outcome = actions.call_next(ctx.state, ctx.office, counter, ctx.now, clerk="quay1")
            ctx.apply(outcome)
            return ticket.number if ticket else None
        return self.engine.execute(run)

    def rows(self, sql: str) -> list[tuple]:
        with self.db.connect() as conn:
            return conn.execute(sql).fetchall()


@pytest.fixture
def office(office_db) -> Iterator[SteppedOffice]:
    made = SteppedOffice(office_db)
    yield made
    made.engine.stop()


def test_a_day_forward_and_back_loses_no_ticket_and_files_none_under_tomorrow(office, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="queue_server.engine")
    assert [office.issue(), office.issue()] == ["A001", "A002"]
    office.set_clock(days=1)
    assert office.issue() == "A003"
    office.run(minutes=2)
    office.set_clock(days=-1)
    assert office.issue() == "A004"
    assert office.rows("SELECT number, day, status FROM tickets ORDER BY id") == [
        (f"A00{n}", "2026-03-02", "waiting") for n in range(1, 5)]
    assert [office.call_next() for _ in range(4)] == ["A001", "A002", "A003", "A004"]
    jumps = [json.loads(data)
             for (data,) in office.rows("SELECT data FROM events WHERE type = 'clock.jumped' ORDER BY id")]
    assert [(j["from"], j["to"], j["seconds"]) for j in jumps] == [
        ("2026-03-02T09:00:00+07:00", "2026-03-03T09:00:00+07:00", 86400),
        ("2026-03-03T09:02:00+07:00", "2026-03-02T09:02:00+07:00", -86400)]
    assert office.rows("SELECT COUNT(*) FROM events WHERE type = 'day.started'") == [(0,)]
    assert sum("the office clock jumped" in r.getMessage() for r in caplog.records) == 2


def test_back_two_hours_a_new_ticket_waits_behind_the_older_ones(office) -> None:
    office.issue()
    office.run(minutes=10)
    office.issue()
    office.set_clock(hours=-2)
    office.run(minutes=1)
    office.issue()
    assert [office.call_next(), office.call_next(), office.call_next()] == ["A001", "A002", "A003"]


def test_back_over_midnight_never_repeats_a_number_and_the_admin_sees_the_jump(office) -> None:
    office.set_clock(hours=14, minutes=58)  # 23:58 Monday (the first reading is believed)
    office.engine.stop()
    office.engine = office.start()
    assert office.issue() == "A001"
    office.run(minutes=4)  # 00:02 Tuesday, the clock ran over midnight
    assert office.issue() == "A001"
    office.set_clock(minutes=-10)  # NTP steps it back to 23:52 Monday
    assert [office.issue(), office.issue()] == ["A002", "A003"]
    numbers = office.rows("SELECT issued_service, day, seq FROM tickets")
    assert len(set(numbers)) == len(numbers) == 4
    assert office.rows("SELECT day, status FROM tickets WHERE day = '2026-03-03' ORDER BY id") == [
        ("2026-03-03", "waiting")] * 3
    alerts = office.engine.read(lambda state, now: live_view(state, office.engine.office, now))["alerts"]
    assert [a for a in alerts if a.get("kind") == "clock"] == [{"service": None, "kind": "clock", "message":
                       "Đồng hồ máy chủ bị chỉnh lùi 10 phút (từ 00:02 03/03 sang 23:52 02/03): kiểm tra giờ máy "
                       "(NTP). Hàng đợi giữ nguyên ngày làm việc và thứ tự."}]
