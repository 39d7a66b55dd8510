"""Benchmark of the province dashboard (issue 16): 100 offices × one simulated year at the hub.

Loads a throwaway PostgreSQL cluster quickly: each office's tickets and
ratings of every working day of 2026 (the commune profile, ~60 tickets a
day, waits drawn around 8 minutes, ~half the served tickets rated) are
generated here and COPYed into the hub's partitions (a year does not have to
go through the offices' SQLite), then the rollups are built with the hub's
own ``rollups.refresh_office`` (timed: the same SQL every batch runs for
the days it touches). Then it times, over ≥ 50 runs each, the two
dashboard queries ("every office today" and "the ranking over a year") and
the two HTTP pages (``/`` and ``/xep-hang`` for the year, signed in, served
by waitress in this process), and prints p50/p99 and the load average.

Run: .venv/bin/python bench/hub_dashboard.py [--offices 100] [--runs 60]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from queue_server.config import load_config  # noqa: E402
from queue_server.hub import rollups, schema, store  # noqa: E402
from queue_server.hub.cluster import TempCluster  # noqa: E402
from queue_server.hub.dashboard_queries import offices_today, ranking  # noqa: E402
from queue_server.hub.sync_settings import shipped_settings  # noqa: E402
from tests.support.live_server import COMMUNE  # noqa: E402

YEAR = 2026
NOW = datetime(YEAR, 12, 31, 3, 30, tzinfo=UTC)  # 10:30 in Hà Nội on the year's last working day
TICKETS_PER_DAY = 60
SERVICES = ("HT", "VP", "DC", "VH")
LEVELS = ("very_satisfied", "satisfied", "neutral", "dissatisfied")
TARGETS = {"today": 0.300, "ranking": 1.0}


def working_days(year: int) -> list[date]:
    first = date(year, 1, 1)
    days = (first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days))
    return [d for d in days if d.weekday() < 5 and d <= NOW.date()]


def office_rows(code: str, seed: int, days: list[date]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """(tickets, ratings) COPY rows of one office's year: (office, id, day, row[, answers]), the office's columns."""
    rng = random.Random(seed)
    tickets, ratings = [], []
    ticket_id = rating_id = 0
    for day in days:
        opening = datetime(day.year, day.month, day.day, 0, 30, tzinfo=UTC)
        for n in range(max(10, int(rng.gauss(TICKETS_PER_DAY, 10)))):
            ticket_id += 1
            issued = opening + timedelta(seconds=n * 420 + rng.randrange(300))
            today = day == NOW.date()
            status = "waiting" if today and issued > NOW - timedelta(minutes=20) else rng.choices(
                ("done", "no_show", "cancelled"), (88, 8, 4))[0]
            if today and issued > NOW:
                break
            waited = timedelta(seconds=int(rng.expovariate(1 / 480)))  # about 8 minutes on average
            called = issued + waited if status in ("done", "no_show") else None
            row = {"id": ticket_id, "day": day.isoformat(), "service": rng.choice(SERVICES),
                   "issued_service": "HT", "status": status, "issued_at": issued.isoformat(),
                   "queued_at": issued.isoformat(), "called_at": called.isoformat() if called else None,
                   "finished_at": (called + timedelta(minutes=9)).isoformat() if called and status == "done" else None,
                   "counter": 1 + ticket_id % 5, "seq": n + 1, "number": f"A{n + 1:03d}"}
            tickets.append((code, ticket_id, day, json.dumps(row)))
            if status == "done" and rng.random() < 0.5:
                rating_id += 1
                overall = rng.choices(LEVELS, (45 + seed % 20, 35, 12, 8))[0]
                rated = {"id": rating_id, "ticket_id": ticket_id, "day": day.isoformat(),
                         "rated_at": row["finished_at"], "service": row["service"], "overall": overall}
                ratings.append((code, rating_id, day, json.dumps(rated), "[]"))
    return tickets, ratings


def load(dsn: str, offices: int) -> dict[str, float]:
    """Offices, a year of tickets and ratings COPYed, then every office's rollups; seconds per step."""
    settings = shipped_settings(load_config(COMMUNE))
    days = working_days(YEAR)
    timings: dict[str, float] = {}
    with store.connect(dsn) as conn:
        schema.apply_migrations(conn)
        for table in ("tickets", "ratings"):
            schema.ensure_partitions(conn, table, {schema.month_start(d) for d in days})
        codes = [f"XA-{n:03d}" for n in range(1, offices + 1)]
        with conn.transaction():
            for n, code in enumerate(codes):
                conn.execute("INSERT INTO hub_offices (code, name, token_hash, last_contact_at, settings) "
                             "VALUES (%s, %s, %s, %s, %s)",
                             (code, f"Trung tâm Phục vụ hành chính công xã số {n + 1}", f"bench-{code}",
                              NOW - timedelta(minutes=n % 45), json.dumps(settings)))
                devices = [{"name": "kiosk-1", "role": "kiosk", "last_seen_at": (NOW - timedelta(minutes=n % 9))
                            .isoformat(), "connected": None,
                            "status": {"printer": {"ok": n % 7 != 0, "code": "ok" if n % 7 else "paper_out"}}}]
                conn.execute("INSERT INTO hub_office_records (office, kind, data, updated_at) "
                             "VALUES (%s, 'devices', %s, %s)", (code, json.dumps(devices), NOW))
        started = time.perf_counter()
        tickets = ratings = 0
        for n, code in enumerate(codes):
            ticket_rows, rating_rows = office_rows(code, n, days)
            with conn.transaction(), conn.cursor() as cursor:
                with cursor.copy("COPY tickets (office, id, day, row) FROM STDIN") as copy:
                    for row in ticket_rows:
                        copy.write_row(row)
                with cursor.copy("COPY ratings (office, id, day, row, answers) FROM STDIN") as copy:
                    for row in rating_rows:
                        copy.write_row(row)
            tickets, ratings = tickets + len(ticket_rows), ratings + len(rating_rows)
        timings["copy_s"] = time.perf_counter() - started
        conn.execute("ANALYZE")
        started = time.perf_counter()
        for code in codes:
            rollups.refresh_office(conn, code)
        timings["rollups_s"] = time.perf_counter() - started
        conn.execute("ANALYZE")
        timings.update(tickets=tickets, ratings=ratings, days=len(days),
                       office_days=conn.execute("SELECT count(*) FROM hub_office_days").fetchone()[0],  # type: ignore[index]
                       wait_rows=conn.execute("SELECT count(*) FROM hub_office_day_waits").fetchone()[0])  # type: ignore[index]
    return timings


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def timed(runs: int, call: Any) -> tuple[float, float]:
    call()  # warm: plans, caches
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return percentiles(samples)


def measure(dsn: str, runs: int) -> dict[str, tuple[float, float]]:
    from waitress.server import create_server

    from queue_server.hub.app import create_app

    first, last = date(YEAR, 1, 1), date(YEAR, 12, 31)
    found = {}
    with store.connect(dsn) as conn:
        found["today query"] = timed(runs, lambda: offices_today(conn, NOW))
        found["ranking query (year)"] = timed(runs, lambda: ranking(conn, first, last))
        token = store.add_viewer(conn, "bench")
    server = create_server(create_app(dsn, clock=lambda: NOW), host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    url = f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]
    http = requests.Session()
    form = http.get(url + "/dang-nhap", timeout=30)
    form_token = form.text.split('name="form_token" value="')[1].split('"')[0]
    signed = http.post(url + "/dang-nhap", data={"token": token, "form_token": form_token}, timeout=30)
    assert signed.ok and "Mọi trung tâm hôm nay" in signed.text, signed.status_code
    found["GET / (page)"] = timed(runs, lambda: http.get(url + "/", timeout=30).raise_for_status())
    found["GET /xep-hang (year, page)"] = timed(runs, lambda: http.get(
        url + "/xep-hang", params={"from": "01/01/2026", "to": "31/12/2026"}, timeout=30).raise_for_status())
    found["GET /xep-hang.xlsx (year)"] = timed(max(10, runs // 5), lambda: http.get(
        url + "/xep-hang.xlsx", params={"from": "01/01/2026", "to": "31/12/2026"}, timeout=30).raise_for_status())
    server.close()
    return found


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "?")
    return f"{os.cpu_count()} cores, {model}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offices", type=int, default=100)
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args()
    cluster = TempCluster().start()
    try:
        dsn = cluster.create_database("dashboard")
        print(f"machine: {machine()}; load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        loaded = load(dsn, args.offices)
        print(f"loaded {args.offices} offices × {loaded['days']} working days: {loaded['tickets']:,} tickets, "
              f"{loaded['ratings']:,} ratings in {loaded['copy_s']:.1f} s (COPY); rollups of every office-day "
              f"({loaded['office_days']:,} rows, {loaded['wait_rows']:,} minute rows) in {loaded['rollups_s']:.1f} s")
        figures = measure(dsn, args.runs)
        for name, (p50, p99) in figures.items():
            print(f"{name:28s} p50 {p50 * 1000:7.1f} ms   p99 {p99 * 1000:7.1f} ms")
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        for name, key in (("today query", "today"), ("ranking query (year)", "ranking")):
            verdict = "ok" if figures[name][1] <= TARGETS[key] else "SHORT"
            print(f"target {name}: p99 ≤ {TARGETS[key] * 1000:.0f} ms: {verdict}")
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
