"""Whatever a client sends, the answer is a 2xx or a 4xx in the one error shape, never a 500."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from queue_server.web.rate_limit import RateLimiter
from tests.support.live_server import ADMIN_PASSWORD
from tests.support.servers import InProcess, issue

ACTIONS = ("call-next", "call", "recall", "start", "no-show", "complete", "transfer", "pause", "resume", "close")
WHO = ("kiosk", "display", "rating", "quay1", "quay2", "quay3", "admin", None)

scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**80), max_value=2**80) | st.floats()
           | st.text(max_size=40))
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
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
bodies = (plausible.map(lambda b: json.dumps(b).encode()) | json_values.map(lambda v: json.dumps(v).encode())
          | st.binary(max_size=64))
# Not /api/login: every try costs a scrypt hash (test_errors.py covers its refusals).
paths = (st.just("/api/tickets") | st.just("/api/logout") | st.just("/api/devices/status")
         | st.builds(lambda n, a: f"/api/counters/{n}/{a}", st.sampled_from([0, 1, 2, 3, 4, 5, 9, 2**70]),
                     st.sampled_from(ACTIONS)))
keys = (st.none() | st.sampled_from(["k1", "k2"])
        | st.text(alphabet=st.characters(codec="latin-1", exclude_characters="\r\n\x00"), max_size=140))


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(path=paths, body=bodies, who=st.sampled_from(WHO), key=keys)
def test_no_request_makes_a_server_error(api: InProcess, path: str, body: bytes, who: str | None,
                                         key: str | None) -> None:
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


# -- every operation of the OpenAPI document, every HTML page (issue 17.0) ---------------------------

HOSTILE_TEXT = ("", " ", "²", "٣", "５", "-1", "0", "9" * 25, "9" * 5000, "1.5", "abc", "\x00", "x" * 3000, "%")
"""Query, path and header values: empty, Unicode digits int() takes or refuses, past SQLite's and int()'s limits."""
HOSTILE_JSON: tuple[Any, ...] = ("", " ", "²", "٣", "５", "9" * 5000, -1, 0, 10**30, -(10**30), 2**63, 1.5,
                                 float("inf"), True, None, [], {}, ["HT"], {"a": 1}, "x" * 5000)
"""Body field values: the above plus wrong types (JSON has no other)."""
WHOLE_BODIES = (b"", b"[]", b'"HT"', b"1", b"null", b"{", b'{"": ""}', b"\xff\xfe")
PLAUSIBLE: dict[str, Any] = {
    "service": "HT", "slot": "2026-03-03T08:00", "procedure": "", "phone": "0912345678", "code": "ABC123",
    "ticket": 1, "counter": 2, "reason": "Nghỉ trưa", "component": "printer", "ok": True, "message": "Hết giấy",
    "text": "Thông báo", "position": 1, "active": True, "starts_on": "2026-03-02", "ends_on": "2026-03-31",
    "overall": "satisfied", "criteria": {}, "answers": {}, "reasons": [], "comment": "Tốt", "dossier": "",
    "dossier_code": "000.00.00.H00-260302-0001", "priority": None, "username": "quay1", "password": "x",
    "n": "1", "id": "1", "token": "tok1", "name": "waits", "q": "khai sinh", "field": "", "limit": "5",
    "from": "2026-03-01", "to": "2026-03-02", "period": "month", "date": "2026-03-02", "format": "json",
    "Last-Event-ID": "1", "Idempotency-Key": "fuzz",
}
"""A value that gets a parameter past its first check, so a hostile neighbour is checked deeper."""
# scrypt per try / revokes the token: the fuzz above covers both.
SKIPPED = {("post", "/api/login"), ("post", "/api/logout")}
CALLERS = ("admin", "kiosk", "rating", "quay1", "display", None)
PAGE_PARAMS = ("screen", "counters", "orientation", "lang", "service", "date", "procedure", "m", "code", "from", "to",
               "period", "format", "all", "next", "q", "limit", "last_event_id")
"""Every query parameter any page reads (and a few it might)."""


@dataclass(frozen=True)
class Operation:
    """One method and path of the OpenAPI document, with its parameters and body fields."""

    method: str
    path: str
    path_params: tuple[str, ...]
    query: tuple[str, ...]
    headers: tuple[str, ...]
    fields: tuple[str, ...]
    has_body: bool


def operations(document: dict[str, Any]) -> list[Operation]:
    """Every operation; a write with no body in the document borrows its collection's (PATCH /api/notices/{id})."""
    def fields_of(op: dict[str, Any]) -> tuple[str, ...] | None:
        content = op.get("requestBody", {}).get("content", {})
        return tuple(next(iter(content.values())).get("schema", {}).get("properties", {})) if content else None

    found = []
    for path, item in document["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete") or (method, path) in SKIPPED:
                continue
            params = op.get("parameters", []) + item.get("parameters", [])
            by_place = {place: tuple(p["name"] for p in params if p["in"] == place)
                        for place in ("path", "query", "header")}
            fields = fields_of(op)
            if fields is None and method in ("put", "patch"):
                collection = document["paths"].get(path.rsplit("/", 1)[0], {})
                fields = next((f for f in map(fields_of, collection.values()) if f), None)
            found.append(Operation(method, path, by_place["path"], by_place["query"], by_place["header"],
                                   fields or (), fields is not None or method != "get"))
    return found


def send(client, op: Operation, who: str | None, api: InProcess, path_values: dict[str, str],
         query: dict[str, str], headers: dict[str, str], body: bytes | None, problems: list[str] | None = None) -> int:
    """One request; its status. A broken promise goes into ``problems`` (or fails at once without it)."""
    url = op.path
    for name in op.path_params:
        url = url.replace("{" + name + "}", quote(str(path_values.get(name, PLAUSIBLE.get(name, "1"))), safe=""))
    # How a UTF-8 header arrives; a line break cannot be sent in one.
    sent = {name: re.sub(r"[\r\n]", "", value).encode().decode("latin-1") for name, value in headers.items()}
    if who is not None:
        sent.update(api.auth(who))
    if body is not None:
        sent["Content-Type"] = "application/json"
    answer = client.open(url, method=op.method.upper(), query_string=query, headers=sent, data=body, buffered=False)
    try:
        problem = broken_promise(answer, f"{op.method.upper()} {url} {query!r} {headers!r} {body!r}"[:300])
    finally:
        answer.close()
    if problems is None:
        assert problem is None, problem
    elif problem:
        problems.append(problem)
    return answer.status_code


def broken_promise(answer, where: str) -> str | None:
    """A 5xx, or a 4xx of the API (or a JSON 4xx of a page) not in the one error shape."""
    if answer.status_code >= 500:
        return f"{answer.status_code} for {where}"
    if answer.status_code >= 400 and (where.split()[1].startswith("/api/") or answer.mimetype == "application/json"):
        if answer.mimetype != "application/json":
            return f"{answer.status_code} not JSON for {where}"
        error = json.loads(answer.get_data())
        if set(error) != {"error"} or set(error["error"]) != {"code", "message"} or not (
                isinstance(error["error"]["message"], str) and error["error"]["message"].strip()):
            return f"{answer.status_code} not in the one error shape for {where}: {error!r}"
    return None


def plausible_body(op: Operation, **changed: Any) -> bytes | None:
    """The operation's fields with plausible values, some replaced."""
    if not op.has_body:
        return None
    return json.dumps({**{name: PLAUSIBLE.get(name, "x") for name in op.fields}, **changed}).encode()


@pytest.fixture
def open_api(make_app) -> InProcess:
    """The sample office with rate limits out of the way, so every check behind them is reached."""
    made = make_app({"tickets_per_minute_per_device = 30": "tickets_per_minute_per_device = 1000000"})
    for name in ("motcua.booking_limiter", "motcua.rating_limiter"):
        made.app.extensions[name] = RateLimiter(10**6)
    return made


def caller_let_in(api: InProcess, op: Operation) -> str | None:
    """The first caller the operation does not turn away (401/403) with a plausible request."""
    for who in CALLERS:
        status = send(api.client, op, who, api, {}, {n: PLAUSIBLE.get(n, "x") for n in op.query},
                      {n: PLAUSIBLE.get(n, "x") for n in op.headers}, plausible_body(op))
        if status not in (401, 403):
            return who
    return None


def sweep(api: InProcess, op: Operation, problems: list[str]) -> Counter[int]:
    """Each hostile value in each parameter and field of one operation, the others plausible; the statuses."""
    statuses: Counter[int] = Counter()
    who = caller_let_in(api, op)
    query = {n: PLAUSIBLE.get(n, "x") for n in op.query}
    headers = {n: PLAUSIBLE.get(n, "x") for n in op.headers}
    requests: list[tuple[str | None, dict[str, str], dict[str, str], dict[str, str], bytes | None]] = []
    for value in HOSTILE_TEXT:
        requests += [(who, {name: value}, query, headers, plausible_body(op)) for name in op.path_params]
        requests += [(who, {}, {**query, name: value}, headers, plausible_body(op)) for name in op.query]
        requests += [(who, {}, query, {**headers, name: value}, plausible_body(op)) for name in op.headers]
    requests += [(who, {}, query, headers, plausible_body(op, **{name: value}))
                 for value in HOSTILE_JSON for name in op.fields]
    if op.has_body:
        every_field_empty = plausible_body(op, **dict.fromkeys(op.fields, ""))
        requests.append((who, {}, query, headers, every_field_empty))
        requests += [(caller, {}, query, headers, raw) for raw in WHOLE_BODIES for caller in (who, None)]
    for caller, path_values, q, h, body in requests:
        statuses[send(api.client, op, caller, api, path_values, q, h, body, problems)] += 1
    return statuses


def test_every_operation_of_the_openapi_document_refuses_hostile_values_with_a_4xx(open_api: InProcess) -> None:
    ops = operations(open_api.client.get("/api/openapi.json").get_json())
    assert len(ops) >= 40
    assert {(op.method, op.path) for op in ops} >= {("get", "/api/events"), ("patch", "/api/notices/{id}")}
    statuses: Counter[int] = Counter()
    problems: list[str] = []
    for op in ops:
        statuses += sweep(open_api, op, problems)
    assert problems == [], f"{len(problems)} broken promises:\n" + "\n".join(problems[:40])
    assert sum(statuses.values()) > 1000 and sum(n for s, n in statuses.items() if 400 <= s < 500) > 1000, statuses


def html_pages(api: InProcess) -> list[str]:
    """Every GET route that is not the API or a static file, with its converters as {name}."""
    rules = [rule for rule in api.app.url_map.iter_rules()
             if "GET" in rule.methods and not rule.rule.startswith("/api/")
             and rule.endpoint != "static" and not rule.endpoint.endswith(".static")]
    return sorted({re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule) for rule in rules})


def admin_cookie_client(api: InProcess):
    """A second client signed in as the admin through the sign-in page (bearer calls stay anonymous)."""
    client = api.app.test_client()
    form = client.get("/admin/login").get_data(as_text=True)
    csrf_field = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf_field is not None, form
    csrf = csrf_field.group(1)
    signed_in = client.post("/admin/login", data={"csrf_token": csrf, "username": "admin", "password": ADMIN_PASSWORD})
    assert signed_in.status_code in (302, 303) and client.get("/admin").status_code == 200
    return client


def test_every_query_parameter_of_every_page_is_answered_without_a_server_error(open_api: InProcess) -> None:
    api = open_api
    pages = html_pages(api)
    assert {"/display", "/console", "/admin", "/dat-lich", "/t/{token}", "/dat-lich/{code}"} <= set(pages), pages
    issued = issue(api, "HT", "page-fuzz").get_json()["ticket"]
    booked = api.client.post("/api/appointments", json={"service": "HT", "slot": "2026-03-03T08:00"})
    assert booked.status_code == 201
    real = {"token": issued["status_url"].rsplit("/", 1)[-1], "code": booked.get_json()["appointment"]["code"],
            "counter": "1", "index": "0"}  # pages of things that exist, so their parameters are read
    clients = (api.client, admin_cookie_client(api))
    statuses: Counter[int] = Counter()
    problems: list[str] = []
    for page in pages:
        op = Operation("get", page, tuple(re.findall(r"{([a-z_]+)}", page)), (), (), (), False)
        for client in clients:
            for value in HOSTILE_TEXT:
                for name in op.path_params:
                    statuses[send(client, op, None, api, {**real, name: value}, {}, {}, None, problems)] += 1
                for name in PAGE_PARAMS:
                    statuses[send(client, op, None, api, real, {name: value}, {}, None, problems)] += 1
            statuses[send(client, op, None, api, real, dict.fromkeys(PAGE_PARAMS, ""), {}, None, problems)] += 1
    assert problems == [], f"{len(problems)} broken promises:\n" + "\n".join(problems[:40])
    assert sum(statuses.values()) > 500


hostile_text = st.sampled_from(HOSTILE_TEXT) | st.text(max_size=12) | st.integers().map(str)
hostile_json = st.sampled_from(HOSTILE_JSON) | json_values | st.integers(min_value=-(2**70), max_value=2**70)


@pytest.fixture
def open_api_ops(open_api: InProcess) -> list[Operation]:
    """The document's operations, read once per test (the fixture outlives Hypothesis's examples), not per example."""
    return operations(open_api.client.get("/api/openapi.json").get_json())


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_random_mixes_of_hostile_values_never_make_a_server_error(open_api: InProcess, open_api_ops: list[Operation],
                                                                  data: st.DataObject) -> None:
    api = open_api
    op = data.draw(st.sampled_from(open_api_ops), "operation")

    def mixed(names: tuple[str, ...], values) -> dict[str, Any]:
        return data.draw(st.fixed_dictionaries(
            {}, optional={n: values | st.just(PLAUSIBLE.get(n, "x")) for n in names}))

    body = json.dumps(mixed(op.fields, hostile_json)).encode() if op.has_body else None
    send(api.client, op, data.draw(st.sampled_from(CALLERS), "who"), api, mixed(op.path_params, hostile_text),
         mixed(op.query, hostile_text), mixed(op.headers, hostile_text), body)
