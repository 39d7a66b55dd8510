"""Ticker notices: public list for lobby displays, edited by admins."""

from __future__ import annotations

from tests.support.reports_office import Office


def _add(office: Office, body: dict, who: str = "admin"):
    return office.post("/api/notices", who, body)


def test_admins_add_notices_that_displays_read_without_a_token(office):
    answer = _add(office, {"text": "  Nghỉ   lễ ngày 2/9  "})
    assert answer.status_code == 201
    notice = answer.get_json()["notice"]
    assert notice["text"] == "Nghỉ lễ ngày 2/9" and notice["active"] is True and notice["updated_by"] == "admin"
    assert office.get("/api/notices").get_json() == {"notices": [{"id": notice["id"], "text": "Nghỉ lễ ngày 2/9"}]}


def test_notices_show_in_order_only_when_active_and_within_their_dates(office):
    _add(office, {"text": "Second", "position": 2})
    _add(office, {"text": "First", "position": 1})
    _add(office, {"text": "Later", "starts_on": "2026-12-01"})
    _add(office, {"text": "Over", "ends_on": "2026-11-22"})
    hidden = _add(office, {"text": "Hidden"}).get_json()["notice"]["id"]
    office.client().patch(f"/api/notices/{hidden}", json={"active": False}, headers=office.headers("admin"))
    assert [n["text"] for n in office.get("/api/notices").get_json()["notices"]] == ["First", "Second"]
    assert len(office.get("/api/notices?all=1", "admin").get_json()["notices"]) == 5


def test_notices_are_edited_and_deleted(office):
    notice_id = _add(office, {"text": "Cũ"}).get_json()["notice"]["id"]
    client, headers = office.client(), office.headers("admin")
    changed = client.patch(f"/api/notices/{notice_id}", json={"text": "Mới"}, headers=headers)
    assert changed.status_code == 200 and changed.get_json()["notice"]["text"] == "Mới"
    assert client.delete(f"/api/notices/{notice_id}", headers=headers).get_json() == {"status": "deleted"}
    assert client.delete(f"/api/notices/{notice_id}", headers=headers).status_code == 404
    assert client.patch("/api/notices/77", json={"text": "x"}, headers=headers).status_code == 404


def test_only_admins_change_notices(office):
    assert _add(office, {"text": "x"}, who="quay1").status_code == 403
    assert _add(office, {"text": "x"}, who="display").status_code == 403
    assert office.client().post("/api/notices", json={"text": "x"}).status_code == 401
    assert office.get("/api/notices?all=1").status_code == 401


def test_bad_notices_are_422(office):
    for body in ({}, {"text": ""}, {"text": "x" * 301}, {"text": "x", "position": "1"},
                 {"text": "x", "starts_on": "mai"}, {"text": "x", "active": "yes"}):
        answer = _add(office, body)
        assert answer.status_code == 422 and answer.get_json()["error"]["code"] == "invalid_notice"


def test_a_notice_id_beyond_sqlite_integers_is_404(office):
    client, headers = office.client(), office.headers("admin")
    assert client.delete(f"/api/notices/{2**70}", headers=headers).status_code == 404
    assert client.patch(f"/api/notices/{2**70}", json={"text": "x"}, headers=headers).status_code == 404


def test_a_notice_ending_before_it_starts_is_refused_on_add_and_on_edit(office):
    refused = _add(office, {"text": "Nghỉ Tết", "starts_on": "2027-02-10", "ends_on": "2027-02-05"})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["message"].startswith("Ngày kết thúc (05/02/2027) đứng trước ngày bắt đầu")
    added = _add(office, {"text": "Nghỉ Tết", "starts_on": "2027-02-05", "ends_on": "2027-02-10"}).get_json()["notice"]
    client, headers = office.client(), office.headers("admin")
    edit = client.patch(f"/api/notices/{added['id']}", json={"starts_on": "2027-02-11"}, headers=headers)
    assert edit.status_code == 422
    assert office.get("/api/notices?all=1", "admin").get_json()["notices"][-1]["starts_on"] == "2027-02-05"
