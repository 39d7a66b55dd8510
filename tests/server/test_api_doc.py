"""docs/api.md stays true to ``GET /api/openapi.json``: every endpoint of one is named by the other.

The convention (stated in docs/api.md): an endpoint is a code span ``METHOD /api/path``,
path parameters in braces as in the OpenAPI document, an optional ``?query`` after it;
each endpoint has one table row that starts with its span.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from tests.server.conftest import InProcess

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
    listed = {(method.upper(), path) for path, operations in paths.items() for method in operations if method in METHODS}
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
