"""The console's pages and its cookie session, in-process with Flask's test client."""

from __future__ import annotations

import json
import re
import unicodedata

from queue_server import auth
from queue_server.store.db import connect
from queue_server.web import rate_limit
from tests.support.console import Console

BOOTSTRAP = re.compile(r'<script type="application/json" id="console-data">(.*?)</script>', re.S)


def bootstrap_of(console: Console) -> dict:
    """The data the console page hands to its script."""
    page = console.client.get("/console")
    assert page.status_code == 200
    found = BOOTSTRAP.search(page.get_data(as_text=True))
    assert found
    return json.loads(found.group(1))


def test_home_links_the_console_and_the_api_doc(console: Console):
    page = console.client.get("/")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'href="/console"' in text and 'href="/api/openapi.json"' in text
    assert "Trung tâm Phục vụ hành chính công xã Tân Phú" in text


def test_console_without_a_session_sends_to_the_sign_in_page(console: Console):
    answer = console.client.get("/console")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/console/login")


def test_sign_in_page_has_a_csrf_field_a_strict_policy_and_no_cache(console: Console):
    page = console.client.get("/console/login")
    assert page.status_code == 200
    assert 'name="csrf_token"' in page.get_data(as_text=True)
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["Cache-Control"] == "no-store"


def test_sign_in_without_the_csrf_token_is_refused(console: Console):
    console.client.get("/console/login")
    answer = console.client.post("/console/login", data={"username": "quay1", "password": "mat-khau-quay"})
    assert answer.status_code == 403
    assert "Trang đăng nhập đã cũ" in answer.get_data(as_text=True)
    assert console.client.get("/console").status_code == 302


def test_sign_in_with_a_wrong_password_is_refused(console: Console):
    answer = console.sign_in("quay1", "not-the-password")
    assert answer.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in answer.get_data(as_text=True)
    assert 'value="quay1"' in answer.get_data(as_text=True)  # the name stays, the password does not
    assert console.client.get("/console").status_code == 302


def test_sign_in_opens_the_console_with_a_new_csrf_token_and_the_clerks_counter_only(console: Console):
    before = console.csrf_from()
    answer = console.sign_in("quay1")
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith("/console")
    data = bootstrap_of(console)
    assert data["csrf"] != before
    assert data["user"] == {"name": "quay1", "role": "clerk"}
    assert [c["number"] for c in data["counters"]] == [1]
    assert [c["number"] for c in data["all_counters"]] == [1, 2, 3, 4, 5]
    assert "Nghỉ trưa" in data["pause_presets"]
    cookie = console.client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.expires is not None


def test_an_admin_may_pick_any_counter(console: Console):
    console.enter("admin")
    assert [c["number"] for c in bootstrap_of(console)["counters"]] == [1, 2, 3, 4, 5]


def test_signed_in_visitor_of_the_sign_in_page_goes_to_the_console(console: Console):
    console.enter()
    answer = console.client.get("/console/login")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/console")


def test_api_change_with_the_cookie_but_without_the_csrf_header_is_refused(console: Console):
    console.enter()
    console.issue()
    answer = console.post("/api/counters/1/call-next")
    assert answer.status_code == 403
    assert answer.get_json()["error"]["code"] == "csrf_failed"
    wrong = console.post("/api/counters/1/call-next", csrf="forged")
    assert wrong.status_code == 403


def test_api_change_with_the_cookie_and_the_csrf_header_acts(console: Console):
    console.enter()
    console.issue()
    csrf = bootstrap_of(console)["csrf"]
    answer = console.post("/api/counters/1/call-next", csrf=csrf)
    assert answer.status_code == 200
    assert answer.get_json()["ticket"]["number"] == "A001"
    assert console.post("/api/counters/1/complete", csrf=csrf).get_json()["ticket"]["status"] == "done"


def test_a_clerk_cannot_act_on_another_counter_through_the_cookie_session(console: Console):
    console.enter("quay1")
    console.issue()
    csrf = bootstrap_of(console)["csrf"]
    answer = console.post("/api/counters/2/call-next", csrf=csrf)
    assert answer.status_code == 403
    assert answer.get_json()["error"]["code"] == "not_your_counter"
    assert console.client.get("/console/api/counters/2/queue").status_code == 403


def test_sign_out_ends_the_session(console: Console):
    console.enter()
    csrf = bootstrap_of(console)["csrf"]
    answer = console.client.post("/console/logout", data={"csrf_token": csrf})
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/console/login")
    assert console.client.get("/console").status_code == 302
    assert console.post("/api/counters/1/call-next", csrf=csrf).status_code == 401


def test_a_copied_cookie_stops_working_when_its_owner_signs_out(console: Console):
    console.enter()
    csrf = bootstrap_of(console)["csrf"]
    copied = console.client.get_cookie("session").value
    console.client.post("/console/logout", data={"csrf_token": csrf})
    console.client.set_cookie("session", copied)
    assert console.client.get("/console").status_code == 302
    assert console.post("/api/counters/1/call-next", csrf=csrf).status_code == 401


def test_sign_out_without_the_csrf_token_is_refused(console: Console):
    console.enter()
    assert console.client.post("/console/logout").status_code == 403
    assert console.client.get("/console").status_code == 200


def test_a_clerk_who_mistyped_ten_times_signs_in_after_a_short_wait(console: Console):
    now = [0.0]
    console.app.extensions["motcua.sign_in_guard"] = rate_limit.SignInGuard(clock=lambda: now[0])
    limit = console.app.extensions["motcua.login_limiter"].per_minute  # the app's per-name limit
    for _ in range(limit - 1):
        assert console.sign_in("quay1", "wrong-password").status_code == 401
    assert console.sign_in("QUAY1 ", "wrong-password").status_code == 401  # one name, however typed
    answer = console.sign_in("quay1")
    assert answer.status_code == 429
    assert "Vui lòng đợi 10 giây rồi thử lại." in answer.get_data(as_text=True)
    assert console.sign_in("quay2").status_code == 303  # another name is not blocked
    console.client.post("/console/logout", data={"csrf_token": bootstrap_of(console)["csrf"]})
    now[0] += rate_limit.SLOW_LANE_SECONDS
    assert console.sign_in("quay1").status_code == 303  # not a minute: the guesser waits, not the clerk


def test_queue_view_lists_waiting_tickets_priority_first_and_no_shows_within_the_grace(console: Console):
    console.enter("quay1")
    csrf = bootstrap_of(console)["csrf"]
    console.issue(key="a")
    console.issue(key="b")
    console.issue(key="c", priority="elderly")
    console.issue(service="VP", key="d")
    called = console.post("/api/counters/1/call-next", csrf=csrf).get_json()["ticket"]
    assert called["number"] == "A003"  # priority first
    console.post("/api/counters/1/no-show", csrf=csrf)
    queue = console.client.get("/console/api/counters/1/queue").get_json()
    assert [t["number"] for t in queue["waiting"]] == ["A001", "A002"]
    assert queue["waiting_total"] == 2
    assert [t["number"] for t in queue["no_shows"]] == ["A003"]
    assert queue["no_shows"][0]["callable_until"] == "2026-03-02T08:15:00+07:00"
    console.clock.advance(minutes=16)
    assert console.client.get("/console/api/counters/1/queue").get_json()["no_shows"] == []


def test_a_no_show_is_called_back_from_the_console(console: Console):
    console.enter("quay1")
    csrf = bootstrap_of(console)["csrf"]
    console.issue()
    ticket = console.post("/api/counters/1/call-next", csrf=csrf).get_json()["ticket"]
    console.post("/api/counters/1/no-show", csrf=csrf)
    again = console.post("/api/counters/1/call", {"ticket": ticket["id"]}, csrf=csrf)
    assert again.status_code == 200 and again.get_json()["ticket"]["status"] == "called"
    assert console.client.get("/console/api/counters/1/queue").get_json()["no_shows"] == []


def test_a_ticket_sent_to_a_counter_waits_only_for_that_counter(console: Console):
    console.enter("admin")
    csrf = bootstrap_of(console)["csrf"]
    console.issue()
    console.post("/api/counters/1/call-next", csrf=csrf)
    console.post("/api/counters/1/transfer", {"counter": 2}, csrf=csrf)
    at_two = console.client.get("/console/api/counters/2/queue").get_json()["waiting"]
    assert [(t["number"], t["target_counter"], t["transfers"]) for t in at_two] == [("A001", 2, 1)]
    assert console.client.get("/console/api/counters/1/queue").get_json()["waiting"] == []


def test_a_password_typed_in_decomposed_unicode_still_signs_in(console: Console):
    db = connect(console.app.config["MOTCUA_DB"])
    auth.add_user(db.conn, "quay9", "mật khẩu quầy", "clerk", [1])
    db.close()
    answer = console.sign_in("quay9", unicodedata.normalize("NFD", "mật khẩu quầy"))
    assert answer.status_code == 303
