"""Pairing a kiosk or a board by a code over HTTP (issue 15.1): the device starts, the admin confirms, the
device collects its token once; revoking ends it at the next request.

The in-process app on its fake clock, the sample office's people (admin, quay1…) and devices (kiosk-1…).
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

import pytest

from tests.support.live_server import ADMIN_PASSWORD
from tests.support.servers import InProcess, issue


def start(api: InProcess, role: str = "kiosk", **extra: Any) -> dict[str, Any]:
    answer = api.client.post("/api/pairings", json={"role": role, **extra})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def claim(api: InProcess, secret: str) -> Any:
    return api.client.post("/api/pairings/claim", json={"claim": secret})


def confirm(api: InProcess, code: str, name: str, who: str = "admin") -> Any:
    return api.client.post("/api/admin/pairings", json={"code": code, "name": name}, headers=api.auth(who))


def pair(api: InProcess, name: str, role: str = "kiosk") -> str:
    """A device paired all the way: its token."""
    started = start(api, role)
    assert confirm(api, started["code"], name).status_code == 201
    return claim(api, started["claim"]).get_json()["token"]


def take_ticket(api: InProcess, token: str, key: str) -> Any:
    return api.client.post("/api/tickets", json={"service": "HT"},
                           headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key})


def devices(api: InProcess) -> dict[str, dict[str, Any]]:
    return {d["name"]: d for d in api.client.get("/api/devices", headers=api.auth("admin")).get_json()["devices"]}


def error_code(answer: Any) -> tuple[int, str]:
    return answer.status_code, answer.get_json()["error"]["code"]


def test_a_kiosk_shows_a_code_the_admin_confirms_and_collects_its_token_once(api: InProcess) -> None:
    started = start(api, label="PC-SANH")
    assert re.fullmatch(r"\d{6}", started["code"]) and started["claim"].startswith("pc_")
    assert started["expires_at"] == "2026-03-02T08:10:00+07:00" and started["poll_seconds"] == 2
    assert started["confirm_url"].endswith(f"/admin?pair={started['code']}#devices")
    assert claim(api, started["claim"]).get_json() == {"state": "waiting"}
    api.clock.advance(minutes=9)
    confirmed = confirm(api, started["code"][:3] + " " + started["code"][3:], "  Ki-ốt  sảnh 1 ")
    assert (confirmed.status_code, confirmed.get_json()) == (201, {"name": "Ki-ốt sảnh 1", "role": "kiosk"})
    api.clock.advance(minutes=5)  # confirmed: the device has ten minutes more to collect
    paired = claim(api, started["claim"])
    body = paired.get_json()
    assert paired.status_code == 200 and body.pop("token").startswith("dev_")
    assert body == {"state": "paired", "name": "Ki-ốt sảnh 1", "role": "kiosk"}
    assert error_code(claim(api, started["claim"])) == (410, "pairing_expired")  # only once
    audit = api.client.get("/api/people", headers=api.auth("admin")).get_json()["audit"][0]
    assert (audit["actor"], audit["action"], audit["target"]) == ("admin", "device.pair", "Ki-ốt sảnh 1")
    assert audit["detail"] == {"role": "kiosk", "label": "PC-SANH", "replaced": False}
    assert devices(api)["Ki-ốt sảnh 1"]["active"] is True


def test_the_paired_token_takes_a_ticket_and_a_board_token_does_not(api: InProcess) -> None:
    kiosk, board = pair(api, "Ki-ốt sảnh 1"), pair(api, "Bảng sảnh", role="display")
    assert take_ticket(api, kiosk, "a").status_code == 201
    assert error_code(take_ticket(api, board, "b")) == (403, "forbidden")


def test_a_confirmed_device_is_pairing_until_it_collects_or_its_time_runs_out(api: InProcess) -> None:
    """Confirmed but not collected: no working token, yet not revoked — every /admin page says it waits."""
    collected, forgotten = start(api), start(api)
    for started, name in ((collected, "Ki-ốt 7"), (forgotten, "Ki-ốt 8")):
        assert confirm(api, started["code"], name).status_code == 201
    waiting = devices(api)
    assert [(waiting[n]["active"], waiting[n]["pairing"]) for n in ("Ki-ốt 7", "Ki-ốt 8")] == [(False, True)] * 2
    assert devices(api)["kiosk-1"]["pairing"] is False
    claim(api, collected["claim"])
    api.clock.advance(minutes=11)  # the other device never came back for its token
    later = devices(api)
    assert (later["Ki-ốt 7"]["active"], later["Ki-ốt 7"]["pairing"]) == (True, False)
    assert (later["Ki-ốt 8"]["active"], later["Ki-ốt 8"]["pairing"]) == (False, False)


def test_a_code_nobody_confirmed_for_eleven_minutes_is_dead_and_cleaned(api: InProcess) -> None:
    started = start(api)
    api.clock.advance(minutes=11)
    assert error_code(confirm(api, started["code"], "Ki-ốt 9")) == (404, "pairing_not_found")
    assert error_code(claim(api, started["claim"])) == (410, "pairing_expired")
    start(api, "display")  # the next start cleans the dead row
    with sqlite3.connect(api.db.path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM device_pairings").fetchone() == (1,)
    assert "Ki-ốt 9" not in devices(api)


@pytest.mark.parametrize("code, name, expected", [
    ("12345", "Ki-ốt 9", (422, "invalid_pairing_code")), ("abcdef", "Ki-ốt 9", (422, "invalid_pairing_code")),
    ("１２３４５６", "Ki-ốt 9", (422, "invalid_pairing_code")), (None, "Ki-ốt 9", (422, "invalid_pairing_code")),
    ("SHOWN", "", (422, "invalid_device_name")), ("SHOWN", "x" * 65, (422, "invalid_device_name")),
    ("SHOWN", "display-1", (409, "device_name_taken")), ("SHOWN", "rating-1", (409, "device_name_taken")),
])
def test_bad_confirmations_get_a_vietnamese_refusal_and_change_nothing(api: InProcess, code: str | None, name: str,
                                                                       expected: tuple[int, str]) -> None:
    started = start(api)
    before = devices(api)
    answer = api.client.post("/api/admin/pairings", headers=api.auth("admin"),
                             json={"code": started["code"] if code == "SHOWN" else code, "name": name})
    assert error_code(answer) == expected
    assert re.search(r"[đốếệạảờơữ]", answer.get_json()["error"]["message"])  # Vietnamese
    assert devices(api) == before
    assert claim(api, started["claim"]).get_json() == {"state": "waiting"}  # the device still waits


def test_a_code_no_device_shows_is_not_found(api: InProcess) -> None:
    shown = start(api)["code"]
    other = f"{(int(shown) + 1) % 10**6:06d}"
    assert error_code(confirm(api, other, "Ki-ốt 9")) == (404, "pairing_not_found")


def test_only_an_admin_confirms_and_revokes(api: InProcess) -> None:
    started = start(api)
    for who in ("quay1", "kiosk", "display"):
        assert error_code(confirm(api, started["code"], "Ki-ốt 9", who)) == (403, "forbidden")
        revoked = api.client.post("/api/devices/kiosk-1/revoke", headers=api.auth(who))
        assert error_code(revoked) == (403, "forbidden")
    assert error_code(api.client.post("/api/admin/pairings", json={"code": started["code"], "name": "x"})) == (
        401, "unauthorized")
    assert error_code(api.client.post("/api/devices/kiosk-1/revoke")) == (401, "unauthorized")
    assert claim(api, started["claim"]).get_json() == {"state": "waiting"}
    assert devices(api)["kiosk-1"]["active"] is True


def sign_in_admin_page(api: InProcess) -> str:
    """The admin signed in on /admin with a cookie: the page's CSRF token."""
    form = api.client.get("/admin/login").get_data(as_text=True)
    login_csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert login_csrf is not None
    api.client.post("/admin/login", data={"username": "admin", "password": ADMIN_PASSWORD,
                                          "csrf_token": login_csrf.group(1)})
    page = api.client.get("/admin").get_data(as_text=True)
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert csrf is not None
    return csrf.group(1)


def test_the_admin_page_session_needs_its_csrf_token(api: InProcess) -> None:
    csrf = sign_in_admin_page(api)
    started = start(api)
    body = {"code": started["code"], "name": "Ki-ốt 9"}
    assert error_code(api.client.post("/api/admin/pairings", json=body)) == (403, "csrf_failed")
    assert error_code(api.client.post("/api/devices/kiosk-1/revoke")) == (403, "csrf_failed")
    assert claim(api, started["claim"]).get_json() == {"state": "waiting"}
    confirmed = api.client.post("/api/admin/pairings", json=body, headers={"X-CSRF-Token": csrf})
    assert confirmed.status_code == 201
    revoked = api.client.post("/api/devices/kiosk-1/revoke", headers={"X-CSRF-Token": csrf})
    assert (revoked.status_code, revoked.get_json()) == (200, {"name": "kiosk-1", "active": False})


def test_pairing_a_name_again_replaces_the_old_device_whose_token_stops_at_once(api: InProcess) -> None:
    old = pair(api, "Ki-ốt sảnh 1")
    assert take_ticket(api, old, "a").status_code == 201  # the old token is in the server's token cache now
    api.client.post("/api/devices/status", json={"component": "printer", "ok": False, "code": "paper_out"},
                    headers={"Authorization": f"Bearer {old}"})
    started = start(api)
    assert confirm(api, started["code"], "Ki-ốt sảnh 1").status_code == 201
    assert error_code(take_ticket(api, old, "b")) == (401, "invalid_token")
    assert devices(api)["Ki-ốt sảnh 1"]["status"] == {}  # the broken kiosk's printer fault went with it
    new = claim(api, started["claim"]).get_json()["token"]
    assert take_ticket(api, new, "c").status_code == 201


def test_a_revoked_token_is_refused_at_the_next_request(api: InProcess) -> None:
    token = pair(api, "Ki-ốt sảnh 1")
    assert take_ticket(api, token, "a").status_code == 201
    revoked = api.client.post("/api/devices/Ki-ốt sảnh 1/revoke", headers=api.auth("admin"))
    assert (revoked.status_code, revoked.get_json()) == (200, {"name": "Ki-ốt sảnh 1", "active": False})
    assert error_code(take_ticket(api, token, "b")) == (401, "invalid_token")
    assert devices(api)["Ki-ốt sảnh 1"]["active"] is False
    assert api.client.get("/api/people", headers=api.auth("admin")).get_json()["audit"][0]["action"] == "device.revoke"
    assert error_code(api.client.post("/api/devices/nobody/revoke", headers=api.auth("admin"))) == (
        404, "unknown_device")


def test_a_device_revoked_before_it_collected_gets_no_token(api: InProcess) -> None:
    started = start(api)
    assert confirm(api, started["code"], "Ki-ốt 9").status_code == 201
    assert api.client.post("/api/devices/Ki-ốt 9/revoke", headers=api.auth("admin")).status_code == 200
    assert error_code(claim(api, started["claim"])) == (410, "pairing_expired")


def test_a_double_click_confirms_once_and_another_name_is_refused(api: InProcess) -> None:
    started = start(api)
    first, second = confirm(api, started["code"], "Ki-ốt 9"), confirm(api, started["code"], "Ki-ốt 9")
    assert first.get_json() == second.get_json() == {"name": "Ki-ốt 9", "role": "kiosk"}
    assert second.status_code == 201
    assert error_code(confirm(api, started["code"], "Ki-ốt 10")) == (409, "pairing_already_confirmed")
    audit = api.client.get("/api/people", headers=api.auth("admin")).get_json()["audit"]
    assert [a["action"] for a in audit].count("device.pair") == 1


@pytest.mark.parametrize("body, expected", [
    ({"role": "rating"}, (422, "invalid_body")), ({}, (422, "invalid_body")),
    ({"role": "kiosk", "label": "x" * 65}, (422, "invalid_field")),
])
def test_a_start_with_a_bad_role_or_label_is_refused(api: InProcess, body: dict, expected: tuple[int, str]) -> None:
    assert error_code(api.client.post("/api/pairings", json=body)) == expected


def test_a_claim_is_not_a_code_and_one_address_cannot_flood_codes(api: InProcess) -> None:
    started = start(api)
    assert error_code(claim(api, started["code"])) == (410, "pairing_expired")
    assert error_code(api.client.post("/api/pairings/claim", json={})) == (422, "missing_field")
    for _ in range(9):
        start(api)
    assert error_code(api.client.post("/api/pairings", json={"role": "kiosk"})) == (429, "too_many_pairings")
    other = api.client.post("/api/pairings", json={"role": "kiosk"}, environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert other.status_code == 201


def test_issue_still_works_for_the_office_kiosk(api: InProcess) -> None:
    assert issue(api).status_code == 201  # the devices made by motcua device add are untouched
