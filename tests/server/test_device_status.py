"""Device status reports (issue 17.10): the latest per part and a bounded history, however much a device sends."""

from __future__ import annotations

from typing import Any

from queue_server.web.api_people import HISTORY_PER_DEVICE, MAX_COMPONENTS_PER_DEVICE
from tests.support.servers import InProcess


def report(api: InProcess, component: str, ok: bool, who: str = "kiosk", **extra: Any) -> None:
    answer = api.client.post("/api/devices/status", headers=api.auth(who),
                             json={"component": component, "ok": ok, **extra})
    assert (answer.status_code, answer.get_json()) == (200, {"status": "recorded"})


def devices(api: InProcess, history: bool = False) -> dict[str, dict[str, Any]]:
    listing = api.client.get("/api/devices" + ("?history=1" if history else ""), headers=api.auth("admin"))
    assert listing.status_code == 200
    return {d["name"]: d for d in listing.get_json()["devices"]}


def stored(api: InProcess) -> tuple[int, int]:
    """Bytes of kiosk-1's status and rows of its history in the database."""
    conn = api.db.connect()
    try:
        (status_bytes,) = conn.execute("SELECT length(status) FROM devices WHERE name = 'kiosk-1'").fetchone()
        (rows,) = conn.execute("SELECT count(*) FROM device_reports JOIN devices ON devices.id = device_id "
                               "WHERE name = 'kiosk-1'").fetchone()
    finally:
        conn.close()
    return status_bytes, rows


def test_four_hundred_reports_of_new_parts_keep_the_latest_parts_and_a_bounded_history(api: InProcess) -> None:
    message = "m" * 300
    for n in range(400):
        report(api, f"part-{n:03d}" + "x" * 20, n % 2 == 0, code="c" * 32, message=message)
    status_bytes, rows = stored(api)
    assert status_bytes < MAX_COMPONENTS_PER_DEVICE * 500  # was 174 KiB, growing with every new name
    assert rows == HISTORY_PER_DEVICE == 50
    kiosk = devices(api)["kiosk-1"]
    assert list(kiosk["status"]) == [f"part-{n:03d}" + "x" * 20 for n in range(400 - MAX_COMPONENTS_PER_DEVICE, 400)]
    latest = kiosk["status"]["part-399" + "x" * 20]
    assert latest == {"ok": False, "code": "c" * 32, "message": message, "at": kiosk["last_seen_at"]}


def test_the_history_keeps_the_last_changes_of_state_newest_first(api: InProcess) -> None:
    report(api, "screen", True, who="kiosk2")
    for n in range(400):
        report(api, "printer", n % 2 == 1, code="ok" if n % 2 else "paper_out", message=f"report {n}")
    assert stored(api)[1] == HISTORY_PER_DEVICE
    listed = devices(api, history=True)
    kiosk = listed["kiosk-1"]
    assert [h["message"] for h in kiosk["history"]] == [f"report {n}" for n in range(399, 399 - HISTORY_PER_DEVICE, -1)]
    assert kiosk["history"][0] == {"component": "printer", "ok": True, "code": "ok", "message": "report 399",
                                   "at": kiosk["last_seen_at"]}
    assert kiosk["status"] == {"printer": {"ok": True, "code": "ok", "message": "report 399",
                                           "at": kiosk["last_seen_at"]}}
    assert [h["component"] for h in listed["kiosk-2"]["history"]] == ["screen"]  # another device's history is its own
    assert listed["display-1"]["history"] == []


def test_the_same_state_again_is_a_heartbeat_not_history(api: InProcess) -> None:
    report(api, "printer", True)
    for n in range(30):
        report(api, "printer", True, message=f"still fine {n}")
    report(api, "printer", False, code="paper_out", message="Hết giấy")
    report(api, "printer", False, code="paper_out", message="Hết giấy")
    kiosk = devices(api, history=True)["kiosk-1"]
    assert [(h["ok"], h["code"]) for h in kiosk["history"]] == [(False, "paper_out"), (True, "ok")]
    assert kiosk["status"]["printer"]["message"] == "Hết giấy"


def test_the_device_list_keeps_its_shape_without_history(api: InProcess) -> None:
    report(api, "printer", False, code="paper_out", message="Hết giấy")
    kiosk = devices(api)["kiosk-1"]
    assert set(kiosk) == {"name", "role", "last_seen_at", "status", "connected", "active", "pairing"}
    assert kiosk["status"]["printer"]["code"] == "paper_out"


def test_a_board_is_connected_while_its_feed_is_open_and_its_last_contact_is_kept(api: InProcess) -> None:
    """A board only listens (it posts no report): /admin showed one that ran for hours as 'chưa liên lạc'."""
    assert devices(api)["display-1"]["connected"] is False and devices(api)["display-1"]["last_seen_at"] is None
    stream = api.client.get("/api/events", headers=api.auth("display"), buffered=False)
    assert stream.status_code == 200
    next(iter(stream.response))  # the stream has begun
    board = devices(api)["display-1"]
    assert board["connected"] is True and board["last_seen_at"] is not None
    stream.close()
    after = devices(api)["display-1"]
    assert after["connected"] is False and after["last_seen_at"] >= board["last_seen_at"]
    assert devices(api)["kiosk-1"]["connected"] is False
