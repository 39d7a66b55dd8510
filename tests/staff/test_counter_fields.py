"""Today's counters from /admin (issue 15.1): a counter reassigned to other fields calls by them at once,
keeps them over a restart, announces the change, and goes back to the office file's fields on request."""

from __future__ import annotations

import pytest

from queue_server.config import load_config
from queue_server.core.errors import InvalidRequest, UnknownService
from queue_server.core.office import Office, with_counter_services
from queue_server.engine import QueueEngine
from tests.support.event_feed import Feed
from tests.support.servers import InProcess, act, issue


def fields(office: Office, number: int) -> tuple[str, ...]:
    counter = office.counter(number)
    assert counter is not None
    return counter.services


def fields_of(api: InProcess, counter: int) -> list[str]:
    return next(c["services"] for c in api.client.get("/api/counters").get_json()["counters"] if c["number"] == counter)


def test_a_reassigned_counter_calls_the_new_field_and_boards_hear_of_it(api: InProcess) -> None:
    feed = Feed(api)
    assert feed.next().type == "snapshot"
    issue(api, "DC", key="dc-1")  # Địa chính waits; counter 3 takes Văn phòng only (the office file)
    assert feed.next().type == "ticket.issued"
    assert act(api, 3, "call-next").status_code == 204
    changed = api.client.put("/api/counters/3/services", json={"services": ["VP", "DC"]}, headers=api.auth("admin"))
    assert changed.status_code == 200 and changed.get_json()["counter"] == {"number": 3, "services": ["VP", "DC"]}
    event = feed.next()
    assert event.type == "counter.changed" and event.data["counter"]["services"] == ["VP", "DC"]
    called = act(api, 3, "call-next")
    assert called.status_code == 200 and called.get_json()["ticket"]["service"] == "DC"
    assert fields_of(api, 3) == ["VP", "DC"]
    services = {s["code"]: s["counters"] for s in api.client.get("/api/services").get_json()["services"]}
    assert services["DC"] == [3, 4]
    feed.close()


def test_the_assignment_survives_a_restart_and_goes_back_on_request(api: InProcess) -> None:
    for counter, chosen in ((3, ["VP", "DC"]), (4, ["DC", "VP"])):
        done = api.client.put(f"/api/counters/{counter}/services", json={"services": chosen}, headers=api.auth("admin"))
        assert done.status_code == 200
    again = QueueEngine(load_config(api.config.path), api.db.path, clock=api.clock)  # the server restarted
    try:
        assert fields(again.office, 3) == ("VP", "DC") and fields(again.office, 4) == ("DC", "VP")
    finally:
        again.stop()
    reset = api.client.delete("/api/counters/3/services", headers=api.auth("admin"))
    assert reset.status_code == 200 and reset.get_json()["counter"]["services"] == ["VP"]
    audit = api.client.get("/api/people", headers=api.auth("admin")).get_json()["audit"]
    assert [(a["action"], a["target"], a["detail"]["services"]) for a in audit] == [
        ("counter.fields", "3", ["VP"]), ("counter.fields", "4", ["DC", "VP"]), ("counter.fields", "3", ["VP", "DC"])]


def test_a_change_that_leaves_a_field_without_a_counter_is_refused_and_changes_nothing(api: InProcess) -> None:
    refused = api.client.put("/api/counters/4/services", json={"services": ["VP"]}, headers=api.auth("admin"))
    assert refused.status_code == 422 and "Địa chính" in refused.get_json()["error"]["message"]
    bodies: list[dict[str, object]] = [{"services": []}, {"services": ["XX"]}, {"services": "HT"}]
    for body in bodies:
        assert api.client.put("/api/counters/4/services", json=body, headers=api.auth("admin")).status_code in (
            404, 422)
    assert fields_of(api, 4) == ["DC"]
    assert api.client.put("/api/counters/99/services", json={"services": ["HT"]},
                          headers=api.auth("admin")).status_code == 404
    assert api.client.put("/api/counters/4/services", json={"services": ["HT"]},
                          headers=api.auth("quay4")).status_code == 403


def test_the_rule_itself() -> None:
    office = load_config().office
    moved = with_counter_services(office, 3, ("DC", "VP", "DC"))
    assert fields(moved, 3) == ("DC", "VP") and fields(office, 3) == ("VP",)
    assert [c.number for c in moved.counters_for("DC")] == [3, 4]
    with pytest.raises(UnknownService):
        with_counter_services(office, 3, ("ZZ",))
    with pytest.raises(InvalidRequest):
        with_counter_services(office, 5, ("HT",))  # Văn hóa and Nhận kết quả would have no counter
