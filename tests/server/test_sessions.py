"""Cookie sessions and the sign-in guard: what a cookie holds, its flags, spraying, the clerk's slow lane."""

from __future__ import annotations

import base64
import json
import logging
import re
import threading
import time
import zlib

import pytest

from queue_server import auth
from queue_server.web import rate_limit
from tests.support.live_server import CLERK_PASSWORD
from tests.support.servers import InProcess

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
ADDRESS_MESSAGE = "Quá nhiều lần đăng nhập sai từ máy này. Vui lòng thử lại sau 1 phút."


class Ticking:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(api: InProcess) -> Ticking:
    """The app's sign-in guard on a clock of the test's own."""
    ticking = Ticking()
    api.app.extensions["motcua.sign_in_guard"] = rate_limit.SignInGuard(clock=ticking)
    return ticking


@pytest.fixture
def checker(monkeypatch: pytest.MonkeyPatch) -> auth.PasswordChecker:
    """A fresh password checker whose unknown-name waits cost no time."""
    fresh = auth.PasswordChecker(sleep=lambda seconds: None)
    monkeypatch.setattr(auth, "PASSWORDS", fresh)
    return fresh


def form_sign_in(client, username: str = "quay1", password: str = CLERK_PASSWORD, address: str = "127.0.0.1"):
    page = client.get("/console/login", environ_base={"REMOTE_ADDR": address}).get_data(as_text=True)
    field = CSRF_FIELD.search(page)
    assert field is not None, page[:300]
    return client.post("/console/login",
                       data={"csrf_token": field.group(1), "username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def api_sign_in(api: InProcess, username: str, password: str, address: str = "127.0.0.1"):
    return api.client.post("/api/login", json={"username": username, "password": password},
                           environ_base={"REMOTE_ADDR": address})


def cookie_strings(value: str) -> list[str]:
    """Every string a Flask session cookie carries once decoded (no key needed: it is only signed)."""
    compressed = value.startswith(".")
    payload = value.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    data = json.loads(zlib.decompress(raw) if compressed else raw)
    found: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, item in node.items():
                found.append(str(key))
                walk(item)
        elif isinstance(node, (list, tuple)):
            for item in node:
                walk(item)
        elif node is not None:
            found.append(str(node))
    walk(data)
    return found


# -- item 5: the cookie is no bearer token -------------------------------------------------

def test_nothing_in_the_session_cookie_works_as_a_bearer_token(api: InProcess) -> None:
    assert form_sign_in(api.client).status_code == 303
    assert api.client.get("/api/me").get_json()["user"]["name"] == "quay1"  # the cookie itself works
    value = api.client.get_cookie("session").value
    strings = cookie_strings(value)
    assert strings, "the cookie decodes to its fields"
    for candidate in [value, *strings, *(s.split("_", 1)[-1] for s in strings)]:
        answer = api.client.get("/api/me", headers={"Authorization": f"Bearer {candidate}"})
        assert answer.status_code == 401, candidate
        assert answer.get_json()["error"]["code"] == "invalid_token"


def test_the_session_cookie_names_no_person(api: InProcess) -> None:
    form_sign_in(api.client)
    decoded = cookie_strings(api.client.get_cookie("session").value)
    assert {"sid", "csrf"} <= set(decoded)
    assert "person_id" not in decoded and "quay1" not in decoded


def test_the_cookies_session_id_is_stored_only_hashed(api: InProcess) -> None:
    form_sign_in(api.client)
    strings = cookie_strings(api.client.get_cookie("session").value)
    sid = strings[strings.index("sid") + 1]
    with api.db.connect() as conn:
        stored = {row[0] for row in conn.execute("SELECT token_hash FROM tokens")}
    assert auth.cookie_hash(sid) in stored
    assert auth.hash_token(sid) not in stored and sid not in stored


def test_session_cookie_is_httponly_and_samesite_strict_and_not_secure_over_http(api: InProcess) -> None:
    answer = form_sign_in(api.client)
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_over_https(api: InProcess) -> None:
    client = api.app.test_client()
    page = client.get("/console/login", base_url="https://localhost").get_data(as_text=True)
    field = CSRF_FIELD.search(page)
    assert field is not None, page[:300]
    answer = client.post("/console/login", base_url="https://localhost",
                         data={"csrf_token": field.group(1), "username": "quay1", "password": CLERK_PASSWORD})
    assert answer.status_code == 303
    cookie = answer.headers["Set-Cookie"]
    assert "; Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_a_cookie_session_still_needs_the_csrf_token_to_act(api: InProcess) -> None:
    form_sign_in(api.client)
    answer = api.client.post("/api/counters/1/call-next")
    assert answer.status_code == 403 and answer.get_json()["error"]["code"] == "csrf_failed"


# -- item 6: one address, many names ----------------------------------------------------------

def test_one_address_trying_every_name_is_stopped_before_hashing(api: InProcess, clock: Ticking,
                                                                  checker: auth.PasswordChecker,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    limit = rate_limit.FAILURES_PER_ADDRESS
    caplog.set_level(logging.WARNING, logger="motcua.auth")
    answers = [api_sign_in(api, f"nobody{i}", "secret-guess-123") for i in range(limit + 5)]
    assert [a.status_code for a in answers[:limit]] == [401] * limit
    assert [a.status_code for a in answers[limit:]] == [429] * 5
    assert answers[-1].get_json() == {"error": {"code": "too_many_attempts_from_address", "message": ADDRESS_MESSAGE}}
    assert checker.hashes <= 1  # unknown names cost one real hash (to learn how long one takes), then waits
    refusals = [r.getMessage() for r in caplog.records if "too_many_attempts_from_address" in r.getMessage()]
    assert len(refusals) == 5 and "127.0.0.1" in refusals[0]
    assert all("secret-guess-123" not in r.getMessage() for r in caplog.records)
    # A real name's right password from there waits too; another machine is not affected.
    assert api_sign_in(api, "quay1", CLERK_PASSWORD).status_code == 429
    assert api_sign_in(api, "quay1", CLERK_PASSWORD, address="10.0.0.7").status_code == 200
    clock.now += rate_limit.WINDOW_SECONDS + 1
    assert api_sign_in(api, "quay1", CLERK_PASSWORD).status_code == 200


def test_the_sign_in_form_refuses_a_spraying_address_in_vietnamese(api: InProcess, clock: Ticking,
                                                                   checker: auth.PasswordChecker) -> None:
    for i in range(rate_limit.FAILURES_PER_ADDRESS):
        assert form_sign_in(api.client, f"ten{i}", "doan-mat-khau").status_code == 401
    answer = form_sign_in(api.client, "quay2", CLERK_PASSWORD)
    assert answer.status_code == 429
    assert ADDRESS_MESSAGE in answer.get_data(as_text=True)


def test_a_burst_of_parallel_sign_ins_is_bounded_before_any_finishes(api: InProcess, clock: Ticking,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    active, most, ran = 0, 0, 0
    lock = threading.Lock()

    def slow_hash_check(stored: str, password: str) -> bool:
        nonlocal active, most, ran
        with lock:
            active += 1
            ran += 1
            most = max(most, active)
        time.sleep(0.02)  # a stand-in for scrypt's ~60 ms
        with lock:
            active -= 1
        return False

    monkeypatch.setattr(auth, "check_password_hash", slow_hash_check)
    monkeypatch.setattr(auth, "PASSWORDS", auth.PasswordChecker(slots=2))
    codes: list[int] = []
    start = threading.Barrier(60)

    def attempt() -> None:
        client = api.app.test_client()
        start.wait()
        answer = client.post("/api/login", json={"username": "quay1", "password": "wrong-password"})
        with lock:
            codes.append(answer.status_code)

    threads = [threading.Thread(target=attempt) for _ in range(60)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ran == rate_limit.FAILURES_PER_ADDRESS and most <= 2  # the rest refused before hashing
    assert codes.count(401) == ran and codes.count(429) == 60 - ran


def test_a_flood_that_keeps_every_slot_taken_is_answered_busy(api: InProcess, clock: Ticking,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    busy = auth.PasswordChecker(slots=1, wait=0.01)
    monkeypatch.setattr(auth, "PASSWORDS", busy)
    assert busy._slots.acquire()  # another sign-in holds the only slot
    try:
        answer = api_sign_in(api, "quay1", CLERK_PASSWORD)
    finally:
        busy._slots.release()
    assert answer.status_code == 503
    assert answer.get_json()["error"]["code"] == "server_busy"
    assert api_sign_in(api, "quay1", CLERK_PASSWORD).status_code == 200


def test_an_unknown_name_waits_about_as_long_as_a_real_check() -> None:
    waits: list[float] = []
    ticks = iter([0.0, 0.05, 10.0, 10.07])
    checker = auth.PasswordChecker(sleep=waits.append, timer=lambda: next(ticks))
    real = auth.generate_password_hash("right-password")
    assert checker.check(real, "wrong-password") is False
    assert checker.check(real, "right-password") is True
    assert checker.check(None, "anything") is False
    assert checker.hashes == 2 and waits == [pytest.approx(0.8 * 0.05 + 0.2 * 0.07)]


# -- item 15: the guesser waits, the clerk gets in ----------------------------------------------

def test_after_ten_wrong_passwords_the_right_one_gets_in_after_the_slow_lane(api: InProcess, clock: Ticking) -> None:
    for _ in range(rate_limit.FAILURES_PER_NAME):
        assert api_sign_in(api, "quay1", "wrong-password").status_code == 401
    refused = api_sign_in(api, "quay1", CLERK_PASSWORD)
    assert refused.status_code == 429
    assert refused.get_json() == {"error": {"code": "too_many_attempts", "message":
                                            "Sai mật khẩu nhiều lần. Vui lòng đợi 10 giây rồi thử lại."}}
    clock.now += rate_limit.SLOW_LANE_SECONDS
    assert api_sign_in(api, "quay1", CLERK_PASSWORD).status_code == 200
    # Signed in: the name starts afresh.
    assert api_sign_in(api, "quay1", "wrong-password").status_code == 401
    assert api_sign_in(api, "quay1", CLERK_PASSWORD).status_code == 200


def test_a_guesser_in_the_slow_lane_gets_one_try_per_interval(api: InProcess, clock: Ticking) -> None:
    for _ in range(rate_limit.FAILURES_PER_NAME):
        api_sign_in(api, "quay1", "wrong-password")
    clock.now += rate_limit.SLOW_LANE_SECONDS
    assert api_sign_in(api, "quay1", "guess-again").status_code == 401
    assert api_sign_in(api, "quay1", "guess-more").status_code == 429
    clock.now += rate_limit.SLOW_LANE_SECONDS - 1
    assert api_sign_in(api, "quay1", "guess-more").status_code == 429
    clock.now += 1
    assert api_sign_in(api, "quay1", CLERK_PASSWORD).status_code == 200


def test_a_guesser_on_another_machine_does_not_lock_out_the_clerk(api: InProcess, clock: Ticking) -> None:
    for _ in range(rate_limit.FAILURES_PER_NAME + 2):
        api_sign_in(api, "quay1", "wrong-password", address="10.0.0.66")
    assert api_sign_in(api, "quay1", CLERK_PASSWORD, address="10.0.0.5").status_code == 200
