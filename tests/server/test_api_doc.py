"""docs/api.md and ``GET /api/openapi.json`` stay true to the app and to each other.

Every route of the app is in the document with its methods, the query parameters it reads,
the 4xx statuses it raises itself and its JSON body; every endpoint of the document is named
by docs/api.md and every status a row of docs/api.md names is in the document.

The convention (stated in docs/api.md): an endpoint is a code span ``METHOD /api/path``,
path parameters in braces as in the OpenAPI document, an optional ``?query`` after it;
each endpoint has one table row that starts with its span.
"""

from __future__ import annotations

import ast
import inspect
import re
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import queue_server.web.openapi as openapi

if TYPE_CHECKING:  # the fixtures come from the conftest; only their type is named here
    from tests.support.servers import InProcess

API_DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
METHODS = ("get", "post", "put", "patch", "delete")
SPAN = re.compile(r"`(GET|POST|PUT|PATCH|DELETE) (/api/[^`?\s]*)(?:\?[^`]*)?`")
# The document does not list itself; the fixture proves it answers.
THE_DOCUMENT = ("GET", "/api/openapi.json")
ROW = re.compile(r"^\|\s*" + SPAN.pattern, re.MULTILINE)

Endpoint = tuple[str, str]


def named_anywhere(text: str) -> set[Endpoint]:
    """Every ``METHOD /api/…`` code span of the page, in prose or tables."""
    return {(method, path) for method, path in SPAN.findall(text)}


def table_rows(text: str) -> list[Endpoint]:
    """The endpoints that have a row of their own, in page order."""
    return [(method, path) for method, path in ROW.findall(text)]


@pytest.fixture(scope="module")
def doc_text() -> str:
    return API_DOC.read_text(encoding="utf-8")


@pytest.fixture
def published(api: InProcess) -> set[Endpoint]:
    """Every method and path of this installation's OpenAPI document, and the document's own."""
    response = api.client.get("/api/openapi.json")
    assert response.status_code == 200
    paths = response.get_json()["paths"]
    listed = {(method.upper(), path) for path, operations in paths.items()
              for method in operations if method in METHODS}
    return listed | {THE_DOCUMENT}


def test_the_convention_finds_spans_with_parameters_and_query_strings() -> None:
    text = ("| `GET /api/procedures?q=&field=` | anyone | … |\n"
            "| `POST /api/counters/{n}/call-next` | clerk | `204` when nobody waits |\n"
            "Call `DELETE /api/notices/{id}` in prose; `/api/events` alone names no endpoint.\n")
    assert named_anywhere(text) == {("GET", "/api/procedures"), ("POST", "/api/counters/{n}/call-next"),
                                    ("DELETE", "/api/notices/{id}")}
    assert table_rows(text) == [("GET", "/api/procedures"), ("POST", "/api/counters/{n}/call-next")]


def test_every_published_endpoint_has_a_row_in_the_api_doc(doc_text: str, published: set[Endpoint]) -> None:
    missing = sorted(published - set(table_rows(doc_text)))
    assert missing == [], f"add a row to docs/api.md for: {missing}"


def test_every_endpoint_the_api_doc_names_is_published(doc_text: str, published: set[Endpoint]) -> None:
    unknown = sorted(named_anywhere(doc_text) - published)
    assert unknown == [], f"docs/api.md names endpoints that GET /api/openapi.json does not have: {unknown}"


def test_each_endpoint_has_one_row_only(doc_text: str) -> None:
    repeated = sorted(endpoint for endpoint, count in Counter(table_rows(doc_text)).items() if count > 1)
    assert repeated == []


def test_the_doc_shows_the_ticket_with_every_field_the_api_returns(api: InProcess, doc_text: str) -> None:
    response = api.client.post("/api/tickets", json={"service": "HT"},
                               headers={**api.auth("kiosk"), "Idempotency-Key": "doc"})
    assert response.status_code == 201
    example = re.search(r"A ticket is\s+```json\n(.*?)```", doc_text, re.DOTALL)
    assert example is not None, "docs/api.md lost its ticket example"
    shown = re.findall(r'"(\w+)":', example.group(1))
    assert shown == list(response.get_json()["ticket"])


# -- the document against the app ------------------------------------------------------------

CONVERTER = re.compile(r"<(?:[a-z]+:)?(\w+)>")
QUERY_READ = re.compile(r"""request\.args(?:\.get\(\s*|\[\s*)["'](\w+)["']""")
RAISED_4XX = re.compile(r"ApiError\(\s*(4\d\d)\b")
STATUS_IN_ROW = re.compile(r"`(4\d\d)\b")


@pytest.fixture
def document(api: InProcess) -> dict[str, Any]:
    response = api.client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def api_routes(api: InProcess) -> list[tuple[str, str, Callable[..., Any]]]:
    """(method, path as in the document, view function) of every /api route but the document itself."""
    routes = []
    for rule in api.app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or rule.rule == "/api/openapi.json":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method.lower(), CONVERTER.sub(r"{\1}", rule.rule), api.app.view_functions[rule.endpoint]))
    return routes


def view_source(view: Callable[..., Any]) -> str:
    """The view's code and that of the functions of its module it calls by name (one level: ``_limit``…)."""
    module = sys.modules[view.__module__]
    own = inspect.getsource(view)
    called = {name for name in re.findall(r"\b(\w+)\(", own) if name != view.__name__}
    functions = [getattr(module, name, None) for name in sorted(called)]
    helpers = [inspect.getsource(function) for function in functions
               if inspect.isfunction(function) and function.__module__ == module.__name__]
    return "\n".join([own, *helpers])


def test_route_matching_finds_converters_and_the_names_a_view_reads() -> None:
    assert CONVERTER.sub(r"{\1}", "/api/notices/<int:notice_id>/x/<code>") == "/api/notices/{notice_id}/x/{code}"
    code = """request.args.get("history") or request.args['all']; raise ApiError(429, "x", "y")"""
    assert QUERY_READ.findall(code) == ["history", "all"] and RAISED_4XX.findall(code) == ["429"]
    assert STATUS_IN_ROW.findall("| `POST /api/x` | a | `429 too_many` or `409` |") == ["429", "409"]


def test_every_route_and_method_of_the_app_is_in_the_document(api: InProcess, document: dict[str, Any]) -> None:
    documented = {(method, re.sub(r"{\w+}", "{}", path)) for path, ops in document["paths"].items()
                  for method in ops if method in METHODS}
    routes = {(method, re.sub(r"{\w+}", "{}", path)) for method, path, _ in api_routes(api)}
    assert sorted(routes - documented) == []
    assert ("put", "/api/notices/{}") in routes  # the check above covers PUT, not only the first method of a rule


def operation(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    """The document's operation for a route (path parameter names may differ from the route's)."""
    pattern = re.sub(r"{\w+}", "{}", path)
    matches = [ops[method] for p, ops in document["paths"].items() if re.sub(r"{\w+}", "{}", p) == pattern]
    assert len(matches) == 1, (method, path)
    return matches[0]


def test_every_query_parameter_a_route_reads_is_documented(api: InProcess, document: dict[str, Any]) -> None:
    missing = []
    for method, path, view in api_routes(api):
        documented = {p["name"] for p in operation(document, method, path).get("parameters", []) if p["in"] == "query"}
        missing += [f"{method.upper()} {path}?{name}" for name in QUERY_READ.findall(view_source(view))
                    if name not in documented]
    assert missing == []
    assert "history" in QUERY_READ.findall(view_source(api.app.view_functions["people_api.list_devices"]))


def test_every_4xx_a_route_raises_itself_is_documented(api: InProcess, document: dict[str, Any]) -> None:
    missing = []
    for method, path, view in api_routes(api):
        responses = operation(document, method, path)["responses"]
        missing += [f"{method.upper()} {path} {status}" for status in sorted(set(RAISED_4XX.findall(view_source(view))))
                    if status not in responses]
    assert missing == []


def test_every_route_that_reads_a_json_body_documents_it(api: InProcess, document: dict[str, Any]) -> None:
    missing = [f"{method.upper()} {path}" for method, path, view in api_routes(api)
               if "json_body(" in view_source(view) and "requestBody" not in operation(document, method, path)]
    assert missing == []


def test_every_status_a_row_of_the_api_doc_names_is_in_the_document(doc_text: str, document: dict[str, Any]) -> None:
    missing = []
    for line in doc_text.splitlines():
        row = ROW.match(line)
        if row is None:
            continue
        method, path = row.groups()
        if (method, path) == THE_DOCUMENT:
            continue
        responses = document["paths"][path][method.lower()]["responses"]
        missing += [f"{method} {path} {status}" for status in STATUS_IN_ROW.findall(line) if status not in responses]
    assert missing == []


JSON_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str, "integer": int, "number": (int, float), "boolean": bool, "object": dict, "array": list,
    "null": type(None)}


def fits(value: Any, schema: dict[str, Any]) -> bool:
    """Whether a JSON value has one of the schema's types (bool is no integer here)."""
    names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    if isinstance(value, bool):
        return "boolean" in names
    return any(isinstance(value, JSON_TYPES[name]) for name in names)


def test_the_ticket_schema_fits_the_issuers_ticket_and_the_public_one(api: InProcess, document: dict[str, Any]) -> None:
    schema = document["components"]["schemas"]["Ticket"]
    issued = api.client.post("/api/tickets", json={"service": "HT"},
                             headers={**api.auth("kiosk"), "Idempotency-Key": "schema"}).get_json()["ticket"]
    public = api.client.get(f"/api/tickets/{issued['id']}").get_json()["ticket"]
    assert isinstance(issued["status_url"], str) and public["status_url"] is None
    for ticket in (issued, public):
        assert sorted(schema["required"]) == sorted(schema["properties"]) == sorted(ticket)
        assert [name for name, value in ticket.items() if not fits(value, schema["properties"][name])] == []


def test_the_document_is_built_without_the_app_module() -> None:
    """web/openapi.py imports each part's paths by name and never web/app.py (which imports it: no cycle)."""
    tree = ast.parse(Path(openapi.__file__).read_text(encoding="utf-8"))
    imported = {("." * node.level) + (node.module or "") for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert {".app", "queue_server.web.app", "..parts"} & imported == set()
    assert {"..appointments.openapi_paths", "..catalog.api", "..reports.openapi_paths"} <= imported
