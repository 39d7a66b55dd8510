"""A small morning at the commune office, played through the API; the report checked against hand figures.

The morning (tests/support/reports_office.play_morning, the ``morning`` fixture of tests/reports/conftest.py):

08:00 A001, 08:01 A002, 08:02 B001, 08:03 A003 issued (HT, HT, VP, HT).
Counter 1 calls A001 at 08:05, ends it 08:15, calls A003 at 08:16, ends it 08:25.
Counter 2 calls A002 at 08:06, marks it absent 08:18; calls B001 (transferred to HT) at 08:26,
starts 08:30, ends 08:40. Counter 3 calls B001 at 08:10, transfers it to HT at 08:20.
08:41 D001 (VH) is still waiting.
Waits: A001 300 s, A003 780 s, B001 1440 s → mean 840, median 780, p90 780 + 0.8 × 660 = 1308.
Service: A001 600 s, A003 540 s, B001 600 s (from the start at 08:30) → mean 580, median 600, p90 600.
"""

from __future__ import annotations

from tests.support.reports_office import Office


def _report(office: Office, query: str = "from=2026-11-23&to=2026-11-23") -> dict:
    answer = office.get(f"/api/reports/summary?{query}", "admin")
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_totals_match_the_hand_count(morning):
    report = _report(morning)
    assert report["period"] == {"from": "2026-11-23", "to": "2026-11-23", "days": 1, "timezone": "Asia/Ho_Chi_Minh"}
    assert report["tickets"] == {"issued": 5, "served": 3, "no_show": 1, "transferred": 1, "cancelled": 0, "open": 1}
    assert report["wait_s"] == {"count": 3, "mean": 840.0, "median": 780.0, "p90": 1308.0}
    assert report["service_s"] == {"count": 3, "mean": 580.0, "median": 600.0, "p90": 600.0}


def test_the_default_period_is_today(morning):
    assert _report(morning, "")["tickets"]["issued"] == 5


def test_per_service_figures(morning):
    services = {s["code"]: s for s in _report(morning)["by_service"]}
    assert services["HT"]["tickets"] == {"issued": 4, "served": 3, "no_show": 1, "transferred": 1, "cancelled": 0,
                                         "open": 0}
    assert services["VP"]["tickets"]["issued"] == 0 and services["VP"]["wait_s"]["mean"] is None
    assert services["VH"]["tickets"]["open"] == 1


def test_per_counter_and_per_clerk_figures(morning):
    report = _report(morning)
    counters = {c["number"]: c for c in report["by_counter"]}
    assert counters[1]["tickets"]["served"] == 2
    assert counters[1]["wait_s"] == {"count": 2, "mean": 540.0, "median": 540.0, "p90": 732.0}
    assert counters[1]["service_s"]["mean"] == 570.0
    assert counters[2]["tickets"] == {"issued": 2, "served": 1, "no_show": 1, "transferred": 1, "cancelled": 0,
                                      "open": 0}
    assert counters[3]["tickets"]["issued"] == 0  # B001 left counter 3 by transfer: it counts where it was served
    clerks = {c["clerk"]: c for c in report["by_clerk"]}
    assert set(clerks) == {"quay1", "quay2"}
    assert clerks["quay2"]["tickets"]["no_show"] == 1


def test_satisfaction_overall_and_per_counter(morning):
    report = _report(morning)
    shares = {lv["code"]: (lv["count"], lv["share"]) for lv in report["satisfaction"]["levels"]}
    assert shares == {"very_satisfied": (1, 33.3), "satisfied": (1, 33.3), "neutral": (0, 0.0),
                      "dissatisfied": (1, 33.3)}
    assert report["satisfaction"]["satisfied_share"] == 66.7
    counter1 = next(c for c in report["by_counter"] if c["number"] == 1)["satisfaction"]
    assert (counter1["ratings"], counter1["satisfied_share"]) == (2, 50.0)
    clerk2 = next(c for c in report["by_clerk"] if c["clerk"] == "quay2")["satisfaction"]
    assert clerk2["satisfied_share"] == 100.0
    reasons = {r["code"]: r["count"] for r in report["satisfaction"]["reasons"]["items"]}
    assert reasons["waited_long"] == 1


def test_heatmap_puts_the_morning_on_monday_at_8(morning):
    heat = _report(morning)["heatmap"]
    assert heat["weekdays"][0] == "T2"
    assert heat["counts"][0][8] == 5 and sum(map(sum, heat["counts"])) == 5


def test_periods_by_name_and_bad_periods(morning):
    assert _report(morning, "period=quarter&date=2026-11-23")["period"]["from"] == "2026-10-01"
    assert _report(morning, "period=month")["period"]["to"] == "2026-11-30"
    for query in ("from=2026-13-01", "from=2026-11-23&to=2026-11-01", "period=week", "from=2020-01-01&to=2026-01-01"):
        answer = morning.get(f"/api/reports/summary?{query}", "admin")
        assert answer.status_code == 422 and answer.get_json()["error"]["code"] == "invalid_period"


def test_reports_are_for_admins_only(morning):
    assert morning.get("/api/reports/summary").status_code == 401
    assert morning.get("/api/reports/summary", "quay1").status_code == 403
    assert morning.get("/api/reports/summary", "rating").status_code == 403


def test_charts_are_png_images(morning):
    for name in ("tickets", "wait", "service", "satisfaction", "heatmap"):
        answer = morning.get(f"/api/reports/charts/{name}.png", "admin")
        assert answer.status_code == 200 and answer.mimetype == "image/png"
        assert answer.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert morning.get("/api/reports/charts/pie.png", "admin").status_code == 404
