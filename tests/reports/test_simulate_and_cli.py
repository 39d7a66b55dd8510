"""`motcua simulate` plays days through the core; `motcua report` writes the period's report."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from queue_server.cli import main
from queue_server.config import load_config
from queue_server.reports.simulate import Profile, Simulator, month_chunks, simulate
from queue_server.store.db import connect
from queue_server.store.schema import apply_migrations
from tests.support.reports_office import COMMUNE

WEEK = date(2026, 11, 16)  # Monday
TODAY = WEEK + timedelta(days=13)  # the fixture's "today": the last simulated day stays live


@pytest.fixture(scope="module")
def simulated(tmp_path_factory) -> Path:
    """Two weeks of the commune office, written by the simulator (one process)."""
    db_path = tmp_path_factory.mktemp("sim") / "sim.db"
    with connect(db_path) as db:
        apply_migrations(db)
        result = simulate(load_config(COMMUNE), db.conn, WEEK, 14, seed=7, workers=1, today=TODAY)
    assert (result.days, result.open_days) == (14, 10)
    return db_path


def _one(db_path: Path, sql: str):
    with connect(db_path) as db:
        return db.conn.execute(sql).fetchall()


def test_simulated_days_are_weekdays_in_office_hours(simulated):
    days = {day for (day,) in _one(simulated, "SELECT DISTINCT day FROM tickets")}
    assert all(date.fromisoformat(d).weekday() < 5 for d in days) and len(days) == 10
    hours = {int(h) for (h,) in _one(simulated, "SELECT DISTINCT substr(issued_at, 12, 2) FROM tickets")}
    assert hours <= {0, 1, 2, 3, 4, 6, 7, 8, 9}  # 07:30–11:30 and 13:30–16:30 local, in UTC


def test_every_ticket_is_closed_and_numbered_uniquely(simulated):
    statuses = dict(_one(simulated, "SELECT status, COUNT(*) FROM tickets GROUP BY status"))
    assert set(statuses) <= {"done", "no_show", "cancelled"}
    assert statuses["done"] > 0.85 * sum(statuses.values())
    assert _one(simulated, "SELECT COUNT(*) FROM tickets WHERE status = 'done' AND clerk IS NULL") == [(0,)]


def test_ratings_are_a_share_of_the_served_and_linked_to_them(simulated):
    (served, rated, linked), = _one(simulated, "SELECT (SELECT COUNT(*) FROM tickets WHERE status = 'done'), "
                                               "(SELECT COUNT(*) FROM ratings), (SELECT COUNT(*) FROM ratings r JOIN "
                                               "tickets t ON t.id = r.ticket_id AND t.status = 'done' "
                                               "AND t.counter = r.counter)")
    assert rated == linked and 0.2 * served < rated < 0.4 * served


def test_the_same_seed_plays_the_same_days():
    config = load_config(COMMUNE)
    first, second = (Simulator(config, seed=3).play(WEEK, 2) for _ in range(2))
    assert first.tickets == second.tickets and first.ratings == second.ratings


def test_months_are_cut_at_month_starts():
    assert month_chunks(date(2026, 1, 30), 5) == [(date(2026, 1, 30), 2), (date(2026, 2, 1), 3)]


def test_the_profile_defaults_keep_counters_busy_but_not_swamped():
    office = load_config(COMMUNE).office
    assert 100 < Profile.from_config(office, {}).tickets_per_day < 200


def test_simulating_over_existing_days_is_refused(simulated):
    with connect(simulated) as db, pytest.raises(ValueError, match="already has tickets"):
        simulate(load_config(COMMUNE), db.conn, WEEK, 1, workers=1)


def test_report_command_writes_json_and_xlsx(simulated, tmp_path, capsysbinary):
    args = ["report", "--config", str(COMMUNE), "--db", str(simulated), "--from", "2026-11-16", "--to", "2026-11-29",
            "--today", TODAY.isoformat()]
    assert main(args) == 0
    report = json.loads(capsysbinary.readouterr().out)
    (total,) = _one(simulated, "SELECT COUNT(*) FROM tickets")
    assert report["tickets"]["issued"] == total[0]
    out = tmp_path / "q.xlsx"
    assert main(args + ["--format", "xlsx", "--output", str(out), "--charts", str(tmp_path / "charts")]) == 0
    book = load_workbook(out)
    assert book["Tổng hợp"]["B5"].value == total[0]
    assert sorted(p.name for p in (tmp_path / "charts").iterdir()) == [
        "heatmap.png", "satisfaction.png", "service.png", "tickets.png", "wait.png"]
    docx = tmp_path / "q.docx"
    assert main(args + ["--format", "docx", "--output", str(docx)]) == 0
    from docx import Document

    texts = [p.text for p in Document(str(docx)).paragraphs]
    assert any(t.startswith(f"Tổng số phiếu cấp {total[0]} phiếu") for t in texts)
    assert report["satisfaction"]["paragraphs"][0] in texts


def test_report_command_explains_a_bad_period(simulated, capsys):
    assert main(["report", "--config", str(COMMUNE), "--db", str(simulated), "--from", "mai",
                 "--today", TODAY.isoformat()]) == 1
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_day_summaries_give_the_same_report_as_the_tickets(simulated):
    from queue_server.reports.queries import period_rows
    from queue_server.reports.settings import rating_settings
    from queue_server.reports.summary import build_report

    config = load_config(COMMUNE)
    first, last = WEEK, WEEK + timedelta(days=13)
    with connect(simulated) as db:
        live = period_rows(db.conn, first, last)
        summarised = period_rows(db.conn, first, last, today=last)  # the last day stays live
        assert db.conn.execute("SELECT MAX(day) FROM report_days").fetchone()[0] == "2026-11-28"
        again = period_rows(db.conn, first, last, today=last + timedelta(days=1))
        assert db.conn.execute("SELECT COUNT(*) FROM report_days").fetchone()[0] == 14
    reports = [build_report(config.office, rating_settings(config), first, last, rows)
               for rows in (live, summarised, again)]
    assert reports[0] == reports[1] == reports[2]


def test_the_simulators_rows_are_the_stores_rows():
    from queue_server.reports.simulate import _Day, _fast_ticket_row
    from queue_server.store.repository import ticket_row

    simulator = Simulator(load_config(COMMUNE), seed=5)
    played = _Day(simulator, WEEK)
    tickets = played.play(simulator.arrivals(WEEK, played.at_hour))
    assert tickets and all(_fast_ticket_row(t) == ticket_row(t) for t in tickets)
