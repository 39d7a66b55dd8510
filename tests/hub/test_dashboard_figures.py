"""The dashboard's figures on a real PostgreSQL: rollups equal a direct computation, the ranking, today.

Batches go through the hub's own ``store.ingest`` (the transaction a real
office's batch gets); the rows are made here so every figure can be
computed by hand beside it. "Now" is always passed in: no wall clock.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tests.support.live_server import COMMUNE

NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội, Monday 2 March 2026
TODAY = date(2026, 3, 2)
TARGETS = {"HT": 20, "VP": 20, "DC": 30, "VH": 20}  # the sample office's target_wait_minutes
SATISFIED = ("very_satisfied", "satisfied")


@pytest.fixture
def conn(hub_dsn: str) -> Iterator[Any]:
    from queue_server.hub import store

    with store.connect(hub_dsn) as connection:
        yield connection


def settings() -> dict[str, Any]:
    from queue_server.config import load_config
    from queue_server.hub.sync_settings import shipped_settings

    return shipped_settings(load_config(COMMUNE))


def add_office(conn: Any, code: str, name: str | None = None) -> None:
    from queue_server.hub import store

    store.add_office(conn, code, name or f"Trung tâm Phục vụ hành chính công {code}")


def make_tickets(seed: int, days: list[date], per_day: int, first_id: int = 1) -> list[dict[str, Any]]:
    """Tickets as an office ships them: done, no-show, called, waiting and cancelled, waits from 0 to 60 min."""
    rng = random.Random(seed)
    tickets = []
    next_id = first_id
    for day in days:
        opening = datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC)
        for n in range(per_day):
            issued = opening + timedelta(minutes=3 * n, seconds=rng.randrange(60))
            status = rng.choices(["done", "no_show", "called", "waiting", "cancelled"], [70, 8, 4, 6, 4])[0]
            wait = timedelta(seconds=rng.randrange(0, 3600))
            called = issued + wait if status in ("done", "no_show", "called") else None
            tickets.append({"id": next_id, "day": day.isoformat(), "service": rng.choice(list(TARGETS)),
                            "status": status, "issued_at": issued.isoformat(),
                            "called_at": called.isoformat() if called else None,
                            "finished_at": (called + timedelta(minutes=6)).isoformat()
                            if called and status == "done" else None})
            next_id += 1
    return tickets


def make_ratings(seed: int, tickets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    levels = ["very_satisfied", "satisfied", "neutral", "dissatisfied"]
    return [{"id": n, "day": t["day"], "ticket_id": t["id"], "overall": rng.choice(levels), "answers": []}
            for n, t in enumerate((t for t in tickets if t["status"] == "done" and rng.random() < 0.5), start=1)]


def ingest(conn: Any, code: str, tickets: list[dict[str, Any]], ratings: list[dict[str, Any]],
           changes: tuple[int, int] = (0, 0)) -> None:
    from queue_server.hub import store

    store.ingest(conn, store.Batch(office=code, events_after=0, events_last=0, changes_after=changes[0],
                                   changes_last=changes[1], tickets=tickets, ratings=ratings, settings=settings()))


def wait_s(ticket: dict[str, Any]) -> float | None:
    if ticket["status"] not in ("called", "serving", "done") or not ticket["called_at"]:
        return None
    return (datetime.fromisoformat(ticket["called_at"]) - datetime.fromisoformat(ticket["issued_at"])).total_seconds()


def by_hand(tickets: list[dict[str, Any]], ratings: list[dict[str, Any]]) -> dict[date, dict[str, Any]]:
    """Each day's figures computed from the rows directly."""
    days: dict[date, dict[str, Any]] = defaultdict(lambda: {"tickets": 0, "served": 0, "no_show": 0, "waiting": 0,
                                                            "waited": 0, "wait_sum_s": 0.0, "targeted": 0,
                                                            "within_target": 0, "ballots": 0, "satisfied": 0,
                                                            "minutes": Counter()})
    for t in tickets:
        day = days[date.fromisoformat(t["day"])]
        day["tickets"] += 1
        day["served"] += t["status"] == "done"
        day["no_show"] += t["status"] == "no_show"
        day["waiting"] += t["status"] == "waiting"
        wait = wait_s(t)
        if wait is not None:
            day["waited"] += 1
            day["wait_sum_s"] += wait
            day["targeted"] += 1
            day["within_target"] += wait <= TARGETS[t["service"]] * 60
            day["minutes"][math.floor(wait / 60)] += 1
    for r in ratings:
        day = days[date.fromisoformat(r["day"])]
        day["ballots"] += 1
        day["satisfied"] += r["overall"] in SATISFIED
    return dict(days)


def held(conn: Any, code: str) -> dict[date, dict[str, Any]]:
    """What the rollups hold of an office, in the same shape."""
    found: dict[date, dict[str, Any]] = {}
    for row in conn.execute("SELECT day, tickets, served, no_show, waiting, waited, wait_sum_s, targeted, "
                            "within_target, ballots, satisfied FROM hub_office_days WHERE office = %s", (code,)):
        names = ("tickets", "served", "no_show", "waiting", "waited", "wait_sum_s", "targeted", "within_target",
                 "ballots", "satisfied")
        found[row[0]] = dict(zip(names, row[1:], strict=True)) | {"minutes": Counter()}
    for day, minute, tickets in conn.execute("SELECT day, minute, tickets FROM hub_office_day_waits "
                                             "WHERE office = %s", (code,)):
        found[day]["minutes"][minute] = tickets
    return found


def assert_same(found: dict[date, dict[str, Any]], expected: dict[date, dict[str, Any]]) -> None:
    assert found.keys() == expected.keys()
    for day, figures in expected.items():
        assert found[day]["wait_sum_s"] == pytest.approx(figures["wait_sum_s"], abs=1e-6), day
        assert {k: v for k, v in found[day].items() if k != "wait_sum_s"} == \
            {k: v for k, v in figures.items() if k != "wait_sum_s"}, day


DAYS = [TODAY - timedelta(days=d) for d in (7, 6, 5, 4, 3, 0)]


def test_the_rollups_equal_a_direct_computation_and_survive_a_replayed_batch(conn: Any) -> None:
    add_office(conn, "XA-A")
    tickets = make_tickets(1, DAYS, 60)
    ratings = make_ratings(2, tickets)
    first, second = len(tickets) // 2, len(tickets) // 3  # two overlapping batches
    ingest(conn, "XA-A", tickets[:first], ratings[: len(ratings) // 2], (0, 10))
    ingest(conn, "XA-A", tickets[second:], ratings[len(ratings) // 3:], (5, 20))
    assert_same(held(conn, "XA-A"), by_hand(tickets, ratings))
    ingest(conn, "XA-A", tickets[:first], ratings[: len(ratings) // 2], (0, 10))  # replayed: nothing changes
    assert_same(held(conn, "XA-A"), by_hand(tickets, ratings))
    # A ticket waiting today is called and served later: its day follows, the others stay.
    waiting = next(t for t in tickets if t["status"] == "waiting" and t["day"] == TODAY.isoformat())
    changed = {**waiting, "status": "done", "called_at": (datetime.fromisoformat(waiting["issued_at"])
                                                           + timedelta(minutes=42)).isoformat()}
    tickets = [changed if t["id"] == changed["id"] else t for t in tickets]
    ingest(conn, "XA-A", [changed], [], (20, 21))
    assert_same(held(conn, "XA-A"), by_hand(tickets, ratings))
    oldest = conn.execute("SELECT oldest_waiting FROM hub_office_days WHERE office = 'XA-A' AND day = %s",
                          (TODAY,)).fetchone()[0]
    still = [t for t in tickets if t["status"] == "waiting" and t["day"] == TODAY.isoformat()]
    assert oldest == {s: min(t["issued_at"] for t in still if t["service"] == s) for s in {t["service"] for t in still}}


def test_the_migration_fills_the_rollups_of_a_hub_that_already_held_history(conn: Any) -> None:
    from queue_server.hub import rollups

    add_office(conn, "XA-A")
    tickets = make_tickets(3, DAYS, 20)
    ratings = make_ratings(4, tickets)
    ingest(conn, "XA-A", tickets, ratings, (0, 1))
    conn.execute("DELETE FROM hub_office_day_waits")
    conn.execute("DELETE FROM hub_office_days")
    assert rollups.refresh_office(conn, "XA-A") == len(DAYS)
    assert_same(held(conn, "XA-A"), by_hand(tickets, ratings))


def test_the_ranking_orders_offices_by_satisfied_share_with_their_waits_and_no_shows(conn: Any) -> None:
    from queue_server.hub.dashboard_queries import p90_of_minutes, ranking, sort_rows
    from queue_server.reports.stats import share

    made = {}
    for n, code in enumerate(("XA-A", "XA-B", "XA-C")):
        add_office(conn, code)
        tickets = make_tickets(10 + n, DAYS, 40 + 10 * n)
        ratings = make_ratings(20 + n, tickets)
        for r in ratings[: 5 * n]:  # B and C get some more unhappy ballots: a clear order
            r["overall"] = "dissatisfied"
        ingest(conn, code, tickets, ratings, (0, 1))
        made[code] = (tickets, ratings)
    add_office(conn, "XA-D")  # never sent anything: last, without a rank
    rows = ranking(conn, DAYS[0], TODAY)
    expected: dict[str, dict[str, Any]] = {}
    for code, (tickets, ratings) in made.items():
        waits = [w for w in map(wait_s, tickets) if w is not None]
        expected[code] = {
            "satisfied_share": share(sum(r["overall"] in SATISFIED for r in ratings), len(ratings)),
            "ballots": len(ratings), "tickets": len(tickets),
            "no_show_share": share(sum(t["status"] == "no_show" for t in tickets), len(tickets)),
            "within_target_share": share(sum(w <= TARGETS[t["service"]] * 60 for t in tickets
                                             if (w := wait_s(t)) is not None), len(waits)),
            "mean_wait_minutes": round(sum(waits) / len(waits) / 60, 1),
            "p90_wait_minutes": p90_of_minutes(waits)}
    order = sorted(expected, key=lambda c: expected[c]["satisfied_share"], reverse=True)
    assert [r.code for r in rows] == [*order, "XA-D"]
    assert [r.rank for r in rows] == [1, 2, 3, 0]
    for row in rows[:3]:
        assert {key: getattr(row, key) for key in expected[row.code]} == expected[row.code]
    assert rows[3].satisfied_share is None and rows[3].tickets == 0
    by_wait = sort_rows(rows, "mean_wait", descending=False)
    assert [r.code for r in by_wait] == [*sorted(expected, key=lambda c: expected[c]["mean_wait_minutes"]), "XA-D"]
    one_day = ranking(conn, TODAY, TODAY)
    assert sum(r.tickets for r in one_day) == sum(t["day"] == TODAY.isoformat() for ts, _ in made.values() for t in ts)


def test_every_office_today_puts_problems_on_top_and_shows_a_dash_without_records(conn: Any) -> None:
    from psycopg.types.json import Jsonb

    from queue_server.hub.dashboard_queries import offices_today

    for code in ("XA-A", "XA-B", "XA-C"):
        add_office(conn, code)
    waiting_since = NOW - timedelta(minutes=25)
    ingest(conn, "XA-A", [{"id": 1, "day": TODAY.isoformat(), "service": "HT", "status": "waiting",
                           "issued_at": waiting_since.isoformat(), "called_at": None},
                          {"id": 2, "day": TODAY.isoformat(), "service": "DC", "status": "done",
                           "issued_at": (NOW - timedelta(minutes=50)).isoformat(),
                           "called_at": (NOW - timedelta(minutes=40)).isoformat()}], [], (0, 2))
    ingest(conn, "XA-B", make_tickets(5, [TODAY], 5), [], (0, 1))
    conn.execute("UPDATE hub_offices SET last_contact_at = %s WHERE code IN ('XA-A', 'XA-B')",
                 (NOW - timedelta(minutes=1),))
    conn.execute("UPDATE hub_offices SET last_contact_at = %s WHERE code = 'XA-B'", (NOW - timedelta(hours=3),))
    devices = [
        {"name": "kiosk-1", "role": "kiosk", "last_seen_at": (NOW - timedelta(minutes=1)).isoformat(),
         "connected": None, "status": {"printer": {"ok": False, "code": "paper_out", "message": "Hết giấy"}}},
        {"name": "board-1", "role": "display", "last_seen_at": (NOW - timedelta(minutes=9)).isoformat(),
         "connected": False, "status": {"camera": {"ok": False, "code": "lost", "message": ""}}},
        {"name": "tablet-1", "role": "rating", "last_seen_at": None, "connected": None, "status": {}},
    ]
    conn.execute("INSERT INTO hub_office_records (office, kind, data, updated_at) VALUES "
                 "('XA-A', 'devices', %s, %s), ('XA-A', 'counters_today', %s, %s)",
                 (Jsonb(devices), NOW, Jsonb({"counters": [{"number": 1, "open": True}, {"number": 2, "open": False},
                                                          {"number": 3, "open": True}]}), NOW))
    today = offices_today(conn, NOW)
    assert {o.code for o in today[:2]} == {"XA-B", "XA-C"} and today[2].code == "XA-A"  # silent ones first
    by_code = {o.code: o for o in today}
    never, silent, busy = by_code["XA-C"], by_code["XA-B"], by_code["XA-A"]
    assert never.silent and never.last_contact == "chưa liên lạc" and never.faults is None
    assert silent.silent and silent.last_contact == "02/03/2026 07:00" and silent.open_counters is None
    assert not busy.silent and busy.last_contact == "02/03/2026 09:59"
    assert (busy.waiting, busy.served, busy.open_counters) == (1, 1, 2)
    assert (busy.longest_wait_minutes, busy.longest_target_minutes, busy.longest_service) == (
        25, 20, "Tư pháp – Hộ tịch")
    assert busy.over_target
    assert busy.faults == ["kiosk-1: máy in hết giấy", "board-1: mất camera",
                           "board-1: Bảng hiển thị im lặng từ 02/03/2026 09:51"]
