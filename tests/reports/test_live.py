"""Today live and staffing advice: from the in-memory queue, with alerts past each field's target."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from queue_server.config import load_config
from queue_server.core import actions
from queue_server.reports.live import live_view
from tests.support.reports_office import COMMUNE, Office

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
OFFICE = load_config(COMMUNE).office


def _state_with_waiting(service: str, count: int, minutes_ago: float):
    state = actions.new_state(OFFICE)
    for i in range(count):
        actions.issue_ticket(state, OFFICE, service, NOW - timedelta(minutes=minutes_ago) + timedelta(seconds=i),
                             status_token=f"t{service}{i}")
    return state


def test_no_alert_while_every_field_is_within_its_target():
    view = live_view(_state_with_waiting("HT", 1, 5), OFFICE, NOW)
    assert view["alerts"] == []
    ht = next(s for s in view["services"] if s["code"] == "HT")
    assert (ht["waiting"], ht["longest_wait_s"]) == (1, 300.0)


def test_a_field_past_its_target_names_an_idle_counter_and_a_reserve_clerk():
    state = _state_with_waiting("HT", 3, 25)  # HT's target is 20 minutes
    actions.call_next(state, OFFICE, 1, NOW, clerk="quay1")
    clerks = [("quay1", [1]), ("quay2", [2]), ("quay3", [3])]
    alerts = live_view(state, OFFICE, NOW, clerks=clerks)["alerts"]
    assert len(alerts) == 1
    alert = alerts[0]
    assert (alert["service"], alert["waiting"], alert["target_wait_minutes"]) == ("HT", 2, 20)
    assert [c["number"] for c in alert["idle_counters"]] == [2]
    assert alert["reserve_clerks"] == ["quay2"]
    # A new ticket waits for counter 1's service just begun (10 min) and the two ahead: 30 min, past the 25.
    assert alert["message"].startswith("Tư pháp – Hộ tịch: 2 người chờ, lâu nhất 25 phút (mục tiêu 20 phút); "
                                       "người lấy số bây giờ dự kiến chờ khoảng 30 phút.")
    assert "Đề nghị mở Quầy 2 (cán bộ quay2)." in alert["message"]
    named = live_view(state, OFFICE, NOW, clerks=clerks, names={"quay2": "Trần Văn Bình"})["alerts"][0]
    assert "Đề nghị mở Quầy 2 (cán bộ Trần Văn Bình)." in named["message"] and named["reserve_clerks"] == ["quay2"]
    assert alert["longest_wait_s"] == 25 * 60 - 1  # the second ticket, issued a second after the first


def test_an_alert_from_a_new_arrivals_estimate_does_not_quote_it_as_anyones_wait():
    state = _state_with_waiting("HT", 12, 3)  # a long line that only just formed: 3 minutes at most
    alert = live_view(state, OFFICE, NOW)["alerts"][0]
    assert alert["longest_wait_s"] == 180 and alert["estimated_wait_s"] > 20 * 60
    assert alert["message"].startswith("Tư pháp – Hộ tịch: 12 người chờ, lâu nhất 3 phút (mục tiêu 20 phút); "
                                       "người lấy số bây giờ dự kiến chờ khoảng ")


def test_a_busy_field_with_no_spare_counter_says_so():
    state = _state_with_waiting("VP", 2, 40)
    actions.call_next(state, OFFICE, 3, NOW, clerk="quay3")
    alert = live_view(state, OFFICE, NOW, clerks=[("quay3", [3])])["alerts"][0]
    assert alert["idle_counters"] == [] and alert["reserve_clerks"] == []
    assert "Không còn quầy" in alert["message"]


def test_the_alert_factor_moves_the_threshold():
    state = _state_with_waiting("HT", 1, 15)
    assert live_view(state, OFFICE, NOW)["alerts"] == []
    assert len(live_view(state, OFFICE, NOW, alert_factor=0.5)["alerts"]) == 1


def test_average_wait_today_counts_called_tickets():
    state = _state_with_waiting("DC", 2, 10)
    actions.call_next(state, OFFICE, 4, NOW, clerk="quay4")
    dc = next(s for s in live_view(state, OFFICE, NOW)["services"] if s["code"] == "DC")
    assert (dc["waiting"], dc["serving"], dc["average_wait_s"]) == (1, 1, 600.0)


def test_the_live_endpoint_is_admin_only_and_uses_the_clerk_accounts(office: Office):
    office.clock.advance(minutes=-30)
    for _ in range(2):
        office.issue("HT")
    office.clock.advance(minutes=30)
    answer = office.get("/api/reports/live", "admin")
    assert answer.status_code == 200
    alert = answer.get_json()["alerts"][0]
    assert alert["service"] == "HT" and alert["reserve_clerks"] == ["quay1", "quay2"]
    assert office.get("/api/reports/live", "quay1").status_code == 403
