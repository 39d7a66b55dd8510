"""Requests that once made a 500 (issue 17.0): each is now a 4xx a person can act on."""

from __future__ import annotations

from typing import Any

import pytest

from queue_server.web.errors import ApiError
from queue_server.web.request_input import SQLITE_MAX_INT, int_param
from tests.support.servers import InProcess

HUGE = 10**30  # past SQLite's 64-bit integers
MANY_NINES = "9" * 5000  # past the 4300 digits int() converts


def assert_error(answer, status: int, code: str) -> dict[str, Any]:
    """The one error shape, with this status and code and a message that says something."""
    body = answer.get_json()
    assert (answer.status_code, set(body), set(body["error"])) == (status, {"error"}, {"code", "message"})
    assert body["error"]["code"] == code and len(body["error"]["message"]) > 20
    return body["error"]


@pytest.mark.parametrize("raw", ["²", "٣", "５", "1.5", "+1", "-", "", " ", "1e3", "0x10", MANY_NINES,
                                 str(SQLITE_MAX_INT + 1)])
def test_an_integer_parameter_takes_only_ascii_digits_within_bounds(raw: str) -> None:
    with pytest.raises(ApiError) as refused:
        int_param(raw, "n")
    assert (refused.value.status, refused.value.code) == (422, "invalid_field")
    assert '"n"' in refused.value.message and "0–9" in refused.value.message


def test_an_integer_parameter_reads_plain_numbers() -> None:
    assert [int_param(raw, "n", minimum=-5) for raw in ("0", " 7 ", "-5", str(SQLITE_MAX_INT))] == [
        0, 7, -5, SQLITE_MAX_INT]
    assert int_param(3, "n", text=False) == 3


@pytest.mark.parametrize("value", ["3", True, 1.0, None, [1], HUGE, -1])
def test_a_body_integer_must_be_a_json_whole_number_within_bounds(value: Any) -> None:
    with pytest.raises(ApiError):
        int_param(value, "n", maximum=10, text=False)


@pytest.mark.parametrize("body", [
    {"service": "", "slot": "2026-03-03T08:00", "procedure": ""},
    {"service": "", "slot": "2026-03-03T08:00"},
    {"service": " ", "slot": "2026-03-03T08:00", "procedure": " "},
])
def test_a_booking_with_an_empty_service_and_procedure_asks_for_one(api: InProcess, body: dict[str, str]) -> None:
    error = assert_error(api.client.post("/api/appointments", json=body), 422, "missing_field")
    assert "lĩnh vực" in error["message"] and '"service"' in error["message"]


@pytest.mark.parametrize("where", ["header", "query"])
def test_a_stream_resume_id_past_any_event_is_refused(api: InProcess, where: str) -> None:
    for raw in (MANY_NINES, "9" * 25):
        if where == "header":
            answer = api.client.get("/api/events", headers={"Last-Event-ID": raw}, buffered=False)
        else:
            answer = api.client.get(f"/api/events?last_event_id={raw}", buffered=False)
        try:
            error = assert_error(answer, 422, "invalid_last_event_id")
            assert "Last-Event-ID" in error["message"]
        finally:
            answer.close()


def test_the_refused_stream_gives_its_slot_back(api: InProcess) -> None:
    slots = api.app.extensions["motcua.stream_slots"]
    api.client.get("/api/events", headers={"Last-Event-ID": MANY_NINES}, buffered=False).close()
    assert slots.open == 0


def test_a_notice_position_past_sqlite_integers_is_refused(api: InProcess) -> None:
    admin = api.auth("admin")
    for position in (HUGE, -HUGE, 1_000_001):
        error = assert_error(
            api.client.post("/api/notices", headers=admin, json={"text": "Nghỉ Tết", "position": position}),
            422, "invalid_notice")
        assert '"position"' in error["message"]
    made = api.client.post("/api/notices", headers=admin, json={"text": "Nghỉ Tết", "position": -1_000_000})
    assert made.status_code == 201 and made.get_json()["notice"]["position"] == -1_000_000
    notice = made.get_json()["notice"]["id"]
    for method in (api.client.patch, api.client.put):
        assert_error(method(f"/api/notices/{notice}", headers=admin, json={"position": HUGE}), 422, "invalid_notice")
    assert api.client.get("/api/notices?all=1", headers=admin).get_json()["notices"][0]["position"] == -1_000_000


@pytest.mark.parametrize("counters", ["%C2%B2", "1,%C2%B2", "%D9%A3", "%EF%BC%95", "9" * 5000, "0", "-1", "abc"])
def test_a_board_with_a_counter_that_is_not_a_number_says_how_to_write_it(api: InProcess, counters: str) -> None:
    page = api.client.get(f"/display?counters={counters}")
    assert (page.status_code, page.mimetype) == (422, "text/plain")
    text = page.get_data(as_text=True)
    assert '"counters"' in text and "/display?counters=1,2" in text


def test_a_board_still_takes_its_counters(api: InProcess) -> None:
    page = api.client.get("/display?counters=1, 3,,")
    assert page.status_code == 200 and '"counters": [1, 3]' in page.get_data(as_text=True)
