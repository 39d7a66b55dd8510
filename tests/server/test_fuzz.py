"""Whatever a client sends, the answer is a 2xx or a 4xx in the one error shape, never a 500."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.server.conftest import InProcess

ACTIONS = ("call-next", "call", "recall", "start", "no-show", "complete", "transfer", "pause", "resume", "close")
WHO = ("kiosk", "display", "rating", "quay1", "quay2", "quay3", "admin", None)

scalars = st.none() | st.booleans() | st.integers(min_value=-(2**80), max_value=2**80) | st.floats() | st.text(max_size=40)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
                           max_leaves=12)
# Bodies that look almost right reach deeper than random ones.
plausible = st.fixed_dictionaries({}, optional={
    "service": st.sampled_from(["HT", "VP", "DC", "VH", "XX", "", "ht"]) | json_values,
    "priority": st.sampled_from(["elderly", "merit", "appointment", "vip", None]) | json_values,
    "procedure": st.text(max_size=40) | json_values,
    "ticket": st.integers(min_value=-5, max_value=10) | st.integers() | json_values,
    "counter": st.sampled_from([1, 2, 3, 4, 5, 0, 9, 2**70]) | json_values,
    "reason": st.text(max_size=250) | json_values,
    "component": st.text(max_size=40) | json_values,
    "ok": json_values,
})
bodies = plausible.map(lambda b: json.dumps(b).encode()) | json_values.map(lambda v: json.dumps(v).encode()) | st.binary(max_size=64)
# Not /api/login: every try costs a scrypt hash (test_errors.py covers its refusals).
paths = (st.just("/api/tickets") | st.just("/api/logout") | st.just("/api/devices/status")
         | st.builds(lambda n, a: f"/api/counters/{n}/{a}", st.sampled_from([0, 1, 2, 3, 4, 5, 9, 2**70]), st.sampled_from(ACTIONS)))
keys = st.none() | st.sampled_from(["k1", "k2"]) | st.text(alphabet=st.characters(codec="latin-1", exclude_characters="\r\n\x00"), max_size=140)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(path=paths, body=bodies, who=st.sampled_from(WHO), key=keys)
def test_no_request_makes_a_server_error(api: InProcess, path: str, body: bytes, who: str | None, key: str | None) -> None:
    headers = {"Content-Type": "application/json"}
    if who is not None:
        headers.update(api.auth(who))
    if key is not None:
        headers["Idempotency-Key"] = key
    answer = api.client.post(path, data=body, headers=headers)
    assert answer.status_code < 500, answer.get_data(as_text=True)
    if answer.status_code >= 400:
        error = answer.get_json()
        assert set(error) == {"error"} and set(error["error"]) == {"code", "message"}
    if who == "admin" and path == "/api/logout":
        api.db.tokens["admin"] = api.db.tokens["quay3"]  # keep a valid admin-ish token for later examples


def test_reads_with_odd_ids_and_tokens(api: InProcess) -> None:
    for path in ("/api/tickets/0", "/api/tickets/-1", "/api/tickets/1.5", "/api/tickets/%00", "/api/status/%00",
                 "/api/status/" + "x" * 5000, "/api/status/%F0%9F%98%80", "/api/tickets/" + "9" * 400,
                 "/api/events?last_event_id=" + "9" * 400, "/api/procedures?q=%00"):
        answer = api.client.get(path, buffered=False)
        try:
            assert answer.status_code < 500, path
        finally:
            answer.close()
