"""The reports part's endpoints in OpenAPI form (merged into GET /api/openapi.json)."""

from __future__ import annotations

from typing import Any

from ..web.openapi_schema import TEXT, error_responses, json_body, json_response, path_parameter
from .ratings import RATINGS_PER_MINUTE_PER_DEVICE

PERIOD_PARAMETERS = [
    {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"},
     "description": "first day (office-local), inclusive"},
    {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"}, "description": "last day, inclusive"},
    {"name": "period", "in": "query", "schema": {"type": "string", "enum": ["day", "month", "quarter", "year"]},
     "description": "instead of from/to: the period holding `date` (default today)"},
    {"name": "date", "in": "query", "schema": {"type": "string", "format": "date"}},
]

RATING_BODY = {
    "type": "object", "required": ["overall"],
    "properties": {
        "ticket": {"oneOf": [{"type": "integer"}, TEXT],
                   "description": "ticket id, printed number of today (\"A012\") or status token; "
                                  "or leave it out and send counter"},
        "counter": {"type": "integer",
                    "description": "the counter rated; without ticket, the ticket it just completed is used if any"},
        "overall": {"type": "string", "description": "a level code of GET /api/ratings/form, by default "
                                                     "very_satisfied | satisfied | neutral | dissatisfied"},
        "criteria": {"type": "object", "additionalProperties": TEXT, "description": "criterion code → level code"},
        "answers": {"type": "object", "additionalProperties": TEXT, "description": "question code → answer code"},
        "reasons": {"type": "array", "items": TEXT, "description": "reason codes; only at levels that ask for reasons"},
        "comment": {"type": "string", "maxLength": 500},
        "dossier": {"type": "string", "description": "mã hồ sơ {agency}-{yyMMdd}-{seq}, when one was created"},
    },
}

NOTICE_FIELDS = {
    "text": {"type": "string", "maxLength": 300}, "position": {"type": "integer"},
    "active": {"type": "boolean"}, "starts_on": {"type": ["string", "null"], "format": "date"},
    "ends_on": {"type": ["string", "null"], "format": "date"},
}
"""A ticker notice's fields: all of them on creation (``text`` required), any of them on a change."""
NOTICE_CHANGE = {"type": "object", "minProperties": 1, "properties": NOTICE_FIELDS,
                 "description": "only the fields sent change; at least one of them"}
NOTICE_ID = path_parameter("id")


def _change_notice(method: str) -> dict[str, Any]:
    """PATCH and PUT /api/notices/{id}: the same partial change (PUT is accepted for clients that only send PUT)."""
    return {"summary": f"Change a ticker notice (admin){' — same as PATCH' if method == 'put' else ''}",
            "security": [{"bearer": []}], "parameters": [NOTICE_ID], "requestBody": json_body(NOTICE_CHANGE),
            "responses": {"200": json_response({"type": "object", "properties": {"notice": {"type": "object"}}}),
                          **error_responses(401, 403, 404, 422)}}


OPENAPI_PATHS: dict[str, Any] = {
    "/api/ratings": {"post": {
        "summary": "Record a satisfaction rating (rating device, kiosk, admin); one per ticket",
        "security": [{"bearer": []}],
        "requestBody": json_body(RATING_BODY),
        "responses": {"201": json_response({"type": "object", "properties": {"rating": {"type": "object"}}}, "Created"),
                      **error_responses(401, 403, 404, 409, 422, 429)},
        "description": "409 already_rated on a second rating of a ticket; 404 unknown_ticket; 422 not_served for a "
                       "ticket still waiting, absent (no-show) or cancelled. A ticket called or being served may be "
                       "rated (tablets ask before the clerk presses done). 429 too_many_ratings: more than "
                       f"{RATINGS_PER_MINUTE_PER_DEVICE} a minute from one device."
    }},
    "/api/ratings/form": {"get": {"summary": "The office's rating scale, criteria, questions and reasons",
                                  "responses": {"200": json_response({"type": "object"})}}},
    "/api/counters/{n}/rating-prompt": {"get": {
        "summary": "For a counter's rating tablet: the ticket just completed there "
                   "(within [ratings] prompt_seconds) and not rated",
        "security": [{"bearer": []}],
        "parameters": [path_parameter("n")],
        "responses": {"200": json_response({"type": "object", "properties": {
            "ticket": {"type": "object"}, "expires_at": TEXT, "expires_in_s": {"type": "number"}}}),
            "204": {"description": "Nothing to ask about now"}, **error_responses(401, 403, 404)},
    }},
    "/api/reports/summary": {"get": {
        "summary": "The office head's report of a period (admin): tickets, waits, service times, heatmap, satisfaction",
        "security": [{"bearer": []}],
        "parameters": PERIOD_PARAMETERS + [{"name": "format", "in": "query",
                                            "schema": {"type": "string",
                                                       "enum": ["json", "csv", "csv-vi", "xlsx", "docx"]}}],
        "responses": {"200": json_response({"type": "object"}), **error_responses(401, 403, 422)},
    }},
    "/api/reports/charts/{name}.png": {"get": {
        "summary": "A chart of a period's report as PNG (admin): tickets, waits, satisfaction, heatmap",
        "security": [{"bearer": []}],
        "parameters": [path_parameter("name", TEXT)] + PERIOD_PARAMETERS,
        "responses": {"200": {"description": "image/png",
                              "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}}},
                      **error_responses(401, 403, 404, 422)},
    }},
    "/api/reports/live": {"get": {
        "summary": "Today, live (admin): waiting/serving/average wait per field, counters, staffing alerts",
        "security": [{"bearer": []}],
        "responses": {"200": json_response({"type": "object"}), **error_responses(401, 403)},
    }},
    "/api/notices": {
        "get": {"summary": "Ticker notices showing today (public); ?all=1 lists every notice (admin)",
                "parameters": [{"name": "all", "in": "query", "schema": TEXT,
                                "description": "any value (e.g. 1): every notice with all its fields (admin)"}],
                "responses": {"200": json_response({"type": "object", "properties": {"notices": {
                    "type": "array", "items": {
                    "type": "object", "properties": {"id": {"type": "integer"}, "text": TEXT}}}}}),
                              **error_responses(401, 403)}},
        "post": {"summary": "Add a ticker notice (admin)", "security": [{"bearer": []}],
                 "requestBody": json_body({"type": "object", "required": ["text"], "properties": NOTICE_FIELDS}),
                 "responses": {"201": json_response({"type": "object"}, "Created"), **error_responses(401, 403, 422)}},
    },
    "/api/notices/{id}": {
        "patch": _change_notice("patch"),
        "put": _change_notice("put"),
        "delete": {"summary": "Remove a ticker notice (admin)", "security": [{"bearer": []}],
                   "parameters": [NOTICE_ID],
                   "responses": {"200": json_response({"type": "object"}), **error_responses(401, 403, 404)}},
    },
    **{
        "/api/admin/dossiers/columns": {
            "get": {"summary": "The saved column map of the provincial export, and our fields (admin)",
                    "security": [{"bearer": []}],
                    "responses": {"200": json_response({"type": "object"}), **error_responses(401, 403)}},
            "put": {"summary": "Save which column of the export holds each field (admin)",
                    "security": [{"bearer": []}],
                    "requestBody": json_body({"type": "object", "required": ["columns"], "properties": {
                        "columns": {"type": "object", "additionalProperties": TEXT}}}),
                    "responses": {"200": json_response({"type": "object"}), **error_responses(400, 401, 403, 422)}},
        },
        "/api/admin/dossiers/preview": {"post": {
            "summary": "An export's headers, a guessed column map and the saved one (admin; multipart field file)",
            "security": [{"bearer": []}],
            "responses": {"200": json_response({"type": "object"}), **error_responses(401, 403, 422)}}},
        "/api/admin/dossiers/import": {"post": {
            "summary": "Import the provincial one-stop system's export, CSV or XLSX (admin; multipart field file)",
            "security": [{"bearer": []}],
            "responses": {"200": json_response({"type": "object"}), **error_responses(401, 403, 409, 422)}}},
    },
}
