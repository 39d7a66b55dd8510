"""Every error a client can cause: the right 4xx, the one error shape, never a 500.

``test_every_error_has_the_one_shape`` pins the shape for the whole table;
the other tests assert whole bodies of the errors devices act on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.support.servers import InProcess, act, issue

KIOSK_KEY = "key-1"


def _post_ticket(who: str | None, body: Any = None, raw: bytes | None = None, key: str | None = KIOSK_KEY,
                 token: str | None = None) -> Callable[[InProcess], Any]:
    def send(api: InProcess):
        headers = api.auth(who) if who else {}
        if token is not None:
            headers = {"Authorization": token}
        if key is not None:
            headers["Idempotency-Key"] = key
        if raw is not None:
            return api.client.post("/api/tickets", data=raw, headers={**headers, "Content-Type": "application/json"})
        return api.client.post("/api/tickets", json=body, headers=headers)
    return send


def _action(counter: int, action: str, body: Any = None, who: str | None = None, setup: Callable | None = None):
    def send(api: InProcess):
        if setup is not None:
            setup(api)
        return act(api, counter, action, body, who)
    return send


def _call_next(counter: int):
    return lambda api: act(api, counter, "call-next")


def _get(path: str, headers: dict[str, str] | None = None):
    return lambda api: api.client.get(path, headers=headers or {})


def _issue_then(second: Callable[[InProcess], Any]):
    def send(api: InProcess):
        assert issue(api, "HT", KIOSK_KEY).status_code == 201
        return second(api)
    send.stateful = True  # type: ignore[attr-defined]
    return send


def _login(body: Any):
    return lambda api: api.client.post("/api/login", json=body)


def _with_token(method: str, path: str, who: str, body: Any = None):
    return lambda api: api.client.open(path, method=method, json=body, headers=api.auth(who))


DEEP_OBJECT = ('{"a":' * 600 + "1" + "}" * 600).encode()
DEEP_ARRAY = ("[" * 5000 + "]" * 5000).encode()

ERRORS: dict[str, tuple[Callable[[InProcess], Any], int, str]] = {
    "malformed JSON": (_post_ticket("kiosk", raw=b'{"service": "HT"'), 400, "bad_json"),
    "not UTF-8": (_post_ticket("kiosk", raw=b'{"service": "\xff\xfe"}'), 400, "bad_json"),
    "a JSON array, not an object": (_post_ticket("kiosk", raw=b'["HT"]'), 422, "invalid_body"),
    "a JSON string, not an object": (_post_ticket("kiosk", raw=b'"HT"'), 422, "invalid_body"),
    "JSON null": (_post_ticket("kiosk", raw=b"null"), 422, "invalid_body"),
    "a JSON number": (_post_ticket("kiosk", raw=b"12"), 422, "invalid_body"),
    "an object nested too deeply": (_post_ticket("kiosk", raw=DEEP_OBJECT), 422, "invalid_body"),
    "an array nested too deeply": (_post_ticket("kiosk", raw=DEEP_ARRAY), 422, "invalid_body"),
    "no service": (_post_ticket("kiosk", {}), 422, "missing_field"),
    "service is not text": (_post_ticket("kiosk", {"service": 7}), 422, "invalid_field"),
    "unknown service": (_post_ticket("kiosk", {"service": "XX"}), 404, "unknown_service"),
    "kiosk picks appointment": (
        _post_ticket("kiosk", {"service": "HT", "priority": "appointment"}), 422, "invalid_priority"),
    "kiosk picks an unknown priority": (
        _post_ticket("kiosk", {"service": "HT", "priority": "vip"}), 422, "invalid_priority"),
    "clerk picks an unknown priority": (
        _post_ticket("quay1", {"service": "HT", "priority": "vip"}), 422, "invalid_priority"),
    "no Idempotency-Key": (_post_ticket("kiosk", {"service": "HT"}, key=None), 422, "missing_idempotency_key"),
    "blank Idempotency-Key": (_post_ticket("kiosk", {"service": "HT"}, key="  "), 422, "missing_idempotency_key"),
    "overlong Idempotency-Key": (
        _post_ticket("kiosk", {"service": "HT"}, key="k" * 129), 422, "invalid_idempotency_key"),
    "key reused with another body": (
        _issue_then(_post_ticket("kiosk", {"service": "VP"})), 409, "idempotency_key_reused"),
    "display takes a ticket": (_post_ticket("display", {"service": "HT"}), 403, "forbidden"),
    "rating tablet takes a ticket": (_post_ticket("rating", {"service": "HT"}), 403, "forbidden"),
    "no token": (_post_ticket(None, {"service": "HT"}), 401, "unauthorized"),
    "unknown token": (_post_ticket(None, {"service": "HT"}, token="Bearer dev_not-a-real-token"), 401, "invalid_token"),
    "empty bearer token": (_post_ticket(None, {"service": "HT"}, token="Bearer "), 401, "invalid_token"),
    "body over max_body_bytes": (
        _post_ticket("kiosk", raw=b'{"service": "' + b"H" * 20_000 + b'"}'), 413, "body_too_large"),
    "unknown ticket id": (_get("/api/tickets/999"), 404, "unknown_ticket"),
    "ticket id beyond SQLite integers": (_get("/api/tickets/99999999999999999999"), 404, "unknown_ticket"),
    "unknown status token": (_get("/api/status/not-a-token"), 404, "unknown_ticket"),
    "unknown API address": (_get("/api/nothing-here"), 404, "not_found"),
    "wrong method": (lambda api: api.client.delete("/api/tickets", headers=api.auth("kiosk")), 405,
                     "method_not_allowed"),
    "kiosk calls next": (_action(1, "call-next", who="kiosk"), 403, "forbidden"),
    "display pauses a counter": (_action(1, "pause", {"reason": "x"}, who="display"), 403, "forbidden"),
    "clerk acts at another clerk's counter": (_action(3, "call-next", who="quay1"), 403, "not_your_counter"),
    "no token at a counter": (lambda api: api.client.post("/api/counters/1/call-next"), 401, "unauthorized"),
    "unknown counter": (_action(9, "call-next", who="admin"), 404, "unknown_counter"),
    "counter beyond SQLite integers": (_action(99999999999999999999, "call-next", who="admin"), 404, "unknown_counter"),
    "call an unknown ticket": (_action(1, "call", {"ticket": 999}), 404, "unknown_ticket"),
    "call without a ticket": (_action(1, "call", {}), 422, "missing_field"),
    "call with a ticket that is neither an id nor a number": (_action(1, "call", {"ticket": [1]}), 422,
                                                              "invalid_field"),
    "call a printed number nobody holds today": (_action(1, "call", {"ticket": "A001"}), 404, "unknown_ticket"),
    "call a printed number of another field": (_issue_then(_action(3, "call", {"ticket": "A001"})), 409,
                                               "ticket_not_callable"),
    "pause with a citizen called": (_issue_then(_action(1, "pause", {"reason": "Họp"}, setup=_call_next(1))),
                                    409, "ticket_in_progress"),
    "transfer with an overlong note": (_issue_then(_action(1, "transfer", {"counter": 2, "note": "x" * 201},
                                                           setup=_call_next(1))), 422, "invalid_request"),
    "call a ticket of another field": (_issue_then(_action(3, "call", {"ticket": 1})), 409, "ticket_not_callable"),
    "recall with no current ticket": (_action(1, "recall"), 409, "no_current_ticket"),
    "start with no current ticket": (_action(1, "start"), 409, "no_current_ticket"),
    "no-show with no current ticket": (_action(1, "no-show"), 409, "no_current_ticket"),
    "complete with no current ticket": (_action(1, "complete"), 409, "no_current_ticket"),
    "transfer with no current ticket": (_action(1, "transfer", {"service": "VP"}), 409, "no_current_ticket"),
    "start twice": (
        _issue_then(_action(1, "start", setup=lambda api: (act(api, 1, "call-next"), act(api, 1, "start")))),
        409, "already_serving"),
    "transfer to both a service and a counter": (
        _issue_then(_action(1, "transfer", {"service": "VP", "counter": 3},
                            setup=lambda api: act(api, 1, "call-next"))),
        422, "invalid_request"),
    "transfer to nowhere": (
        _issue_then(_action(1, "transfer", {}, setup=lambda api: act(api, 1, "call-next"))), 422, "invalid_request"),
    "transfer to an unknown service": (
        _issue_then(_action(1, "transfer", {"service": "XX"}, setup=lambda api: act(api, 1, "call-next"))),
        404, "unknown_service"),
    "transfer to an unknown counter": (
        _issue_then(_action(1, "transfer", {"counter": 9}, setup=lambda api: act(api, 1, "call-next"))),
        404, "unknown_counter"),
    "transfer to the same counter": (
        _issue_then(_action(1, "transfer", {"counter": 1}, setup=lambda api: act(api, 1, "call-next"))),
        422, "invalid_request"),
    "pause without a reason": (_action(1, "pause", {}), 422, "missing_field"),
    "pause with a blank reason": (_action(1, "pause", {"reason": "   "}), 422, "invalid_request"),
    "pause with an overlong reason": (_action(1, "pause", {"reason": "x" * 201}), 422, "invalid_field"),
    "resume a counter that is not paused": (_action(1, "resume"), 409, "counter_not_paused"),
    "counter action with malformed JSON": (
        lambda api: api.client.post("/api/counters/1/pause", data=b"{",
                                    headers={**api.auth("quay1"), "Content-Type": "application/json"}),
        400, "bad_json"),
    "login with a wrong password": (
        _login({"username": "quay1", "password": "wrong-password"}), 401, "bad_credentials"),
    "login as nobody": (_login({"username": "nobody", "password": "whatever1"}), 401, "bad_credentials"),
    "login without a password": (_login({"username": "quay1"}), 422, "missing_field"),
    "login with a list": (lambda api: api.client.post("/api/login", json=["quay1"]), 422, "invalid_body"),
    "me without a token": (_get("/api/me"), 401, "unauthorized"),
    "me with a bad token": (_get("/api/me", {"Authorization": "Bearer nope"}), 401, "invalid_token"),
    "logout without a token": (lambda api: api.client.post("/api/logout"), 401, "unauthorized"),
    "a clerk reports device status": (
        _with_token("POST", "/api/devices/status", "quay1", {"component": "x", "ok": True}), 403, "forbidden"),
    "device status without ok": (
        _with_token("POST", "/api/devices/status", "kiosk", {"component": "printer"}), 422, "invalid_field"),
    "device status without component": (
        _with_token("POST", "/api/devices/status", "kiosk", {"ok": True}), 422, "missing_field"),
    "a kiosk lists devices": (_with_token("GET", "/api/devices", "kiosk"), 403, "forbidden"),
    "a clerk lists devices": (_with_token("GET", "/api/devices", "quay1"), 403, "forbidden"),
    "anyone lists devices": (_get("/api/devices"), 401, "unauthorized"),
}


STATEFUL = [case for case, (send, _, _) in ERRORS.items() if getattr(send, "stateful", False)]
STATELESS = [case for case in ERRORS if case not in STATEFUL]


def check_error_shape(answer: Any, status: int, code: str) -> None:
    """The one error shape: exactly {"error": {"code", "message"}}, the right status, a real message."""
    assert answer.status_code == status, answer.get_data(as_text=True)
    assert answer.mimetype == "application/json"
    body = answer.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    message = body["error"]["message"]
    assert isinstance(message, str) and len(message) > 10 and "Traceback" not in message


def test_every_error_has_the_one_shape_and_changes_nothing(api: InProcess, subtests) -> None:
    """Refusals need no set-up, so they share one app (each Flask app costs ~0.15 s to build)."""
    for case in STATELESS:
        send, status, code = ERRORS[case]
        with subtests.test(case):
            check_error_shape(send(api), status, code)
    with api.db.connect() as conn:
        assert conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 0
        assert conn.execute("SELECT type FROM events").fetchall() == []


@pytest.mark.parametrize("case", STATEFUL, ids=STATEFUL)
def test_errors_after_a_ticket_have_the_one_shape(api: InProcess, case: str) -> None:
    send, status, code = ERRORS[case]
    check_error_shape(send(api), status, code)


def test_unknown_service_says_which_services_exist(api: InProcess) -> None:
    answer = issue(api, "XX")
    assert answer.status_code == 404
    assert answer.get_json() == {"error": {"code": "unknown_service",
                                           "message": "Không có lĩnh vực 'XX'. Xin chọn một trong: HT, VP, DC, VH, KQ"}}


def test_a_display_may_not_take_a_ticket(api: InProcess) -> None:
    answer = issue(api, who="display")
    assert answer.status_code == 403
    assert answer.get_json() == {"error": {"code": "forbidden", "message": (
        "Vai trò display không được làm việc này; cần vai trò kiosk hoặc clerk hoặc admin.")}}


def test_a_clerk_may_not_act_at_another_counter(api: InProcess) -> None:
    answer = act(api, 2, "call-next", who="quay1")
    assert answer.status_code == 403
    assert answer.get_json() == {"error": {"code": "not_your_counter",
                                           "message": "Bạn làm việc ở quầy 1, không phải quầy 2."}}


def test_missing_idempotency_key_says_what_to_send(api: InProcess) -> None:
    answer = api.client.post("/api/tickets", json={"service": "HT"}, headers=api.auth("kiosk"))
    assert answer.status_code == 422
    assert answer.get_json() == {"error": {"code": "missing_idempotency_key", "message": (
        "Thiếu tiêu đề Idempotency-Key: xin gửi một chuỗi ngẫu nhiên, "
        "giữ nguyên ở mọi lần gửi lại của cùng một yêu cầu.")}}


def test_no_current_ticket_says_to_call_first(api: InProcess) -> None:
    answer = act(api, 2, "complete")
    assert answer.status_code == 409
    assert answer.get_json() == {"error": {"code": "no_current_ticket", "message":
                                           "Quầy 2 không có phiếu đang làm: xin gọi số tiếp theo trước."}}


def test_pause_needs_a_reason(api: InProcess) -> None:
    answer = act(api, 1, "pause", {})
    assert answer.status_code == 422
    assert answer.get_json() == {"error": {"code": "missing_field", "message": 'Thiếu trường "reason".'}}


def test_the_body_limit_comes_from_the_office_file(make_app) -> None:
    api = make_app({"max_body_bytes = 16384": "max_body_bytes = 64"})
    small = issue(api, "HT", "a", procedure="1.001193")
    assert small.status_code == 201
    big = issue(api, "HT", "b", procedure="x" * 30, note="y" * 40)
    assert big.status_code == 413
    assert big.get_json() == {"error": {"code": "body_too_large",
                                        "message": "Dữ liệu gửi lên quá lớn; xin gửi một tài liệu JSON nhỏ hơn."}}


def test_a_device_is_limited_to_its_tickets_per_minute(make_app) -> None:
    api = make_app({"tickets_per_minute_per_device = 30": "tickets_per_minute_per_device = 3"})
    assert [issue(api, "HT", f"k{i}").status_code for i in range(3)] == [201, 201, 201]
    refused = issue(api, "HT", "k3")
    assert refused.status_code == 429
    assert refused.get_json() == {"error": {"code": "too_many_tickets", "message":
                                            "Máy này đã lấy quá nhiều số trong một phút vừa qua; xin đợi một chút."}}
    # The limit is per device: another kiosk still serves its citizens.
    assert issue(api, "HT", "k4", who="kiosk2").status_code == 201
    with api.db.connect() as conn:
        assert conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 4


def test_a_device_at_its_limit_still_gets_back_the_ticket_it_was_given(make_app) -> None:
    api = make_app({"tickets_per_minute_per_device = 30": "tickets_per_minute_per_device = 2"})
    first = issue(api, "HT", "k0")
    assert issue(api, "HT", "k1").status_code == 201
    assert issue(api, "HT", "k2").status_code == 429
    retry = issue(api, "HT", "k0")
    assert retry.status_code == 200
    assert retry.get_json()["ticket"]["id"] == first.get_json()["ticket"]["id"]


def test_sign_in_attempts_are_limited(make_app, monkeypatch: pytest.MonkeyPatch) -> None:
    from queue_server.web import app as web_app

    assert web_app.LOGIN_ATTEMPTS_PER_MINUTE == 10
    monkeypatch.setattr(web_app, "LOGIN_ATTEMPTS_PER_MINUTE", 2)  # each attempt costs a scrypt hash
    api = make_app()
    answers = [api.client.post("/api/login", json={"username": "quay2", "password": "guess-guess"}) for _ in range(3)]
    assert [a.status_code for a in answers] == [401, 401, 429]
    error = answers[-1].get_json()["error"]
    assert error["code"] == "too_many_attempts" and "thử lại" in error["message"]
    # The guesser waits; another name from the same address does not (the slow lane for the right
    # password is tested in tests/console/test_pages.py and tests/server/test_sessions.py).
    assert api.client.post("/api/login", json={"username": "quay3", "password": "mat-khau-quay"}).status_code == 200


def test_a_stream_resume_header_that_is_not_a_number_gets_a_snapshot(api: InProcess) -> None:
    for raw in ("abc", "-1", "²", "1.5", ""):
        answer = api.client.get("/api/events", headers={"Last-Event-ID": raw}, buffered=False)
        try:
            assert answer.status_code == 200, raw
            chunks = answer.response
            assert next(iter(chunks)).startswith(b"retry:")
            assert b"event: snapshot" in next(iter(chunks)), raw
        finally:
            answer.close()
