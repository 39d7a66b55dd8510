"""Officers over HTTP (issue 15.1): admin only, a temporary password that blocks all work until replaced.

The in-process app on its fake clock, the sample office's people (admin, quay1…quay5).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.live_server import CLERK_PASSWORD
from tests.support.servers import InProcess, issue

NEW = {"full_name": "Nguyễn Văn A", "username": "nguyenvana", "role": "clerk", "counters": [4]}


def sign_in(api: InProcess, username: str, password: str) -> Any:
    return api.client.post("/api/login", json={"username": username, "password": password})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_new_officer_must_replace_the_temporary_password_before_any_work(api: InProcess) -> None:
    added = api.client.post("/api/people", json=NEW, headers=api.auth("admin"))
    assert added.status_code == 201
    person, temporary = added.get_json()["person"], added.get_json()["password"]
    assert person["must_change_password"] is True and person["full_name"] == "Nguyễn Văn A"
    token = sign_in(api, "nguyenvana", temporary).get_json()["token"]
    assert api.client.get("/api/me", headers=bearer(token)).get_json()["user"]["must_change_password"] is True
    issue(api, "DC")
    blocked = api.client.post("/api/counters/4/call-next", headers=bearer(token))
    assert blocked.status_code == 403 and blocked.get_json()["error"]["code"] == "password_change_required"
    changed = api.client.post("/api/me/password", json={"current": temporary, "new": "mat-khau-rieng-4"},
                              headers=bearer(token))
    assert changed.status_code == 200
    assert api.client.get("/api/me", headers=bearer(token)).status_code == 401  # every session ended
    fresh = sign_in(api, "nguyenvana", "mat-khau-rieng-4").get_json()["token"]
    called = api.client.post("/api/counters/4/call-next", headers=bearer(fresh))
    assert called.status_code == 200 and called.get_json()["ticket"]["counter"] == 4


def test_only_admins_manage_officers(api: InProcess) -> None:
    assert api.client.get("/api/people").status_code == 401
    for method, path in (("get", "/api/people"), ("post", "/api/people"), ("patch", "/api/people/quay1"),
                         ("post", "/api/people/quay1/reset-password")):
        answer = getattr(api.client, method)(path, json=NEW, headers=api.auth("quay1"))
        assert answer.status_code == 403, (method, path)
    assert api.client.get("/api/people", headers=api.auth("kiosk")).status_code == 403


@pytest.mark.parametrize("body, code", [
    ({**NEW, "full_name": ""}, "invalid_person"), ({**NEW, "counters": [42]}, "invalid_person"),
    ({**NEW, "username": "quay1"}, "person_exists"), ({**NEW, "role": "root"}, "invalid_person"),
])
def test_bad_officers_get_a_vietnamese_422_or_409_and_change_nothing(api: InProcess, body: dict, code: str) -> None:
    before = api.client.get("/api/people", headers=api.auth("admin")).get_json()
    answer = api.client.post("/api/people", json=body, headers=api.auth("admin"))
    assert answer.get_json()["error"]["code"] == code and answer.status_code in (409, 422)
    assert api.client.get("/api/people", headers=api.auth("admin")).get_json() == before


def test_locking_and_resetting_from_the_admin_and_the_audit_log(api: InProcess) -> None:
    token = sign_in(api, "quay2", CLERK_PASSWORD).get_json()["token"]
    headers = api.auth("admin")
    locked = api.client.patch("/api/people/quay2", json={"active": False}, headers=headers)
    assert locked.status_code == 200 and locked.get_json()["person"]["active"] is False
    assert api.client.get("/api/me", headers=bearer(token)).status_code == 401
    assert api.client.post("/api/counters/2/call-next", headers=api.auth("quay2")).status_code == 401
    reset = api.client.post("/api/people/quay3/reset-password", headers=headers).get_json()["password"]
    assert sign_in(api, "quay3", reset).status_code == 200
    myself = api.client.patch("/api/people/admin", json={"active": False}, headers=headers)
    assert myself.status_code == 409 and myself.get_json()["error"]["code"] == "cannot_change_self"
    audit = api.client.get("/api/people", headers=headers).get_json()["audit"]
    assert [(a["actor"], a["action"], a["target"]) for a in audit] == [
        ("admin", "person.reset_password", "quay3"), ("admin", "person.update", "quay2")]
    assert reset not in str(audit)


def test_a_wrong_current_password_changes_nothing(api: InProcess) -> None:
    answer = api.client.post("/api/me/password", json={"current": "doan-bua", "new": "mat-khau-moi-1"},
                             headers=api.auth("quay1"))
    assert answer.status_code == 403 and answer.get_json()["error"]["code"] == "wrong_password"
    assert api.client.get("/api/me", headers=api.auth("quay1")).status_code == 200


def test_reports_name_the_officer_not_the_login(api: InProcess) -> None:
    renamed = api.client.patch("/api/people/quay1", json={"full_name": "Nguyễn Thị Hoa"}, headers=api.auth("admin"))
    assert renamed.status_code == 200
    token = sign_in(api, "quay1", CLERK_PASSWORD).get_json()["token"]
    issue(api, "HT")
    for action in ("call-next", "complete"):
        assert api.client.post(f"/api/counters/1/{action}", headers=bearer(token)).status_code == 200
    report = api.client.get("/api/reports/summary", headers=api.auth("admin")).get_json()
    assert [(r["clerk"], r["name"]) for r in report["by_clerk"]] == [("quay1", "Nguyễn Thị Hoa")]
    people_csv = api.client.get("/api/reports/summary?format=csv-vi", headers=api.auth("admin")).data
    assert "Cán bộ;Nguyễn Thị Hoa;" in people_csv.decode("utf-8-sig")
