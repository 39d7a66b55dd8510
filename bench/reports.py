"""Benchmark of the reports part on a simulated year of the 17-counter provincial centre.

Prints:
- the simulation itself: tickets, ratings, seconds (built once, then reused from --db);
- a quarter report (fresh: no cache) over the year: median and worst of several runs (target ≤ 1 s);
- the dashboard's live view, GET /api/reports/live in-process with an admin token (target ≤ 200 ms);
- the dashboard's other calls for that quarter: summary (cached) and a chart, XLSX export.

Run: .venv/bin/python bench/reports.py [--db .cache/bench/province-year.db] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from queue_server import auth  # noqa: E402
from queue_server.config import load_config  # noqa: E402
from queue_server.reports.export import to_xlsx  # noqa: E402
from queue_server.reports.service import Reports  # noqa: E402
from queue_server.reports.simulate import simulate  # noqa: E402
from queue_server.reports.stats import period_bounds  # noqa: E402
from queue_server.store.db import connect  # noqa: E402
from queue_server.store.schema import apply_migrations  # noqa: E402

PROVINCE = PROJECT / "config" / "province.toml"
QUARTER_TARGET_S = 1.0
LIVE_TARGET_S = 0.2


def _timed(fn, runs: int) -> list[tuple[float, float]]:
    """(wall, CPU of this process) seconds per run: on a shared machine the CPU time shows the work itself."""
    times = []
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - started, time.process_time() - cpu))
    return times


def _line(name: str, times: list[tuple[float, float]], target: float | None = None) -> None:
    wall = [w for w, _ in times]
    cpu = statistics.median(c for _, c in times)
    within = target is None or statistics.median(wall) <= target
    verdict = "" if target is None else ("  OK" if within else f"  OVER the {target:g} s target")
    print(f"{name:<48} median {statistics.median(wall) * 1000:7.1f} ms  worst {max(wall) * 1000:7.1f} ms"
          f"  (CPU {cpu * 1000:6.1f} ms){verdict}")


def build_year(db_path: Path, end: date) -> None:
    """Simulate the province's year into a new database (reused by later runs)."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    config = load_config(PROVINCE)
    started, cpu = time.perf_counter(), time.process_time()
    with connect(db_path) as db:
        apply_migrations(db)
        db.conn.execute("PRAGMA synchronous = NORMAL")
        result = simulate(config, db.conn, end - timedelta(days=364), 365)
    print(f"simulated a year: {result.tickets:,} tickets, {result.ratings:,} ratings in "
          f"{time.perf_counter() - started:.1f} s ({time.process_time() - cpu:.1f} s CPU in this process)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=PROJECT / ".cache" / "bench" / "province-year.db")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    config = load_config(PROVINCE)
    end = date.today() - timedelta(days=1)
    if not args.db.exists():
        build_year(args.db, end)
    with connect(args.db) as db:
        apply_migrations(db)
        tickets = db.conn.execute("SELECT COUNT(*), MIN(day), MAX(day) FROM tickets").fetchone()
        print(f"database {args.db}: {tickets[0]:,} tickets from {tickets[1]} to {tickets[2]}")
        last_day = date.fromisoformat(tickets[2])
        first, last = period_bounds("quarter", last_day - timedelta(days=92))
        reports = Reports(config)
        today = date.today()
        live = reports.summary(db.conn, first, last, fresh=True)  # today=None: every ticket read live
        _line("quarter report, all tickets read live",
              _timed(lambda: reports.summary(db.conn, first, last, fresh=True), 2))
        span = (first.isoformat(), last.isoformat())
        for table in ("report_days", "report_day_cells", "report_day_hours"):
            db.conn.execute(f"DELETE FROM {table} WHERE day BETWEEN ? AND ?", span)
        _line("quarter report, first time (summarises 92 days)", _timed(
            lambda: reports.summary(db.conn, first, last, today=today, fresh=True), 1))
        report = reports.summary(db.conn, first, last, today=today, fresh=True)
        assert report == live, "day summaries must give the same report as the tickets"
        print(f"quarter {first} → {last}: {report['tickets']['issued']:,} tickets, "
              f"{report['satisfaction']['ratings']:,} ratings")
        _line("quarter report (day summaries, no memory cache)", _timed(
            lambda: reports.summary(db.conn, first, last, today=today, fresh=True), args.runs), QUARTER_TARGET_S)
        year_first, year_last = period_bounds("year", last_day)
        _line("year report (day summaries)", _timed(
            lambda: reports.summary(db.conn, year_first, year_last, today=today, fresh=True), 2))
        _line("quarter XLSX export with charts", _timed(lambda: to_xlsx(report), 2))
        person_id = db.conn.execute("SELECT id FROM users WHERE username = 'bench-admin'").fetchone()
        if person_id is None:
            person_id = (auth.add_user(db.conn, "bench-admin", "bench-password", "admin", []),)
        token, _ = auth.open_session(db.conn, auth.Principal("person", person_id[0], "bench-admin", "admin"), 1)
    _web(config, args.db, token, first, last, args.runs)
    return 0


def _web(config, db_path: Path, token: str, first: date, last: date, runs: int) -> None:
    """The dashboard's calls through the real Flask app (in-process, no network)."""
    from queue_server.web.app import create_app

    app = create_app(config, db_path)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    try:
        assert client.get("/api/reports/live", headers=headers).status_code == 200
        _line("dashboard live view GET /api/reports/live", _timed(
            lambda: client.get("/api/reports/live", headers=headers), max(runs, 20)), LIVE_TARGET_S)
        query = f"from={first}&to={last}"
        _line("GET /api/reports/summary (quarter, cached)", _timed(
            lambda: client.get(f"/api/reports/summary?{query}", headers=headers), runs))
        _line("GET /api/reports/charts/heatmap.png", _timed(
            lambda: client.get(f"/api/reports/charts/heatmap.png?{query}", headers=headers), runs))
    finally:
        app.extensions["motcua.engine"].stop()


if __name__ == "__main__":
    sys.exit(main())
