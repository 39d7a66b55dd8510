"""A counter closed for today from /admin (issue 15.1), through the API: its clerk is told, the kiosk refuses a
field nobody is open for, the boards hear it, the audit log keeps it, a restart keeps it and the next day opens it."""

from __future__ import annotations

from typing import Any

from queue_server.config import load_config
from queue_server.engine import QueueEngine
from tests.support.event_feed import Feed
from tests.support.servers import InProcess, act, issue

# The commune office: counters 1 and 2 take HT, 3 VP, 4 DC, 5 VH and KQ.


def close(api: InProcess, counter: int, who: str = "admin") -> Any:
    return api.client.post(f"/api/counters/{counter}/close-today", headers=api.auth(who))


def counter_of(api: InProcess, number: int) -> dict:
    return next(c for c in api.client.get("/api/counters").get_json()["counters"] if c["number"] == number)


def services_of(api: InProcess) -> dict[str, dict]:
    return {s["code"]: s for s in api.client.get("/api/services").get_json()["services"]}


def test_closing_a_counter_tells_the_boards_and_its_clerk_and_routes_its_field_to_the_other(api: InProcess) -> None:
    feed = Feed(api)
    assert feed.next().type == "snapshot"
    done = close(api, 1)
    assert done.status_code == 200
    body = done.get_json()
    assert (body["counter"]["closed_today"], body["counter"]["state"], body["unserved"]) == (True, "closed", [])
    event = feed.next()
    assert event.type == "counter.changed" and event.data["counter"]["closed_today"] is True
    assert services_of(api)["HT"]["counters"] == [2]
    assert issue(api, "HT", key="ht-1").status_code == 201
    refused = act(api, 1, "call-next")
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "counter_closed_today"
    assert "Mở quầy" in refused.get_json()["error"]["message"]
    assert act(api, 2, "call-next").get_json()["ticket"]["number"] == "A001"
    opened = api.client.post("/api/counters/1/open-today", headers=api.auth("admin"))
    assert opened.status_code == 200 and opened.get_json()["counter"]["closed_today"] is False
    assert act(api, 1, "call-next").status_code == 204  # open again: nobody waits
    audit = api.client.get("/api/people", headers=api.auth("admin")).get_json()["audit"]
    assert [(a["action"], a["target"]) for a in audit][:2] == [
        ("counter.open_today", "1"), ("counter.close_today", "1")]
    feed.close()


def test_a_field_no_open_counter_takes_is_refused_at_the_kiosk_with_words_for_people(api: InProcess) -> None:
    done = close(api, 4)
    assert done.get_json()["unserved"] == ["Địa chính – Xây dựng – Nông nghiệp – Môi trường"]
    assert services_of(api)["DC"]["accepting"] is False
    refused = issue(api, "DC", key="dc-1")
    assert refused.status_code == 409
    assert refused.get_json()["error"] == {
        "code": "service_closed_today",
        "message": "Hôm nay lĩnh vực Địa chính – Xây dựng – Nông nghiệp – Môi trường tạm ngừng tiếp nhận vì không "
                   "có quầy nào mở. Xin hỏi cán bộ hướng dẫn tại quầy."}


def test_closing_is_refused_while_serving_or_when_waiting_tickets_would_be_stranded(api: InProcess) -> None:
    assert issue(api, "DC", key="dc-1").status_code == 201
    assert issue(api, "DC", key="dc-2").status_code == 201
    act(api, 4, "call-next")
    busy = close(api, 4)
    assert busy.status_code == 409 and busy.get_json()["error"]["code"] == "ticket_in_progress"
    act(api, 4, "complete")
    stranded = close(api, 4)
    assert stranded.status_code == 409 and stranded.get_json()["error"]["code"] == "tickets_left_unserved"
    assert "1 số Địa chính" in stranded.get_json()["error"]["message"]
    assert counter_of(api, 4)["closed_today"] is False
    moved = api.client.put("/api/counters/3/services", json={"services": ["VP", "DC"]}, headers=api.auth("admin"))
    assert moved.status_code == 200
    assert close(api, 4).status_code == 200  # counter 3 takes Địa chính now
    back = api.client.delete("/api/counters/3/services", headers=api.auth("admin"))
    assert back.status_code == 409 and back.get_json()["error"]["code"] == "tickets_left_unserved"


def test_only_the_admin_closes_and_a_closure_lasts_the_day_over_a_restart(api: InProcess) -> None:
    assert close(api, 2, who="quay2").status_code == 403
    assert close(api, 99).status_code == 404
    assert issue(api, "HT", key="today").status_code == 201
    assert close(api, 2).status_code == 200
    assert close(api, 2).status_code == 422  # closed already
    again = QueueEngine(load_config(api.config.path), api.db.path, clock=api.clock)  # the server restarted
    try:
        assert again.state.counters[2].closed_today is True
    finally:
        again.stop()
    api.clock.advance(days=1)
    assert issue(api, "HT", key="next-day").status_code == 201
    assert counter_of(api, 2)["closed_today"] is False
